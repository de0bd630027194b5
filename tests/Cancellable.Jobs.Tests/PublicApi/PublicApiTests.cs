using System.Reflection;
using PublicApiGenerator;

namespace Cancellable.Jobs.Tests.PublicApi;

/// <summary>
/// Compares the public API of Cancellable.Jobs with the approved snapshot checked in beside this file. On a difference
/// the test fails and writes <c>Cancellable.Jobs.received.txt</c> beside the approved file: diff the two, and when the
/// change is intended, copy the received file over the approved one.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void GeneratePublicApi_CancellableJobs_MatchesApprovedSnapshot()
    {
        var directory = Path.Combine(ProjectDirectory(), "PublicApi");
        var approvedPath = Path.Combine(directory, "Cancellable.Jobs.approved.txt");
        var receivedPath = Path.Combine(directory, "Cancellable.Jobs.received.txt");
        var received = Normalize(typeof(IJobManager).Assembly.GeneratePublicApi(new ApiGeneratorOptions
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

    private static string ProjectDirectory() =>
        typeof(PublicApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!;
}
