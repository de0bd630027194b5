using Microsoft.Extensions.DependencyInjection;
using RemovalWorkflow.ConsoleApp;
using RemovalWorkflow.Tests.TestSupport;
using Spectre.Console;

namespace RemovalWorkflow.Tests;

/// <summary>
/// Runs the console sample's entry logic in-process, on a console that is not a terminal (as under CI).
/// </summary>
public sealed class RemovalWorkflowAppTests : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly IAnsiConsole _console;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    public RemovalWorkflowAppTests()
    {
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_output),
        });
        _console.Profile.Width = 1_000;
    }

    private string Output => _output.ToString();

    public void Dispose()
    {
        _output.Dispose();
        _timeout.Dispose();
    }

    private static IReadOnlyList<string> InactiveIds(int groupSize)
    {
        var group = new SimulatedWhatsAppGroup(new SimulatedGroupOptions { MemberCount = groupSize }, TimeProvider.System);
        var cutoff = TimeProvider.System.GetUtcNow() - TimeSpan.FromDays(30);
        return [.. group.Members.Where(m => m.LastActiveAt < cutoff).Select(m => m.WaId)];
    }

    [Fact]
    public async Task RunAsync_Help_PrintsTheOptionsAndExitsZero()
    {
        var exit = await RemovalWorkflowApp.RunAsync(["--help"], _console, _timeout.Token);

        Assert.Equal(0, exit);
        foreach (var option in new[] { "--group-size", "--inactive-share", "--batch-size", "--delay-ms", "--dry-run", "--help" })
        {
            Assert.Contains(option, Output, StringComparison.Ordinal);
        }

        Assert.Contains("needs at least 10000 ms (seed 001)", Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Started", Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--frobnicate")]
    [InlineData("--group-size", "many")]
    public async Task RunAsync_BadOption_ExitsTwoWithAMessageNamingIt(params string[] args)
    {
        var exit = await RemovalWorkflowApp.RunAsync(args, _console, _timeout.Token);

        Assert.Equal(2, exit);
        Assert.Contains($"error: ", Output, StringComparison.Ordinal);
        Assert.Contains($"'{args[0]}'", Output, StringComparison.Ordinal);
        Assert.Contains("--help", Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Started", Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SmallRun_CompletesAndPrintsTheRemovedMembers()
    {
        var exit = await RemovalWorkflowApp.RunAsync(["--group-size", "10", "--batch-size", "2", "--delay-ms", "0"], _console, _timeout.Token);

        Assert.Equal(0, exit);
        Assert.Contains("Final status: Completed", Output, StringComparison.Ordinal);
        Assert.Contains("Result: 3 of 3 batches done, removed 5 members:", Output, StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", InactiveIds(10)), Output, StringComparison.Ordinal);
        Assert.Contains("Batch 3 of 3: removed 1 of 1", Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DryRun_CompletesAndRemovesNobody()
    {
        var exit = await RemovalWorkflowApp.RunAsync(["--group-size", "6", "--batch-size", "5", "--delay-ms", "0", "--dry-run"], _console, _timeout.Token);

        Assert.Equal(0, exit);
        Assert.Contains("Result: 1 of 1 batches done, would remove 3 members:", Output, StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", InactiveIds(6)), Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledBetweenBatches_PrintsCancelledAndThePartialResult()
    {
        var time = new WatchedTimeProvider();
        using var ctrlC = new CancellationTokenSource();
        var delay = TimeSpan.FromSeconds(5);

        var run = RemovalWorkflowApp.RunAsync(
            ["--group-size", "20", "--batch-size", "3", "--delay-ms", "5000"],
            _console,
            builder => builder.Services.AddSingleton<TimeProvider>(time),
            ctrlC.Token);
        await time.WaitForTimerAsync(delay, _timeout.Token); // batch 1 is done; the job waits for batch 2
        ctrlC.Cancel();
        var exit = await run.WaitAsync(_timeout.Token);

        Assert.Equal(130, exit);
        Assert.Contains("Final status: Cancelled (reason: Requested, asked by console (Ctrl+C))", Output, StringComparison.Ordinal);
        Assert.Contains("Partial result: 1 of 4 batches done, removed 3 members:", Output, StringComparison.Ordinal);
        Assert.Contains(string.Join(", ", InactiveIds(20).Take(3)), Output, StringComparison.Ordinal);
        Assert.DoesNotContain(InactiveIds(20)[3], Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DelayBelowTheGatewaysMinimum_ExitsTwoWithoutAJob()
    {
        var rateLimited = new SimulatedWhatsAppGroup(new SimulatedGroupOptions { MinimumBatchDelay = TimeSpan.FromSeconds(10) }, TimeProvider.System);

        var exit = await RemovalWorkflowApp.RunAsync(
            ["--delay-ms", "300"],
            _console,
            builder => builder.Services.AddSingleton<IWhatsAppGroupGateway>(rateLimited),
            _timeout.Token);

        Assert.Equal(2, exit);
        Assert.Contains("DelayMs: The delay must be at least 10000 ms", Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Started", Output, StringComparison.Ordinal);
    }
}
