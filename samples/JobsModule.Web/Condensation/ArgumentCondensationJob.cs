using Cancellable.Jobs;

namespace JobsModule.Web.Condensation;

/// <summary>
/// <c>argument_condensation</c> (seed 004's PipelineController): data loading, then one sub-operation per question
/// and choice (<c>question-q1-boolean-pros</c>, <c>question-q2-categorical-choice1-pros</c>, …). All of them are
/// declared up front with <see cref="JobContext.Step"/> (data loading weight 1, each condensation weight 2), each
/// reports its own progress (a round, then a pause; loading is instant in the simulation), and the library combines them into the job's fraction. Info, warning (low confidence)
/// and error (a rate limit the job recovers from) messages are reported as in the seed. Abort is cancel.
/// </summary>
/// <param name="timeProvider">The clock of the simulated work.</param>
public sealed class ArgumentCondensationJob(TimeProvider timeProvider) : IJob<CondensationInput, CondensationResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "argument_condensation";

    /// <summary>The name of the first sub-operation.</summary>
    public const string DataLoading = "data-loading";

    /// <summary>Lists the sub-operations of a pipeline after data loading, in order.</summary>
    /// <param name="questions">The questions.</param>
    /// <returns>The names.</returns>
    public static IReadOnlyList<string> Operations(IEnumerable<CondensationQuestion> questions) =>
        [.. questions.SelectMany(q => q.Kind == "boolean"
            ? new[] { $"question-{q.Id}-boolean-pros", $"question-{q.Id}-boolean-cons" }
            : Enumerable.Range(1, q.Choices).Select(c => $"question-{q.Id}-categorical-choice{c}-pros"))];

    /// <inheritdoc />
    public async Task<CondensationResult> ExecuteAsync(CondensationInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var names = Operations(input.Questions);
        var loading = context.Step(DataLoading, weight: 1);
        var steps = names.Select(name => context.Step(name, weight: 2)).ToList();
        var done = new List<string>();
        var arguments = 0;

        context.Info($"Loading the answers of {input.Questions.Count} questions.");
        loading.Complete();
        done.Add(DataLoading);
        context.SetPartialResult(new CondensationResult([.. done], arguments));

        foreach (var step in steps)
        {
            context.Info($"Condensing {step.Name}.");
            await RunAsync(step, input, cancellationToken).ConfigureAwait(false);
            if (step.Name.EndsWith("-cons", StringComparison.Ordinal))
            {
                context.Warning($"{step.Name}: low confidence in 1 condensed argument.");
            }

            if (step.Name.EndsWith("-choice2-pros", StringComparison.Ordinal))
            {
                context.Error($"{step.Name}: API rate limit exceeded; the round was retried after a back-off.");
            }

            arguments += 3;
            done.Add(step.Name);
            context.SetPartialResult(new CondensationResult([.. done], arguments));
        }

        context.Info($"Condensed {arguments} arguments in {steps.Count} sub-operations.");
        return new CondensationResult(done, arguments);
    }

    private async Task RunAsync(JobStep step, CondensationInput input, CancellationToken cancellationToken)
    {
        for (var round = 1; round <= input.Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            step.ReportProgress(round, input.Rounds, $"{step.Name}: round {round} of {input.Rounds}");
            await Task.Delay(TimeSpan.FromMilliseconds(input.RoundDelayMs), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
