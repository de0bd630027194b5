using Microsoft.Extensions.Options;

namespace Cancellable.Jobs;

/// <summary>
/// Validates <see cref="CancellableJobsOptions"/> when the host starts.
/// </summary>
/// <remarks>
/// One hand-written validator rather than DataAnnotations: TimeSpan ranges cannot be expressed by attributes in a
/// trimmed app, and each message names the option and the value it got.
/// </remarks>
internal sealed class CancellableJobsOptionsValidator : IValidateOptions<CancellableJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, CancellableJobsOptions options)
    {
        var failures = new List<string>();
        Range(nameof(options.MaxConcurrentJobs), options.MaxConcurrentJobs, 1, 10_000);
        Range(nameof(options.MaxPendingJobs), options.MaxPendingJobs, 1, int.MaxValue);
        Range(nameof(options.MaxRetainedJobs), options.MaxRetainedJobs, 0, int.MaxValue);
        Range(nameof(options.MaxMessagesPerLevel), options.MaxMessagesPerLevel, 1, 1_000_000);
        Range(nameof(options.MaxMessageLength), options.MaxMessageLength, 16, 1_048_576);
        Range(nameof(options.MaxStepsPerJob), options.MaxStepsPerJob, 1, 100_000);
        Range(nameof(options.MaxInputSize), options.MaxInputSize, 1_024, int.MaxValue);
        Range(nameof(options.MaxResultSize), options.MaxResultSize, 1_024, int.MaxValue);
        Range(nameof(options.WatcherBufferSize), options.WatcherBufferSize, 1, 1_000_000);
        NotNegative(nameof(options.CompletedRetention), options.CompletedRetention);
        NotNegative(nameof(options.FailedRetention), options.FailedRetention);
        NotNegative(nameof(options.CancelledRetention), options.CancelledRetention);
        Positive(nameof(options.ProgressFlushInterval), options.ProgressFlushInterval);
        Positive(nameof(options.CancellationGracePeriod), options.CancellationGracePeriod);
        Positive(nameof(options.RunnerPollInterval), options.RunnerPollInterval);
        if (options.DefaultTimeout is { } timeout)
        {
            Positive(nameof(options.DefaultTimeout), timeout);
        }

        if (options.SerializerOptions is null)
        {
            failures.Add("CancellableJobsOptions.SerializerOptions must not be null.");
        }
        else if (options.SerializerOptions.TypeInfoResolver is null)
        {
            failures.Add("CancellableJobsOptions.SerializerOptions.TypeInfoResolver must be set (a source-generated JsonSerializerContext in trimmed apps).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Range(string option, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"CancellableJobsOptions.{option} must be between {min} and {max}; it was {value}.");
            }
        }

        void NotNegative(string option, TimeSpan value)
        {
            if (value < TimeSpan.Zero)
            {
                failures.Add($"CancellableJobsOptions.{option} must not be negative; it was {value}.");
            }
        }

        void Positive(string option, TimeSpan value)
        {
            if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
            {
                failures.Add($"CancellableJobsOptions.{option} must be positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)}; it was {value}.");
            }
        }
    }
}
