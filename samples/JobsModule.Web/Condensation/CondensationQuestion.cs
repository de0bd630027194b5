namespace JobsModule.Web.Condensation;

/// <summary>One question whose arguments are condensed (seed 004).</summary>
/// <param name="Id">The question's id, such as <c>q1</c>.</param>
/// <param name="Kind"><c>boolean</c> (pros and cons) or <c>categorical</c> (pros per choice).</param>
/// <param name="Choices">For a categorical question, how many choices it has (2 to 10).</param>
public sealed record CondensationQuestion(string Id, string Kind, int Choices = 0);
