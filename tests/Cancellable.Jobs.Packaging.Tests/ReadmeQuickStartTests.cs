using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cancellable.Jobs.Packaging.Tests.Support;
using Cancellable.Jobs.Redis.Tests;

namespace Cancellable.Jobs.Packaging.Tests;

/// <summary>
/// The README's quick starts, pasted into fresh apps that get the packages the way a newcomer does
/// (<c>dotnet new</c>, <c>dotnet add package</c>), built and run: the README's code cannot drift from the API.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class ReadmeQuickStartTests(LocalPackageFeed feed, RedisServerFixture redis)
{
    // Hang guards only: each run ends on its own within seconds.
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private static readonly string[] Statuses = ["Pending", "Running", "Cancelling", "Cancelled", "Completed", "Failed"];

    // A bare `dotnet add package Microsoft.Extensions.Hosting` takes whatever release is newest today (11.0.0 worked on
    // 2026-11-22); the apps take the version the repository's own tests run on, so the run does not depend on that.
    private static string HostingVersion => CentralPackageVersions.Of("Microsoft.Extensions.Hosting");

    [Fact]
    public async Task ConsoleQuickStart_PastedIntoNewConsoleApp_PrintsTheJobGoingFromPendingToCancelled()
    {
        var app = await ScratchApp.CreateAsync(feed, "console");
        await app.AddPackageAsync(feed, "Cancellable.Jobs");
        await app.AddPackageAsync("Microsoft.Extensions.Hosting", HostingVersion);
        app.WriteProgram(ReadmeQuickStart.Read("console"));
        await app.BuildAsync();

        using var run = app.Start();
        Assert.Equal(0, await run.WaitForExitAsync(RunTimeout));

        var lines = run.Output.Split('\n').Where(l => Statuses.Contains(l.Split(' ')[0])).ToList();
        var statuses = lines.Select(l => l.Split(' ')[0]).Where((s, i) => i == 0 || s != lines[i - 1].Split(' ')[0]);
        Assert.Equal(["Pending", "Running", "Cancelling", "Cancelled"], statuses);
        // It was cancelled half-way: the last line keeps the progress its code had reached, short of the end.
        var reached = int.Parse(Percent().Match(lines[^1]).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(reached, 50, 99);
    }

    [Fact]
    public async Task WebQuickStart_PastedIntoNewWebApp_StartsAJobOverHttp()
    {
        var app = await ScratchApp.CreateAsync(feed, "web");
        await app.AddPackageAsync(feed, "Cancellable.Jobs.AspNetCore");
        app.WriteProgram(ReadmeQuickStart.Read("web"));
        await app.BuildAsync();

        var address = $"http://127.0.0.1:{FreePort()}";
        using var run = app.Start(environment: new Dictionary<string, string> { ["ASPNETCORE_URLS"] = address });
        await run.WaitForLineAsync(l => l.Contains($"Now listening on: {address}", StringComparison.Ordinal), RunTimeout);

        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = RunTimeout };
        using var response = await client.PostAsJsonAsync("/admin/jobs/start", new { type = "count", input = new { to = 50 } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}\n{run.Output}");
        using var started = JsonDocument.Parse(body);
        var id = started.RootElement.GetProperty("jobId").GetString()!;
        Assert.Equal("count", started.RootElement.GetProperty("job").GetProperty("type").GetString());
        Assert.EndsWith($"/admin/jobs/{id}", response.Headers.Location?.ToString(), StringComparison.Ordinal);

        using var listed = JsonDocument.Parse(await client.GetStringAsync("/admin/jobs"));
        Assert.Contains(id, listed.RootElement.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task RedisQuickStart_PastedIntoNewConsoleApp_RunsTheJobThroughRedis()
    {
        var app = await ScratchApp.CreateAsync(feed, "console");
        await app.AddPackageAsync(feed, "Cancellable.Jobs.Redis");
        await app.AddPackageAsync("Microsoft.Extensions.Hosting", HostingVersion);
        app.WriteProgram(ReadmeQuickStart.Read("redis"));
        await app.BuildAsync();

        using var run = app.Start(["--Redis", redis.ConnectionString]);
        Assert.Equal(0, await run.WaitForExitAsync(RunTimeout));

        var done = CompletedLine().Match(run.Output);
        Assert.True(done.Success, $"No line says the job completed:\n{run.Output}");
        // The job's record is in Redis under the README's key prefix (it is kept for the retention time).
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync($"{{orders-jobs}}:job:{done.Groups["id"].Value}"), run.Output);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"(\d+)\s?%")]
    private static partial Regex Percent();

    [GeneratedRegex(@"^(?<id>\S+) Completed item 20 of 20$", RegexOptions.Multiline)]
    private static partial Regex CompletedLine();
}
