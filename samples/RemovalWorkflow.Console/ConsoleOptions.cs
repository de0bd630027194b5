using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RemovalWorkflow.ConsoleApp;

/// <summary>
/// The command line of the sample, parsed by hand: <c>--name value</c> or <c>--name=value</c>.
/// </summary>
internal sealed record ConsoleOptions
{
    public const string HelpText = """
        Runs one removal_workflow job (seed 001) on a simulated WhatsApp group: syncs the members inactive for more
        than 30 days into the removal queue, then removes them in batches. Ctrl+C cancels the job gracefully: the
        current batch finishes, the members removed so far are printed, and the job ends Cancelled.

        Usage: dotnet run --project samples/RemovalWorkflow.Console -- [options]

        Options:
          --group-size <n>        Members in the simulated group, 1 to 100000. Default: 40.
          --inactive-share <x>    Share of those members that are inactive, 0 to 1. Default: 0.5.
          --batch-size <n>        Members removed per batch, 1 to 1000. Default: 5.
          --delay-ms <n>          Delay between batches in milliseconds, 0 or more. Default: 300.
                                  The simulated group allows any delay; a real WhatsApp group
                                  needs at least 10000 ms (seed 001), enforced by its gateway.
          --dry-run               Report who would be removed; remove nobody.
          -h, --help              Show this help.

        Exit codes: 0 completed, 1 failed, 2 bad command line, 130 cancelled.
        """;

    public int GroupSize { get; init; } = 40;

    public double InactiveShare { get; init; } = 0.5;

    public int BatchSize { get; init; } = 5;

    public int DelayMs { get; init; } = 300;

    public bool DryRun { get; init; }

    public bool ShowHelp { get; init; }

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out ConsoleOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = new ConsoleOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            string? Value() => inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
            switch (name)
            {
                case "-h" or "--help":
                    options = options with { ShowHelp = true };
                    break;
                case "--dry-run" when inlineValue is null:
                    options = options with { DryRun = true };
                    break;
                case "--group-size" when TryInt(name, Value(), 1, 100_000, out var groupSize, ref error):
                    options = options with { GroupSize = groupSize };
                    break;
                case "--batch-size" when TryInt(name, Value(), 1, 1_000, out var batchSize, ref error):
                    options = options with { BatchSize = batchSize };
                    break;
                case "--delay-ms" when TryInt(name, Value(), 0, int.MaxValue, out var delayMs, ref error):
                    options = options with { DelayMs = delayMs };
                    break;
                case "--inactive-share" when TryShare(name, Value(), out var share, ref error):
                    options = options with { InactiveShare = share };
                    break;
                case "--dry-run":
                    error = "Option '--dry-run' takes no value.";
                    break;
                default:
                    error ??= $"Unknown option '{name}'.";
                    break;
            }

            if (error is not null)
            {
                options = null;
                return false;
            }
        }

        return true;
    }

    private static bool TryInt(string name, string? text, int min, int max, out int value, ref string? error)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        error = text is null
            ? $"Option '{name}' needs a value."
            : $"Option '{name}' must be a whole number from {min} to {max}, not '{text}'.";
        return false;
    }

    private static bool TryShare(string name, string? text, out double value, ref string? error)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= 0 && value <= 1)
        {
            return true;
        }

        error = text is null
            ? $"Option '{name}' needs a value."
            : $"Option '{name}' must be a number from 0 to 1, such as 0.5, not '{text}'.";
        return false;
    }
}
