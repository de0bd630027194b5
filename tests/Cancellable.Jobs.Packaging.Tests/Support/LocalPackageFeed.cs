using System.Globalization;

namespace Cancellable.Jobs.Packaging.Tests.Support;

/// <summary>
/// Packs the three packages once per test run into a folder, as <c>dotnet pack</c> would for a release, under a version
/// of this run's own (<c>0.1.0-ci.{ticks}</c>) so that NuGet's global package cache can never serve an older copy. The
/// build goes to a temporary artifacts folder, leaving the repository's bin/ and obj/ alone. Disposing removes the
/// folder and this version from the global package cache.
/// </summary>
public sealed class LocalPackageFeed : IAsyncLifetime
{
    public static readonly string[] PackageIds = ["Cancellable.Jobs", "Cancellable.Jobs.AspNetCore", "Cancellable.Jobs.Redis"];

    private readonly string _root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cj-packaging-{Guid.NewGuid():N}");

    public string Version { get; } = $"0.1.0-ci.{DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Gets the folder that holds the packages, for <c>dotnet add package --source</c>.</summary>
    public string Path => System.IO.Path.Combine(_root, "feed");

    /// <summary>Gets a folder for the test apps, removed with the feed.</summary>
    public string AppsPath => System.IO.Path.Combine(_root, "apps");

    public string PackagePath(string id, string extension = "nupkg") => System.IO.Path.Combine(Path, $"{id}.{Version}.{extension}");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path);
        Directory.CreateDirectory(AppsPath);
        await ChildProcess.RunAsync(
            "dotnet",
            ["pack", Repository.PathOf("src/Cancellable.Jobs.Packages.slnf"), "-c", "Release", "-o", Path, $"-p:Version={Version}",
             "-p:UseArtifactsOutput=true", $"-p:ArtifactsPath={System.IO.Path.Combine(_root, "artifacts")}"],
            Repository.Root,
            TimeSpan.FromMinutes(20));
    }

    public async Task DisposeAsync()
    {
        try
        {
            var listing = await ChildProcess.RunAsync("dotnet", ["nuget", "locals", "global-packages", "--list"], _root, TimeSpan.FromMinutes(2));
            var globalPackages = listing.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("global-packages:", StringComparison.Ordinal))["global-packages:".Length..].Trim();
            foreach (var id in PackageIds)
            {
                var versions = System.IO.Path.Combine(globalPackages, id.ToLowerInvariant());
                var cached = System.IO.Path.Combine(versions, Version);
                if (Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }

                if (Directory.Exists(versions) && !Directory.EnumerateFileSystemEntries(versions).Any())
                {
                    Directory.Delete(versions);
                }
            }
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<LocalPackageFeed>, ICollectionFixture<Cancellable.Jobs.Redis.Tests.RedisServerFixture>
{
    public const string Name = "packages";
}
