using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>
/// The request handlers of the HTTP API: each reads its request, asks <see cref="IJobManager"/> and maps the answer to
/// a status code and a body.
/// </summary>
internal sealed class JobEndpoints(CancellableJobsEndpointOptions options)
{
    public async Task StartAsync(HttpContext context)
    {
        var (ok, body) = await JobRequestReader.ReadJsonAsync(context, options.MaxRequestBodySize).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var request = JobRequestReader.ParseStart(body, errors);
        if (request is null)
        {
            await JobProblems.WriteValidationAsync(context, errors, "The job was not started.").ConfigureAwait(false);
            return;
        }

        var manager = Manager(context);
        JobSnapshot job;
        try
        {
            var startOptions = new JobStartOptions { Owner = UserName(context), Tags = request.Tags, Timeout = request.Timeout };
            job = await manager.StartAsync(request.Type, request.Input, startOptions, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JobValidationException exception)
        {
            await JobProblems.WriteValidationAsync(context, exception.Errors, exception.Message).ConfigureAwait(false);
            return;
        }
        catch (JobQueueFullException exception)
        {
            await JobProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, exception.Message).ConfigureAwait(false);
            return;
        }

        var path = (context.Request.PathBase + context.Request.Path).Value!.TrimEnd('/');
        context.Response.Headers.Location = string.Concat(path.AsSpan(0, path.Length - "/start".Length), "/", Uri.EscapeDataString(job.Id));
        await WriteAsync(context, StatusCodes.Status202Accepted, new JobStartedResponse(job.Id, job.Status, "Job started.", Sanitize(job)), JobsJsonContext.Default.JobStartedResponse).ConfigureAwait(false);
    }

