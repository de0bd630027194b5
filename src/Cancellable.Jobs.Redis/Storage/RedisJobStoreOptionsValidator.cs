using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// Validates <see cref="RedisJobStoreOptions"/> when the host starts.
/// </summary>
internal sealed class RedisJobStoreOptionsValidator : IValidateOptions<RedisJobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisJobStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Length > 200)
        {
            failures.Add($"RedisJobStoreOptions.KeyPrefix must have 1 to 200 characters; it was '{options.KeyPrefix}'.");
        }

        if (options.ExpiredRecordGrace < TimeSpan.Zero || options.ExpiredRecordGrace > TimeSpan.FromDays(3650))
        {
            failures.Add($"RedisJobStoreOptions.ExpiredRecordGrace must be between 0 and 3650 days; it was {options.ExpiredRecordGrace}.");
        }

        if (options.ClaimTimeout < TimeSpan.FromSeconds(1) || options.ClaimTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisJobStoreOptions.ClaimTimeout must be between 1 second and 1 day; it was {options.ClaimTimeout}.");
        }

        if (options.LeaseTime < TimeSpan.FromMilliseconds(100) || options.LeaseTime > TimeSpan.FromDays(1))
        {
            failures.Add($"RedisJobStoreOptions.LeaseTime must be between 100 ms and 1 day; it was {options.LeaseTime}.");
        }

        if (options.LeaseCheckInterval <= TimeSpan.Zero || options.LeaseCheckInterval > options.LeaseTime / 2)
        {
            failures.Add($"RedisJobStoreOptions.LeaseCheckInterval must be positive and at most half of LeaseTime ({options.LeaseTime / 2}); it was {options.LeaseCheckInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
