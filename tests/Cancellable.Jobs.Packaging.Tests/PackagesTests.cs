using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Cancellable.Jobs.Packaging.Tests.Support;

namespace Cancellable.Jobs.Packaging.Tests;

/// <summary>What <c>dotnet pack</c> produces for each package: metadata, readme, symbols and dependency ranges.</summary>
[Collection(PackagesCollection.Name)]
public sealed partial class PackagesTests(LocalPackageFeed feed)
{
    public static TheoryData<string> PackageIds => new(LocalPackageFeed.PackageIds);

    private static string RepositoryUrl =>
        XDocument.Load(Repository.PathOf("Directory.Build.props")).Descendants("RepositoryUrl").Single().Value;

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Pack_Package_HasLicenseReadmeRepositoryAndDescription(string id)
    {
        using var package = new Package(feed.PackagePath(id));
        var metadata = package.Metadata;

        Assert.Equal(id, metadata.Child("id")?.Value);
        Assert.Equal(feed.Version, metadata.Child("version")?.Value);
        Assert.Equal("expression", metadata.Child("license")?.Attribute("type")?.Value);
        Assert.Equal("MIT", metadata.Child("license")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Child("description")?.Value));
        Assert.Contains("cancellation", metadata.Child("tags")?.Value.Split(' ') ?? [], StringComparer.Ordinal);
        Assert.Equal(RepositoryUrl, metadata.Child("projectUrl")?.Value);
        var repository = metadata.Child("repository");
        Assert.Equal("git", repository?.Attribute("type")?.Value);
        Assert.Equal(RepositoryUrl, repository?.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository?.Attribute("commit")?.Value ?? string.Empty);

        Assert.Equal("README.md", metadata.Child("readme")?.Value);
        var readme = package.ReadText("README.md");
        Assert.StartsWith($"# {id}", readme, StringComparison.Ordinal);
        Assert.Empty(RelativeLink().Matches(readme).Select(m => m.Value));
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Pack_Package_HasAssemblyAndXmlDocsPerTargetFramework(string id)
    {
        using var package = new Package(feed.PackagePath(id));

        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            Assert.Contains($"lib/{framework}/{id}.dll", package.Entries);
            Assert.Contains($"{id}.", package.ReadText($"lib/{framework}/{id}.xml"), StringComparison.Ordinal);
        }

        Assert.Equal(["net10.0", "net8.0"], package.Metadata.DescendantsNamed("group").Select(g => g.Attribute("targetFramework")!.Value).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Pack_Package_HasSymbolPackageWithSourceLinkToTheCommit(string id)
    {
        string commit;
        using (var package = new Package(feed.PackagePath(id)))
        {
            commit = package.Metadata.Child("repository")!.Attribute("commit")!.Value;
        }

        using var symbols = new Package(feed.PackagePath(id, "snupkg"));
        var rawBase = RepositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            var pdb = Encoding.UTF8.GetString(symbols.ReadBytes($"lib/{framework}/{id}.pdb"));
            var sourceLink = SourceLinkJson().Match(pdb);
            Assert.True(sourceLink.Success, $"lib/{framework}/{id}.pdb has no Source Link document map.");
            Assert.Contains($"{rawBase}/{commit}/*", sourceLink.Value, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(PackageIds))]
    public void Pack_Dependencies_AreTheCentralPinsWithNoUpperBound(string id)
    {
        using var package = new Package(feed.PackagePath(id));

        var dependencies = package.Metadata.DescendantsNamed("dependency").ToList();
        Assert.NotEmpty(dependencies);
        foreach (var dependency in dependencies)
        {
            var dependencyId = dependency.Attribute("id")!.Value;
            var version = dependency.Attribute("version")!.Value;
            // A bare version in a nuspec means "this one or later": no brackets, no upper bound.
            Assert.DoesNotMatch(@"[\[\](),]", version);
            var expected = dependencyId.StartsWith("Cancellable.Jobs", StringComparison.Ordinal) ? feed.Version : CentralPackageVersions.Of(dependencyId);
            Assert.Equal(expected, version);
            if (dependencyId.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            {
                Assert.StartsWith("8.", version, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Pack_AspNetCorePackage_ReferencesTheSharedFrameworkAndNoExtensionsPackages()
    {
        using var package = new Package(feed.PackagePath("Cancellable.Jobs.AspNetCore"));

        var frameworkReferences = package.Metadata.DescendantsNamed("frameworkReference").Select(f => f.Attribute("name")!.Value).Distinct();
        Assert.Equal(["Microsoft.AspNetCore.App"], frameworkReferences);
        Assert.All(package.Metadata.DescendantsNamed("dependency"), d => Assert.Equal("Cancellable.Jobs", d.Attribute("id")!.Value));
    }

    // A markdown link or image whose target has no scheme: it would resolve against nuget.org, not the repository.
    [GeneratedRegex(@"\]\((?![a-z]+:|#)[^)\s]+\)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex("""\{"documents":\{[^}]*\}\}""")]
    private static partial Regex SourceLinkJson();
}