    public async Task ListAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var filter = ReadFilter(context.Request.Query, errors);
        var pageSize = 50;
        if (context.Request.Query.TryGetValue("pageSize", out var size) && (!int.TryParse(size, out pageSize) || pageSize < 1 || pageSize > JobQuery.MaxPageSize))
        {
            errors["pageSize"] = [$"The page size must be a whole number from 1 to {JobQuery.MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            await JobProblems.WriteValidationAsync(context, errors, "The query is invalid.").ConfigureAwait(false);
            return;
        }

        var query = new JobQuery
        {
            Status = filter.Status,
            Type = filter.Type,
            Owner = filter.Owner,
            Tag = filter.Tag,
            PageSize = pageSize,
            ContinuationToken = NullIfEmpty(context.Request.Query["continuationToken"]),
        };

        JobPage page;
        try
        {
            page = await Manager(context).ListAsync(query, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException) when (query.ContinuationToken is not null)
        {
            await JobProblems.WriteValidationAsync(context, "continuationToken", "The continuation token is not one this API issued, or it expired.").ConfigureAwait(false);
            return;
        }

        var sanitized = new JobPage([.. page.Items.Select(Sanitize)], page.ContinuationToken);
        await WriteAsync(context, StatusCodes.Status200OK, sanitized, JobsJsonContext.Default.JobPage).ConfigureAwait(false);
    }

    public async Task GetAsync(HttpContext context)
    {
        if (!TryGetJobId(context, out var id))
        {
            await NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        var job = await Manager(context).GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (job is null)
        {
            await NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, Sanitize(job), JobsJsonContext.Default.JobSnapshot).ConfigureAwait(false);
    }

    public async Task StatisticsAsync(HttpContext context)
    {
        var groupBy = JobGrouping.None;
        var by = context.Request.Query["groupBy"].ToString();
        if (by.Length > 0 && (!Enum.TryParse(by, ignoreCase: true, out groupBy) || !Enum.IsDefined(groupBy) || char.IsAsciiDigit(by[0])))
        {
            await JobProblems.WriteValidationAsync(context, "groupBy", "groupBy must be one of none, type, owner, tag.").ConfigureAwait(false);
            return;
        }

        var statistics = await Manager(context).GetStatisticsAsync(groupBy, NullIfEmpty(context.Request.Query["keyPrefix"]), context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status200OK, statistics, JobsJsonContext.Default.JobStatistics).ConfigureAwait(false);
    }

    public async Task CancelAsync(HttpContext context)
    {
        if (!TryGetJobId(context, out var id))
        {
            await NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        var result = await Manager(context).CancelAsync(id, UserName(context), context.RequestAborted).ConfigureAwait(false);
        var message = result.Outcome == JobCommandOutcome.Applied
            ? "Job cancelled."
            : "Cancellation requested: the job is cancelled once its code stops.";
        await WriteCommandAsync(context, id, result, message, "cancelled").ConfigureAwait(false);
    }

    public async Task CancelAllAsync(HttpContext context)
    {
        var (ok, body) = await JobRequestReader.ReadJsonAsync(context, options.MaxRequestBodySize).ConfigureAwait(false);
        if (!ok)
        {
            return;
        }

        JobFilter? filter = null;
        if (body is { ValueKind: not JsonValueKind.Null } json)
        {
            try
            {
                var request = json.Deserialize(JobsJsonContext.Default.JobCancelAllRequest);
                filter = request is null ? null : new JobFilter { Status = request.Status, Type = request.Type, Owner = request.Owner, Tag = request.Tag };
            }
            catch (JsonException exception)
            {
                var member = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "body" : exception.Path.TrimStart('$', '.');
                await JobProblems.WriteValidationAsync(context, member, "The filter must be an object with only status, type, owner and tag, each optional.").ConfigureAwait(false);
                return;
            }
        }

        var count = await Manager(context).CancelAllAsync(filter, UserName(context), context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status200OK, new JobCancelAllResponse(count), JobsJsonContext.Default.JobCancelAllResponse).ConfigureAwait(false);
    }

    public async Task RetryAsync(HttpContext context)
    {
        if (!TryGetJobId(context, out var id))
        {
            await NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        JobCommandResult result;
        try
        {
            result = await Manager(context).RetryAsync(id, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JobQueueFullException exception)
        {
            await JobProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests, exception.Message).ConfigureAwait(false);
            return;
        }

        await WriteCommandAsync(context, id, result, $"Job retried as attempt {result.Job?.Attempt}.", "retried").ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (!TryGetJobId(context, out var id))
        {
            await NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        var result = await Manager(context).DeleteAsync(id, UserName(context), context.RequestAborted).ConfigureAwait(false);
        var message = result.Outcome == JobCommandOutcome.Applied
            ? "Job deleted."
            : "The job is cancelling and is deleted once its code stops.";
        await WriteCommandAsync(context, id, result, message, "deleted").ConfigureAwait(false);
    }

    /// <summary>Reads the status, type, owner and tag query parameters shared by the list and the event stream.</summary>
    internal static JobFilter ReadFilter(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        JobStatus? status = null;
        var text = query["status"].ToString();
        if (text.Length > 0)
        {
            if (Enum.TryParse<JobStatus>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(text[0]))
            {
                status = parsed;
            }
            else
            {
                errors["status"] = [$"Unknown status '{text}'. Use one of: {string.Join(", ", Enum.GetNames<JobStatus>().Select(n => n.ToLowerInvariant()))}."];
            }
        }

        return new JobFilter
        {
            Status = status,
            Type = NullIfEmpty(query["type"]),
            Owner = NullIfEmpty(query["owner"]),
            Tag = NullIfEmpty(query["tag"]),
        };
    }

    /// <summary>Removes what clients may not see: the run's fencing token, and stack traces unless the host opted in.</summary>
    internal JobSnapshot Sanitize(JobSnapshot job)
    {
        if (job.RunId is null && (options.IncludeStackTraces || (job.Error?.StackTrace is null && job.PreviousAttempts.All(a => a.Error?.StackTrace is null))))
        {
            return job;
        }

        return options.IncludeStackTraces
            ? job with { RunId = null }
            : job with
            {
                RunId = null,
                Error = job.Error is null ? null : job.Error with { StackTrace = null },
                PreviousAttempts = [.. job.PreviousAttempts.Select(a => a.Error is null ? a : a with { Error = a.Error with { StackTrace = null } })],
            };
    }

    internal static IJobManager Manager(HttpContext context) => context.RequestServices.GetRequiredService<IJobManager>();

    /// <summary>
    /// Reads the id in the route; false when it is not one the library issues (32 lowercase hexadecimal digits), so
    /// such an id never reaches the store.
    /// </summary>
    internal static bool TryGetJobId(HttpContext context, out string id)
    {
        id = context.Request.RouteValues["id"] as string ?? string.Empty;
        return id.Length == 32 && !id.AsSpan().ContainsAnyExcept("0123456789abcdef");
    }

    internal static Task NotFoundAsync(HttpContext context, string id) =>
        JobProblems.WriteAsync(context, StatusCodes.Status404NotFound, $"No job has the id '{(id.Length <= 64 ? id : string.Concat(id.AsSpan(0, 64), "…"))}'.");

    private static string? UserName(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];

    private static Task WriteAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(value, typeInfo, contentType: null, context.RequestAborted);
    }

    private Task WriteCommandAsync(HttpContext context, string id, JobCommandResult result, string message, string verb)
    {
        switch (result.Outcome)
        {
            case JobCommandOutcome.NotFound:
                return NotFoundAsync(context, id);
            case JobCommandOutcome.Conflict:
                var status = result.Job?.Status;
                return JobProblems.WriteAsync(
                    context,
                    StatusCodes.Status409Conflict,
                    $"The job is {status?.ToString().ToLowerInvariant() ?? "in a state that"} and cannot be {verb}.",
                    status is null ? null : new Dictionary<string, string> { ["jobStatus"] = status.Value.ToString().ToLowerInvariant() });
            default:
                var job = result.Job is null ? null : Sanitize(result.Job);
                var code = result.Outcome == JobCommandOutcome.Applied ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
                return WriteAsync(context, code, new JobCommandResponse(id, result.Outcome, job?.Status, message, job), JobsJsonContext.Default.JobCommandResponse);
        }
    }
}
