using System.Net;
using System.Text.RegularExpressions;
using Cancellable.Jobs.AspNetCore.Tests.Support;

namespace Cancellable.Jobs.AspNetCore.Tests.Dashboard;

public sealed partial class DashboardEndpointTests
{
    [Fact]
    public async Task Ui_ReturnsPageWithPerRequestNonceContentSecurityPolicy()
    {
        await using var app = await TestApp.StartAsync();

        var first = await app.Client.GetAsync("/admin/jobs/ui");
        var second = await app.Client.GetAsync("/admin/jobs/ui");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/html", first.Content.Headers.ContentType!.MediaType);
        var csp = first.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = NonceRegex().Match(csp).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        var html = await first.Content.ReadAsStringAsync();
        Assert.Contains($"<script nonce=\"{nonce}\">", html, StringComparison.Ordinal);
        Assert.Contains($"<style nonce=\"{nonce}\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{nonce}}", html, StringComparison.Ordinal);
        Assert.NotEqual(nonce, NonceRegex().Match(second.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value);
        Assert.Equal("nosniff", first.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Ui_LoadsNothingFromOutside()
    {
        await using var app = await TestApp.StartAsync();

        var html = await app.Client.GetStringAsync("/admin/jobs/ui");

        Assert.DoesNotMatch(ExternalReferenceRegex(), html);
    }

    [Fact]
    public async Task Ui_NeverWritesMarkupFromData()
    {
        await using var app = await TestApp.StartAsync();

        var html = await app.Client.GetStringAsync("/admin/jobs/ui");

        foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
        {
            Assert.DoesNotContain(sink, html, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NonceRegex();

    [GeneratedRegex("""(src|href|url)\s*[=(]\s*["']?\s*(https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReferenceRegex();
}
