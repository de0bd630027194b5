using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>
/// Writes RFC 9457 problem details with the library's own serializer, so errors look the same in every host.
/// </summary>
internal static class JobProblems
{
    private const string ContentType = "application/problem+json";

    public static Task WriteAsync(HttpContext context, int status, string detail, IReadOnlyDictionary<string, string>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = TitleOf(status),
            Type = TypeOf(status),
            Detail = detail,
            Instance = context.Request.PathBase + context.Request.Path,
        };
        AddExtensions(context, problem, extensions);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(problem, JobsJsonContext.Default.ProblemDetails, ContentType, context.RequestAborted);
    }

    public static Task WriteValidationAsync(HttpContext context, IReadOnlyDictionary<string, string[]> errors, string detail)
    {
        var problem = new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
            Type = TypeOf(StatusCodes.Status400BadRequest),
            Detail = detail,
            Instance = context.Request.PathBase + context.Request.Path,
        };
        AddExtensions(context, problem, extensions: null);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(problem, JobsJsonContext.Default.HttpValidationProblemDetails, ContentType, context.RequestAborted);
    }

    public static Task WriteValidationAsync(HttpContext context, string member, string message) =>
        WriteValidationAsync(context, new Dictionary<string, string[]>(StringComparer.Ordinal) { [member] = [message] }, message);

    private static void AddExtensions(HttpContext context, ProblemDetails problem, IReadOnlyDictionary<string, string>? extensions)
    {
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }
    }

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not Found",
        StatusCodes.Status405MethodNotAllowed => "Method Not Allowed",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "Payload Too Large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported Media Type",
        StatusCodes.Status429TooManyRequests => "Too Many Requests",
        _ => "An error occurred while processing your request.",
    };

    private static string TypeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        StatusCodes.Status403Forbidden => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        StatusCodes.Status404NotFound => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        StatusCodes.Status405MethodNotAllowed => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        StatusCodes.Status409Conflict => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status415UnsupportedMediaType => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };
}
