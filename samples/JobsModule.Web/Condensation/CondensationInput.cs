using System.ComponentModel.DataAnnotations;

namespace JobsModule.Web.Condensation;

/// <summary>The input of <c>argument_condensation</c> (seed 004).</summary>
public sealed record CondensationInput : IValidatableObject
{
    /// <summary>Gets the questions. The default value is seed 004's example: q1 boolean, q2 categorical with 3 choices.</summary>
    [Required]
    [MinLength(1, ErrorMessage = "At least one question is required.")]
    [MaxLength(50, ErrorMessage = "At most 50 questions.")]
    public IReadOnlyList<CondensationQuestion> Questions { get; init; } =
        [new("q1", "boolean"), new("q2", "categorical", 3)];

    /// <summary>Gets how many rounds each condensation sub-operation takes. The default value is 5.</summary>
    [Range(1, 1_000, ErrorMessage = "The rounds must be between 1 and 1000.")]
    public int Rounds { get; init; } = 5;

    /// <summary>Gets the simulated pause after each round of a condensation, in milliseconds. The default value is 500.</summary>
    [Range(0, 60_000, ErrorMessage = "The delay must be between 0 and 60000 ms.")]
    public int RoundDelayMs { get; init; } = 500;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var question in Questions)
        {
            if (question is null || string.IsNullOrWhiteSpace(question.Id))
            {
                yield return new ValidationResult("Every question needs an id.", [nameof(Questions)]);
            }
            else if (question.Kind is not ("boolean" or "categorical"))
            {
                yield return new ValidationResult($"Question {question.Id}: the kind must be boolean or categorical.", [nameof(Questions)]);
            }
            else if (question.Kind == "categorical" && question.Choices is < 2 or > 10)
            {
                yield return new ValidationResult($"Question {question.Id}: a categorical question has 2 to 10 choices.", [nameof(Questions)]);
            }
        }
    }
}
