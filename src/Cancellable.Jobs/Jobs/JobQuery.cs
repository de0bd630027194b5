namespace Cancellable.Jobs;

/// <summary>
/// One page of a listing of jobs, newest first.
/// </summary>
public sealed record JobQuery : JobFilter
{
    /// <summary>The largest page size a query may ask for.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Gets the number of jobs per page. The default value is 50.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>
    /// Gets the token from <see cref="JobPage.ContinuationToken"/> of the previous page, or <see langword="null"/> for the
    /// first page.
    /// </summary>
    public string? ContinuationToken { get; init; }
}
