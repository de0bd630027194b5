using System.ComponentModel.DataAnnotations;

namespace Cancellable.Jobs;

/// <summary>
/// Validates the input of a job type before a job is created, beside DataAnnotations and
/// <see cref="IValidatableObject"/>.
/// </summary>
/// <typeparam name="TInput">The job type's input type.</typeparam>
/// <remarks>
/// Register implementations in dependency injection; every registered validator for the input type runs, in a scope
/// of its own, on each start. A start with any failure creates no job and throws <see cref="JobValidationException"/>.
/// </remarks>
public interface IJobInputValidator<in TInput>
{
    /// <summary>
    /// Validates <paramref name="input"/>.
    /// </summary>
    /// <param name="input">The input to validate.</param>
    /// <returns>The failures, naming the members they concern; empty when the input is valid.</returns>
    IEnumerable<ValidationResult> Validate(TInput input);
}
