using Microsoft.Extensions.Options;

namespace Cancellable.Jobs;

/// <summary>
/// Validates the <see cref="JobTypeOptions"/> of each registered job type when the host starts; the options' name is the
/// job type's name, and each message names the option, the job type and the value it got.
/// </summary>
internal sealed class JobTypeOptionsValidator : IValidateOptions<JobTypeOptions>
{
    public ValidateOptionsResult Validate(string? name, JobTypeOptions options)
    {
        if (options.MaxStaleRequeues < 0)
        {
            return ValidateOptionsResult.Fail(
                $"JobTypeOptions.MaxStaleRequeues of job type '{name}' must be between 0 and {int.MaxValue}; it was {options.MaxStaleRequeues}.");
        }

        return ValidateOptionsResult.Success;
    }
}
