using System.Xml.Linq;

namespace Cancellable.Jobs.Packaging.Tests.Support;

/// <summary>The versions pinned in the repository's Directory.Packages.props.</summary>
public static class CentralPackageVersions
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Versions = new(() =>
        XDocument.Load(Repository.PathOf("Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase));

    public static string Of(string id) =>
        Versions.Value.TryGetValue(id, out var version) ? version : throw new KeyNotFoundException($"Directory.Packages.props pins no version of {id}.");
}
