using Microsoft.AspNetCore.Http;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>
/// Answers the requests under the prefix that no endpoint takes, so that every answer of the API is a problem: 405 with
/// <c>Allow</c> for a path of the API asked with another method, 404 for any other path.
/// </summary>
internal static class JobRouteFallback
{
    public static Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.RouteValues["path"] as string ?? string.Empty;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var allowed = segments switch
        {
            [] or ["stats" or "events" or "ui"] => "GET",
            ["start" or "cancel-all"] => "POST",
            [_] => "GET, DELETE",
            [_, "status" or "events"] => "GET",
            [_, "cancel" or "retry"] => "POST",
            _ => null,
        };

        if (allowed is null)
        {
            return JobProblems.WriteAsync(context, StatusCodes.Status404NotFound, "No endpoint of the jobs API has this path.");
        }

        context.Response.Headers.Allow = allowed;
        return JobProblems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, $"This path of the jobs API answers {allowed}.");
    }
}
