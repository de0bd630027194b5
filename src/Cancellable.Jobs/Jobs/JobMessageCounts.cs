namespace Cancellable.Jobs;

/// <summary>
/// A count per <see cref="JobMessageLevel"/>.
/// </summary>
/// <param name="Info">The count of information messages.</param>
/// <param name="Warning">The count of warnings.</param>
/// <param name="Error">The count of errors.</param>
public sealed record JobMessageCounts(int Info, int Warning, int Error)
{
    /// <summary>Gets an instance with every count zero.</summary>
    public static JobMessageCounts None { get; } = new(0, 0, 0);
}
