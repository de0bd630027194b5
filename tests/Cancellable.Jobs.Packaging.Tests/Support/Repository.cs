using System.Reflection;

namespace Cancellable.Jobs.Packaging.Tests.Support;

/// <summary>Where the repository that the tests pack lives.</summary>
public static class Repository
{
    public static string Root { get; } =
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string PathOf(string relativePath) => System.IO.Path.Combine(Root, relativePath);
}
