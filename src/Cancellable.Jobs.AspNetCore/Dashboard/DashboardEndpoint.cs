using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Cancellable.Jobs.AspNetCore.Dashboard;

/// <summary>
/// Serves the dashboard: one self-contained page embedded in this assembly, with a strict content security policy whose
/// nonce changes on every request.
/// </summary>
internal static class DashboardEndpoint
{
    private const string NoncePlaceholder = "{{nonce}}";
    private static readonly Lazy<string> Page = new(Load);

    public static Task ServeAsync(HttpContext context)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(Page.Value.Replace(NoncePlaceholder, nonce, StringComparison.Ordinal), context.RequestAborted);
    }

    private static string Load()
    {
        using var stream = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream("Cancellable.Jobs.AspNetCore.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
