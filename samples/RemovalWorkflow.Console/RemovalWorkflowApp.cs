using System.Text.Json;
using Cancellable.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace RemovalWorkflow.ConsoleApp;

/// <summary>
/// The sample: parse the command line, host Cancellable.Jobs, start one <c>removal_workflow</c> job, show its progress
/// live, cancel it on Ctrl+C, and print how it ended.
/// </summary>
internal static class RemovalWorkflowApp
{
    public const int Completed = 0, Failed = 1, Usage = 2, Cancelled = 130;

    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default) =>
        RunAsync(args, console, configure: null, cancellationToken);

    /// <param name="args">The command line.</param>
    /// <param name="console">Where to write; Spectre falls back to plain lines when it is not an interactive terminal.</param>
    /// <param name="configure">Changes the host before it is built (tests swap the clock here).</param>
    /// <param name="cancellationToken">Cancels the job like Ctrl+C does.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, Action<HostApplicationBuilder>? configure, CancellationToken cancellationToken)
    {
        if (!ConsoleOptions.TryParse(args, out var options, out var error))
        {
            console.MarkupLineInterpolated($"[red]error:[/] {error}");
            console.WriteLine("Run with --help to see the options.");
            return Usage;
        }

        if (options.ShowHelp)
        {
            console.WriteLine(ConsoleOptions.HelpText);
            return Completed;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning); // the progress bar owns the terminal
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSimulatedWhatsAppGroup(new SimulatedGroupOptions { MemberCount = options.GroupSize, InactiveShare = options.InactiveShare });
        builder.Services.AddCancellableJobs().AddRemovalJobs();
        configure?.Invoke(builder);

        using var host = builder.Build();
        await host.StartAsync(CancellationToken.None);
        try
        {
            return await RunJobAsync(host.Services, options, console, cancellationToken);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<int> RunJobAsync(IServiceProvider services, ConsoleOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var manager = services.GetRequiredService<IJobManager>();
        var input = new RemovalWorkflowInput
        {
            GroupWaId = SimulatedGroupOptions.DefaultGroupWaId,
            BatchSize = options.BatchSize,
            DelayMs = options.DelayMs,
            DryRun = options.DryRun,
        };

        JobSnapshot job;
        try
        {
            job = await manager.StartAsync(RemovalWorkflowJob.JobType, input, cancellationToken: CancellationToken.None);
        }
        catch (JobValidationException ex)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Message}");
            return Usage;
        }

        console.MarkupLineInterpolated($"Started [bold]{job.Type}[/] job {job.Id}: {options.GroupSize} members, batches of {options.BatchSize}, {options.DelayMs} ms apart{(options.DryRun ? ", dry run" : "")}. Ctrl+C cancels.");

        // Ctrl+C reaches us through the host: its console lifetime turns SIGINT into ApplicationStopping.
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        Task<JobCommandResult>? cancel = null;
        JobSnapshot last;
        using (stop.Token.Register(() => cancel = manager.CancelAsync(job.Id, "console (Ctrl+C)").AsTask()))
        {
            last = await ShowProgressAsync(manager, job, console);
        }

        if (cancel is not null)
        {
            await cancel; // surfaces a failed cancel request; the job's own outcome is in `last`
        }

        return PrintOutcome(last, console);
    }

    /// <summary>Follows the job until it stops (a cancel lets the current batch finish first) and returns its last state.</summary>
    private static async Task<JobSnapshot> ShowProgressAsync(IJobManager manager, JobSnapshot job, IAnsiConsole console)
    {
        var last = job;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(Markup.Escape(job.Type), maxValue: 1);
                var printed = 0;
                await foreach (var change in manager.WatchAsync(job.Id))
                {
                    last = change.Job;
                    var messages = last.Messages;
                    var seen = messages.Count + last.DroppedMessages.Info + last.DroppedMessages.Warning + last.DroppedMessages.Error;
                    foreach (var message in messages.Skip(messages.Count - Math.Min(seen - printed, messages.Count)))
                    {
                        console.WriteLine($"  {message.Level.ToString().ToLowerInvariant(),-7} {message.Text}"); // untrusted text: never markup
                    }

                    printed = seen;
                    var description = Markup.Escape(last.Status is JobStatus.Running ? last.Progress.CurrentStep ?? "running" : last.Status.ToString().ToLowerInvariant());
                    if (bar.Value != last.Progress.Fraction || bar.Description != description)
                    {
                        // Only real changes: when output is redirected, Spectre prints a line per update.
                        bar.Value = last.Progress.Fraction;
                        bar.Description = description;
                    }
                    if (last.Status.IsTerminal())
                    {
                        bar.StopTask();
                        break;
                    }
                }
            });
        return last;
    }

    private static int PrintOutcome(JobSnapshot job, IAnsiConsole console)
    {
        console.MarkupLineInterpolated($"Final status: [bold]{job.Status}[/]{(job.CancelReason is { } reason ? $" (reason: {reason}, asked by {job.CancelRequestedBy ?? "nobody"})" : "")}");
        var json = job.Status == JobStatus.Completed ? job.Result : job.PartialResult;
        if (json?.Deserialize<RemovalResult>(JsonSerializerOptions.Web) is { } result)
        {
            var label = job.Status == JobStatus.Completed ? "Result" : "Partial result";
            var (verb, ids) = result.DryRun ? ("would remove", result.WouldRemoveWhatsappIds) : ("removed", result.RemovedWhatsappIds);
            console.MarkupLineInterpolated($"{label}: {result.BatchesDone} of {result.BatchCount} batches done, {verb} {ids.Count} members{(ids.Count > 0 ? ":" : ".")}");
            if (ids.Count > 0)
            {
                console.WriteLine("  " + string.Join(", ", ids));
            }
        }

        if (job.Error is { } error)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {error.Type}: {error.Message}");
        }

        return job.Status switch
        {
            JobStatus.Completed => Completed,
            JobStatus.Cancelled => Cancelled,
            _ => Failed,
        };
    }
}
