using System.IO.Compression;
using System.Xml.Linq;

namespace Cancellable.Jobs.Packaging.Tests.Support;

/// <summary>A .nupkg or .snupkg read as the zip file it is.</summary>
public sealed class Package : IDisposable
{
    private readonly ZipArchive _zip;

    public Package(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not produced.");
        _zip = ZipFile.OpenRead(path);
    }

    public IEnumerable<string> Entries => _zip.Entries.Select(e => e.FullName);

    /// <summary>Gets the nuspec's metadata element.</summary>
    public XElement Metadata
    {
        get
        {
            var nuspec = XDocument.Parse(ReadText(Entries.Single(e => e.EndsWith(".nuspec", StringComparison.Ordinal))));
            return nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }
    }

    public string ReadText(string entry)
    {
        using var reader = new StreamReader(_zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    public byte[] ReadBytes(string entry)
    {
        using var stream = _zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public void Dispose() => _zip.Dispose();
}

internal static class XElementExtensions
{
    public static XElement? Child(this XElement element, string localName) => element.Elements().SingleOrDefault(e => e.Name.LocalName == localName);

    public static IEnumerable<XElement> DescendantsNamed(this XElement element, string localName) => element.Descendants().Where(e => e.Name.LocalName == localName);
}
