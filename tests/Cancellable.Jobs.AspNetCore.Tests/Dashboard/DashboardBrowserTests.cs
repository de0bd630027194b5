using System.Net;
using Cancellable.Jobs.AspNetCore.Tests.Http;
using Cancellable.Jobs.AspNetCore.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cancellable.Jobs.AspNetCore.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium against the app on Kestrel at 127.0.0.1.
/// </summary>
public sealed class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string SeedBody = """{"type":"removal_workflow","groupWaId":"120363403645737238@g.us","batchSize":5,"delayMs":10000,"dryRun":true,"inactivityWindowMs":2592000000}""";

    [Fact]
    public async Task Dashboard_StartWatchCancelRetryDelete_ReflectsEachStep()
    {
        await using var app = await KestrelApp.StartAsync();
        var (page, errors) = await OpenAsync(app);
        var id = await StartAsync(app, SeedBody);
        var row = page.Locator($"tr[data-job-id='{id}']");
        var bar = row.Locator("[role=progressbar]");

        await Expect(row.Locator(".badge")).ToHaveTextAsync("running");
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "0");

        app.Gate.Open();
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "25");
        app.Gate.Open();
        await Expect(bar).ToHaveAttributeAsync("aria-valuenow", "50");
        await Expect(row.Locator(".step")).ToHaveTextAsync("batch 3 of 4");

        await row.ClickAsync();
        var detail = page.Locator($".detail[data-job-id='{id}']");
        await Expect(detail.Locator(".messages")).ToContainTextAsync("removed batch 2");

        await row.Locator("[data-action=cancel]").ClickAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("cancelled");
        await Expect(detail.Locator(".partial-result")).ToContainTextAsync("user1@lid");
        await Expect(detail.Locator(".partial-result")).Not.ToContainTextAsync("user2@lid");
        await Expect(page.Locator("[data-testid=card-cancelled] .n")).ToHaveTextAsync("1");

        await row.Locator("[data-action=retry]").ClickAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("running");
        await Expect(row).ToContainTextAsync("#2");
        app.Gate.Open(4);
        await Expect(row.Locator(".badge")).ToHaveTextAsync("completed");
        await Expect(detail.Locator(".result")).ToHaveTextAsync("4");

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await row.Locator("[data-action=delete]").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync($"/admin/jobs/{id}")).StatusCode);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_MessageWithMarkup_RendersAsLiteralText()
    {
        await using var app = await KestrelApp.StartAsync();
        var (page, errors) = await OpenAsync(app);
        var id = await StartAsync(app, """{"type":"wait"}""");
        await Expect(page.Locator($"tr[data-job-id='{id}'] .badge")).ToHaveTextAsync("running");

        await page.Locator($"tr[data-job-id='{id}']").ClickAsync();
        var message = page.Locator(".messages li[data-level=info] .text");

        await Expect(message).ToHaveTextAsync(WaitJob.MarkupMessage);
        await page.Locator(".detail .tabs [data-level=warning]").ClickAsync();
        await Expect(page.Locator(".messages li")).ToHaveCountAsync(1);
        await Expect(page.Locator(".messages li .text")).ToHaveTextAsync("careful");
        Assert.Equal(0, await page.Locator("#injected").CountAsync());
        Assert.Equal(0, await page.Locator(".messages img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.injected === undefined"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_HostileErrorTagsAndPartialResult_RenderAsLiteralText()
    {
        await using var app = await KestrelApp.StartAsync();
        var (page, errors) = await OpenAsync(app);
        var tag = "<b id=\"tagged\">tag</b>";
        var id = await StartAsync(app, $$"""{"type":"hostile","input":{},"tags":[{{System.Text.Json.JsonSerializer.Serialize(tag)}},"a\r\nb"]}""");
        var row = page.Locator($"tr[data-job-id='{id}']");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("failed");

        await row.ClickAsync();
        var detail = page.Locator($".detail[data-job-id='{id}']");

        await Expect(detail.Locator("pre.error")).ToContainTextAsync(HostileJob.Markup);
        await Expect(detail.Locator("pre.error")).ToContainTextAsync("warn: Forged[0] a forged line");
        await Expect(detail).ToContainTextAsync(tag);
        await Expect(detail.Locator(".partial-result")).ToContainTextAsync("<img src=x");
        await Expect(detail.Locator(".messages li .text")).ToContainTextAsync(HostileJob.Markup);
        Assert.Equal(0, await page.Locator("#tagged").CountAsync());
        Assert.Equal(0, await page.Locator("main img, .detail img, table img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.injected === undefined"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_JobWithSteps_ShowsEachSubOperation()
    {
        await using var app = await KestrelApp.StartAsync();
        var (page, errors) = await OpenAsync(app);
        var id = await StartAsync(app, """{"type":"pipeline"}""");
        await Expect(page.Locator($"tr[data-job-id='{id}'] .badge")).ToHaveTextAsync("running");

        await page.Locator($"tr[data-job-id='{id}']").ClickAsync();
        var steps = page.Locator(".detail .steps > li");

        await Expect(steps).ToHaveCountAsync(2);
        await Expect(steps.Nth(0).Locator(".name")).ToContainTextAsync("sync");
        await Expect(steps.Nth(0).Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Expect(steps.Nth(1).Locator(".name")).ToContainTextAsync("remove");
        await Expect(steps.Nth(1).Locator(".name")).ToContainTextAsync("1/2");
        await Expect(steps.Nth(1).Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "50");
        app.Gate.Open();
        await Expect(steps.Nth(1).Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "100");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_CancelAll_CancelsEveryActiveJob()
    {
        await using var app = await KestrelApp.StartAsync();
        var (page, errors) = await OpenAsync(app);
        var first = await StartAsync(app, """{"type":"wait"}""");
        var second = await StartAsync(app, """{"type":"wait"}""");
        await Expect(page.Locator($"tr[data-job-id='{second}'] .badge")).ToHaveTextAsync("running");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await page.Locator("#cancel-all").ClickAsync();

        await Expect(page.Locator($"tr[data-job-id='{first}'] .badge")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator($"tr[data-job-id='{second}'] .badge")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#toast")).ToContainTextAsync("2 job(s) cancelled");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_Screenshots_SavedForTheReadme()
    {
        await using var app = await KestrelApp.StartAsync();
        var done = await StartAsync(app, """{"type":"count","input":{"count":7},"tags":["project:1"]}""");
        var failed = await StartAsync(app, """{"type":"fail"}""");
        var cancelled = await StartAsync(app, """{"type":"wait"}""");
        var running = await StartAsync(app, SeedBody);
        await app.Manager.WaitForCompletionAsync(done);
        await app.Manager.WaitForCompletionAsync(failed);
        var (page, errors) = await OpenAsync(app);
        await Expect(page.Locator($"tr[data-job-id='{cancelled}'] .badge")).ToHaveTextAsync("running");
        await app.Client.PostAsync($"/admin/jobs/{cancelled}/cancel", content: null);
        app.Gate.Open(2);
        await Expect(page.Locator($"tr[data-job-id='{running}'] [role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", "50");
        await page.Locator($"tr[data-job-id='{running}']").ClickAsync();
        await Expect(page.Locator(".detail .messages")).ToContainTextAsync("removed batch 2");

        // Beside the open detail on a laptop screen, every row still shows its actions.
        await Expect(page.Locator($"tr[data-job-id='{running}'] [data-action=delete]")).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(page.Locator($"tr[data-job-id='{failed}'] [data-action=retry]")).ToBeInViewportAsync(new() { Ratio = 1 });

        // The README's images are refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
        var docs = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot(), "docs")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(docs);
        var desktop = Path.Combine(docs, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = desktop, FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        var phone = Path.Combine(docs, "dashboard-phone.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = phone, FullPage = true });

        Assert.True(new FileInfo(desktop).Length > 10_000);
        Assert.True(new FileInfo(phone).Length > 10_000);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The page scrolls sideways on a phone.");
        Assert.Empty(errors);
        app.Gate.Open(4);
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(KestrelApp app)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync($"{app.BaseUrl}/admin/jobs/ui");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        return (page, errors);
    }

    private static async Task<string> StartAsync(KestrelApp app, string body)
    {
        var response = await app.Client.PostJsonAsync("/admin/jobs/start", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("jobId").GetString()!;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cancellable.Jobs.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cancellable.Jobs.sln not found above the test output.");
    }
}
