namespace JobsModule.Web.Condensation;

/// <summary>What <c>argument_condensation</c> did: its result, or its partial result after each sub-operation.</summary>
/// <param name="CompletedOperations">The sub-operations that finished, in order.</param>
/// <param name="ArgumentsCondensed">How many condensed arguments they produced.</param>
public sealed record CondensationResult(IReadOnlyList<string> CompletedOperations, int ArgumentsCondensed);
