namespace Cancellable.Jobs.Packaging.Tests.Support;

/// <summary>
/// A fresh app made as a newcomer makes one: <c>dotnet new</c>, <c>dotnet add package</c>, a pasted Program.cs,
/// <c>dotnet build</c>. It lives in its own temporary folder, outside the repository, so none of the repository's build
/// settings reach it.
/// </summary>
public sealed class ScratchApp
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    private ScratchApp(string directory) => Directory = directory;

    public string Directory { get; }

    public static async Task<ScratchApp> CreateAsync(LocalPackageFeed feed, string template)
    {
        var directory = Path.Combine(feed.AppsPath, $"{template}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        await ChildProcess.RunAsync("dotnet", ["new", template, "--name", "QuickStart", "--output", directory, "--no-restore"], directory, CommandTimeout);
        return new ScratchApp(directory);
    }

    /// <summary>Adds one of this run's packages from the feed folder (the machine's package sources still serve its dependencies).</summary>
    public Task AddPackageAsync(LocalPackageFeed feed, string id) =>
        ChildProcess.RunAsync("dotnet", ["add", "package", id, "--version", feed.Version, "--source", feed.Path], Directory, CommandTimeout);

    /// <summary>Adds a package from the machine's package sources at a version that serves this SDK.</summary>
    public Task AddPackageAsync(string id, string version) =>
        ChildProcess.RunAsync("dotnet", ["add", "package", id, "--version", version], Directory, CommandTimeout);

    public void WriteProgram(string code) => File.WriteAllText(Path.Combine(Directory, "Program.cs"), code);

    public Task BuildAsync() => ChildProcess.RunAsync("dotnet", ["build", "-c", "Release"], Directory, CommandTimeout);

    /// <summary>Starts the built app, as <c>dotnet run --no-build</c> would but without the launch profile.</summary>
    public ChildProcess Start(IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = System.IO.Directory.GetFiles(Path.Combine(Directory, "bin", "Release"), "QuickStart.dll", SearchOption.AllDirectories).Single();
        return ChildProcess.Start("dotnet", [dll, .. arguments ?? []], Directory, environment);
    }
}
