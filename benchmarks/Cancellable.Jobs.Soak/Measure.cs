using System.Diagnostics;

namespace Cancellable.Jobs.Soak;

internal static class Measure
{
    /// <summary>The managed heap after a forced full, blocking collection with finalizers run.</summary>
    public static long HeapAfterFullGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static string Mb(long bytes) => $"{bytes / 1024d / 1024d:F1} MB";

    public static double PerSecond(long count, TimeSpan elapsed) => count / Math.Max(elapsed.TotalSeconds, 1e-9);

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}, {(GCSettings())} GC";

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        return Loop();

        async Task Loop()
        {
            var start = Stopwatch.GetTimestamp();
            while (!condition() && Stopwatch.GetElapsedTime(start) < limit)
            {
                await Task.Delay(10);
            }
        }
    }

    private static string GCSettings() => System.Runtime.GCSettings.IsServerGC ? "server" : "workstation";
}
