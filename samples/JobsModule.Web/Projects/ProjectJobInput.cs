using System.ComponentModel.DataAnnotations;

namespace JobsModule.Web.Projects;

/// <summary>
/// The input of the project jobs of seed 002 (<c>import</c>, <c>export</c>, <c>validation</c>, <c>test_run</c>). The
/// job belongs to its project through the tag <c>project:{projectId}</c> given when it is started.
/// </summary>
public sealed record ProjectJobInput
{
    /// <summary>Gets the project's id.</summary>
    [Required(ErrorMessage = "The project id is required.")]
    [RegularExpression("^[a-z0-9-]{1,40}$", ErrorMessage = "The project id must be 1 to 40 lowercase letters, digits or dashes.")]
    public string ProjectId { get; init; } = string.Empty;

    /// <summary>Gets how many records (or tests) the job works through. The default value is 20.</summary>
    [Range(1, 10_000, ErrorMessage = "The record count must be between 1 and 10000.")]
    public int Records { get; init; } = 20;

    /// <summary>Gets the simulated pause after each record, in milliseconds. The default value is 500.</summary>
    [Range(0, 60_000, ErrorMessage = "The delay must be between 0 and 60000 ms.")]
    public int DelayMs { get; init; } = 500;

    /// <summary>
    /// Gets the number (from 1) of a record that is broken: <c>import</c> and <c>validation</c> fail on it,
    /// <c>test_run</c> reports that test as failed. The default value is none.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "The bad record must be between 1 and 10000.")]
    public int? BadRecord { get; init; }
}
