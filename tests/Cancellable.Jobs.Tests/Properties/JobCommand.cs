using FsCheck;
using FsCheck.Fluent;

namespace Cancellable.Jobs.Tests.Properties;

public enum JobCommandKind
{
    Start,
    Report,
    Message,
    Complete,
    Fail,
    FailWithForeignCancellation,
    HonourCancellation,
    Cancel,
    CancelAll,
    Retry,
    Delete,
    Advance,
    Sweep,
}

/// <summary>
/// One step of a scenario. <see cref="Target"/> picks a job by position (modulo the count): among all jobs ever
/// created for cancel, retry and delete (so removed ones are hit too), among the jobs whose code waits for a step for
/// the job-code commands. Positions keep meaning when FsCheck removes commands while shrinking.
/// </summary>
public sealed record JobCommand(JobCommandKind Kind, int Target = 0, int A = 0, int B = 0, int C = 0, int D = 0)
{
    internal static readonly string[] Types = ["alpha", "beta"];
    internal static readonly string?[] Owners = [null, "alice", "bob"];
    internal static readonly string[] TagNames = ["t1", "t2"];
    internal static readonly TimeSpan[] Advances = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(150), TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(16)];
    internal static readonly JobStatus?[] CancelAllStatuses = [null, JobStatus.Pending, JobStatus.Running, JobStatus.Cancelling, JobStatus.Completed];
    internal static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    /// <summary>An <see cref="JobCommandKind.Advance"/> to exactly the soonest expiry, when a job expires.</summary>
    internal const int ToNextExpiry = 5;

    /// <summary>An <see cref="JobCommandKind.Advance"/> to one millisecond before the soonest expiry.</summary>
    internal const int JustBeforeNextExpiry = 6;

    internal string[] Tags => [.. TagNames.Where((_, i) => (C & (1 << i)) != 0)];

    internal TimeSpan? Timeout => D == 1 ? JobTimeout : null;

    internal JobFilter CancelAllFilter => new()
    {
        Status = CancelAllStatuses[A],
        Type = B == 0 ? null : Types[B - 1],
        Owner = Owners[C],
        Tag = D == 0 ? null : TagNames[D - 1],
    };

    public override string ToString() => Kind switch
    {
        JobCommandKind.Start => $"Start({Types[A]}, owner: {Owners[B] ?? "-"}, tags: [{string.Join(",", Tags)}], timeout: {Timeout?.ToString() ?? "-"})",
        JobCommandKind.Report => $"Report(running #{Target}, fraction: {A / 4.0}, partial: {B})",
        JobCommandKind.Message => $"Message(running #{Target}, {(JobMessageLevel)A} x{B})",
        JobCommandKind.Complete or JobCommandKind.Fail or JobCommandKind.FailWithForeignCancellation or JobCommandKind.HonourCancellation => $"{Kind}(running #{Target})",
        JobCommandKind.Cancel or JobCommandKind.Delete => $"{Kind}(job #{Target}, by: {Owners[A] ?? "-"})",
        JobCommandKind.Retry => $"Retry(job #{Target})",
        JobCommandKind.CancelAll => $"CancelAll(status: {CancelAllFilter.Status?.ToString() ?? "-"}, type: {CancelAllFilter.Type ?? "-"}, owner: {CancelAllFilter.Owner ?? "-"}, tag: {CancelAllFilter.Tag ?? "-"})",
        JobCommandKind.Advance => A switch
        {
            ToNextExpiry => "AdvanceToNextExpiry",
            JustBeforeNextExpiry => "AdvanceToJustBeforeNextExpiry",
            _ => $"Advance({Advances[A]})",
        },
        _ => $"{Kind}",
    };
}

/// <summary>A sequence of commands; printed one per line so a shrunk counterexample reads as a script.</summary>
public sealed record JobScenario(IReadOnlyList<JobCommand> Commands)
{
    public override string ToString() => $"{Commands.Count} commands:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Commands.Select((c, i) => $"{i + 1}. {c}"));
}

public static class JobScenarioArbitrary
{
    public const int MaxLength = 30;

    public static Arbitrary<JobScenario> Scenario() => Arb.From(
        Gen.Sized(size => Gen.Choose(1, Math.Clamp(size, 1, MaxLength)).SelectMany(length => Command.ArrayOf(length))).Select(commands => new JobScenario(commands)),
        Shrink);

    internal static Gen<JobCommand> Command { get; } = Gen.Frequency(
        (5, Gen.Choose(0, 1).SelectMany(type => Gen.Choose(0, 2).SelectMany(owner => Gen.Choose(0, 3).SelectMany(tags => Gen.Choose(0, 3).Select(timeout => new JobCommand(JobCommandKind.Start, 0, type, owner, tags, timeout == 0 ? 1 : 0)))))),
        (3, Gen.Choose(0, 9).SelectMany(target => Gen.Choose(0, 4).SelectMany(fraction => Gen.Choose(0, 99).Select(partial => new JobCommand(JobCommandKind.Report, target, fraction, partial))))),
        (3, Gen.Choose(0, 9).SelectMany(target => Gen.Choose(0, 2).SelectMany(level => Gen.Choose(1, 4).Select(count => new JobCommand(JobCommandKind.Message, target, level, count))))),
        (4, Gen.Choose(0, 9).Select(target => new JobCommand(JobCommandKind.Complete, target))),
        (2, Gen.Choose(0, 9).Select(target => new JobCommand(JobCommandKind.Fail, target))),
        (1, Gen.Choose(0, 9).Select(target => new JobCommand(JobCommandKind.FailWithForeignCancellation, target))),
        (2, Gen.Choose(0, 9).Select(target => new JobCommand(JobCommandKind.HonourCancellation, target))),
        (4, Gen.Choose(0, 19).SelectMany(target => Gen.Choose(0, 2).Select(by => new JobCommand(JobCommandKind.Cancel, target, by)))),
        (1, Gen.Choose(0, 4).SelectMany(status => Gen.Choose(0, 2).SelectMany(type => Gen.Choose(0, 2).SelectMany(owner => Gen.Choose(0, 2).Select(tag => new JobCommand(JobCommandKind.CancelAll, 0, status, type, owner, tag)))))),
        (3, Gen.Choose(0, 19).Select(target => new JobCommand(JobCommandKind.Retry, target))),
        (2, Gen.Choose(0, 19).SelectMany(target => Gen.Choose(0, 2).Select(by => new JobCommand(JobCommandKind.Delete, target, by)))),
        (3, Gen.Choose(0, JobCommand.Advances.Length - 1).Select(a => new JobCommand(JobCommandKind.Advance, 0, a))),
        (2, Gen.Elements(JobCommand.ToNextExpiry, JobCommand.JustBeforeNextExpiry).Select(a => new JobCommand(JobCommandKind.Advance, 0, a))),
        (2, Gen.Constant(new JobCommand(JobCommandKind.Sweep))));

    /// <summary>Shrinks by removing halves, then quarters, then single commands.</summary>
    internal static IEnumerable<JobScenario> Shrink(JobScenario scenario)
    {
        var commands = scenario.Commands;
        for (var chunk = commands.Count / 2; chunk >= 1; chunk /= 2)
        {
            for (var start = 0; start + chunk <= commands.Count; start += chunk)
            {
                yield return new JobScenario([.. commands.Take(start), .. commands.Skip(start + chunk)]);
            }
        }
    }
}
