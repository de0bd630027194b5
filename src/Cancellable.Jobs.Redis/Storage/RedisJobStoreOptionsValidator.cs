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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
