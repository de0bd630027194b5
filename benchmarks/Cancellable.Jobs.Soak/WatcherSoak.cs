namespace Cancellable.Jobs.Soak;

internal static class WatcherSoak
{
    public static Task<int> RunAsync(SoakArgs args) => Task.FromResult(2);
}
