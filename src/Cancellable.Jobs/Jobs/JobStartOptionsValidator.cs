namespace Cancellable.Jobs;

/// <summary>
/// Checks the owner, tags and timeout of a start, so that a bad value creates no job.
/// </summary>
internal static class JobStartOptionsValidator
{
    public const int MaxOwnerLength = 256;
    public const int MaxTagLength = 256;
    public const int MaxTags = 32;

    /// <summary>The longest timeout: the system's timers take due times of at most this many milliseconds.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    public static Dictionary<string, string[]>? Validate(JobStartOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (options.Owner is { } owner && (owner.Length == 0 || owner.Length > MaxOwnerLength))
        {
            errors["owner"] = [$"The owner must be 1 to {MaxOwnerLength} characters long."];
        }

        if (options.Tags is { } tags)
        {
            if (tags.Count > MaxTags)
            {
                errors["tags"] = [$"A job has at most {MaxTags} tags."];
            }
            else if (tags.Any(t => string.IsNullOrEmpty(t) || t.Length > MaxTagLength))
            {
                errors["tags"] = [$"Each tag must be 1 to {MaxTagLength} characters long."];
            }
        }

        if (options.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxTimeout))
        {
            errors["timeout"] = [$"The timeout must be positive and at most {MaxTimeout}."];
        }

        return errors.Count == 0 ? null : errors;
    }
}
