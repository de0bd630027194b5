using System.Reflection;
using PublicApiGenerator;

namespace Cancellable.Jobs.Tests.PublicApi;

/// <summary>
/// Compares a package's public API with the approved snapshot checked in beside the calling test, in its project's
/// <c>PublicApi</c> folder. On a difference it fails and writes <c>{assembly}.received.txt</c> beside
/// <c>{assembly}.approved.txt</c>: diff the two, and when the change is intended, copy the received file over the approved
/// one. Linked into each package's test project.
/// </summary>
internal static class PublicApiSnapshot
{
    public static void AssertMatchesApproved(Assembly package, Assembly tests)
    {
        var projectDirectory = tests.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!;
        var directory = Path.Combine(projectDirectory, "PublicApi");
        var name = package.GetName().Name;
        var approvedPath = Path.Combine(directory, $"{name}.approved.txt");
        var receivedPath = Path.Combine(directory, $"{name}.received.txt");
        var received = Normalize(package.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
            // The generator leaves out Microsoft.* namespaces by default, where the DI and routing extensions live.
            AllowNamespacePrefixes = ["Microsoft"],
        }));
        var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : string.Empty;

        if (received == approved)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail($"The public API changed. Compare {receivedPath} with {approvedPath}; if the change is intended, copy the received file over the approved one.");
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd() + "\n";
}
