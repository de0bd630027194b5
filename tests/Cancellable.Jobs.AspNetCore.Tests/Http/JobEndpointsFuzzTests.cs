using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cancellable.Jobs.AspNetCore.Tests.Support;
using Cancellable.Jobs.Storage;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.AspNetCore.Tests.Http;

/// <summary>
/// Property tests that throw generated requests at every endpoint: ids with slashes, dots, percent-escapes, unicode and
/// huge lengths; JSON bodies malformed, deeply nested, of the wrong types or huge; repeated and invalid query values; odd
/// headers. No answer is a 5xx, every 4xx is a problem (application/problem+json with its status), and the store never
/// hears of an id the library would not have issued.
/// </summary>
public sealed class JobEndpointsFuzzTests
{
    private const int Runs = 500;

    public sealed record FuzzRequest(string Method, string Path, string Query, string? Body, string? ContentType, (string Name, string Value)[] Headers)
    {
        public override string ToString() =>
            $"{Method} {Shorten(Path)}{Shorten(Query)} [{ContentType}] body={Shorten(Body ?? "<none>")} headers={string.Join(", ", Headers.Select(h => $"{h.Name}: {Shorten(h.Value)}"))}";

        private static string Shorten(string text) => text.Length <= 120 ? text : $"{text[..120]}…({text.Length} chars)";
    }

    private static readonly string[] Methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"];

    private static readonly string[] OddIds =
    [
        "", ".", "..", "a/b", "..%2F..%2Fetc%2Fpasswd", "%2F", "%2e%2e", "%01%7F", "%0D%0Ainfo:%20forged", "%FF%FE", "%", "%zz",
        "ü", "💥", "%E2%80%AE", "e\u0301", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0", "0123456789ABCDEF0123456789ABCDEF", "<script>alert(1)</script>", "null",
        "start", "stats", "ui", "events", "cancel-all", "%20", "+", "a;b=c", "a?b", "a#b",
    ];

    private static readonly string[] Suffixes = ["", "/status", "/events", "/cancel", "/retry", "/", "/unknown", "/cancel/extra"];

    private static readonly string[] StaticPaths = ["", "/", "/stats", "/events", "/ui", "/start", "/cancel-all", "//", "/start/", "/STATS"];

    private static readonly string[] Bodies =
    [
        "{", "[1,", "nul", "\"unterminated", "{\"type\":", "{'type':'count'}", "{\"type\":\"count\",}", "\u0000", "{}", "[]", "null", "42",
        "\"count\"", "{\"type\":5}", "{\"type\":\"\"}", "{\"type\":\"   \"}", "{\"type\":\"nope\"}", "{\"type\":[\"count\"]}",
        "{\"type\":\"count\",\"input\":\"str\"}", "{\"type\":\"count\",\"input\":{\"count\":\"x\"}}", "{\"type\":\"count\",\"count\":1e400}",
        "{\"type\":\"count\",\"input\":{\"count\":1},\"tags\":\"x\"}", "{\"type\":\"count\",\"input\":{\"count\":1},\"tags\":[1,2]}",
        "{\"type\":\"count\",\"input\":{\"count\":1},\"timeout\":-1}", "{\"type\":\"count\",\"input\":{\"count\":1},\"timeout\":1e300}",
        "{\"type\":\"count\",\"input\":{\"count\":1},\"timeout\":\"99999999.00:00:00\"}", "{\"type\":\"count\",\"input\":{\"count\":1},\"timeout\":1e-300}",
        "{\"type\":\"count\",\"input\":{\"count\":1},\"timeout\":3000000}", "{\"type\":\"count\",\"input\":{\"count\":1},\"extra\":true}",
        "{\"type\":\"count\",\"input\":{\"count\":3}}", "{\"type\":\"count\",\"count\":2}", "{\"type\":\"removal_workflow\",\"groupWaId\":null}",
        "{\"type\":\"count\",\"input\":{\"count\":1},\"tags\":[\"a\\r\\nb\",\"<b>x</b>\"]}", "{\"status\":\"nope\"}", "{\"status\":1}",
        "{\"status\":\"running\",\"extra\":1}", "{\"type\":null}", "{\"type\":\"count\",\"type\":\"wait\"}", "{\"type\":\"count\",\"input\":null}",
        "\uFEFF{\"type\":\"count\",\"count\":1}", "{\"type\":\"count\",\"input\":{\"count\":2147483648}}",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "text/plain", "application/json; charset=utf-16", "application/problem+json", "application/x-www-form-urlencoded",
        ";;;", "application/json; charset=\"", "*/*",
    ];

    private static readonly string[] Queries =
    [
        "", "?status=running&status=failed", "?status=%00", "?status=1", "?status=RUNNING", "?pageSize=0", "?pageSize=-1", "?pageSize=99999999999",
        "?pageSize=abc", "?pageSize=1&pageSize=2", "?pageSize=", "?continuationToken=garbage", "?continuationToken=%FF%FE%00",
        "?continuationToken=AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "?groupBy=1", "?groupBy=type&groupBy=owner", "?groupBy=nope", "?keyPrefix=%00%0A",
        "?lastEventId=-5", "?lastEventId=99999999999999999999999", "?type=%3Cscript%3E", "?owner=&tag=&type=", "?tag=a&tag=b",
        "?%00=%00", "?=&=&", "?a=" + new string('q', 50_000),
    ];

    private static readonly (string Name, string Value)[] OddHeaders =
    [
        ("Last-Event-ID", "garbage"), ("Last-Event-ID", "-1"), ("Last-Event-ID", "99999999999999999999"), ("Origin", "null"),
        ("Origin", "http://evil.example"), ("Origin", "::::"), ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Site", "same-origin"),
        ("Sec-Fetch-Site", "weird"), ("Accept", "text/html"), ("Accept", "application/xml"), ("X-Forwarded-For", "203.0.113.7"),
        ("Accept-Encoding", "gzip;q=abc"), ("Cookie", "a=" + new string('c', 8_000)), ("X-Test-User", "<script>\r\n"),
    ];

    private static Gen<string> Ids(IReadOnlyList<string> known) => Gen.Frequency(
        (4, Gen.Elements(OddIds)),
        (3, Gen.Elements<string>(known)),
        (2, Gen.ArrayOf(Gen.Elements("0123456789abcdef".ToCharArray()), 32).Select(c => new string(c))),
        // A NUL in the path never reaches the app: Kestrel answers 400 itself, and the test server throws before routing.
        (2, ArbMap.Default.GeneratorFor<string>().Where(s => s is not null && !s.Contains('\0', StringComparison.Ordinal)).Select(Uri.EscapeDataString)),
        (1, Gen.Choose(1, 60_000).Select(n => new string('a', n))),
        (1, Gen.Choose(1, 5_000).Select(n => string.Concat(Enumerable.Repeat("%2F..", n)))));

    private static Gen<string?> BodyGen() => Gen.Frequency(
        (6, Gen.Elements(Bodies).Select(b => (string?)b)),
        (2, Gen.Constant<string?>(null)),
        (2, ArbMap.Default.GeneratorFor<string>().Select(s => (string?)s)),
        (1, Gen.Elements(65, 1_000, 100_000).Select(depth => (string?)("{\"type\":\"count\",\"input\":" + new string('[', depth) + new string(']', depth) + "}"))),
        (1, Gen.Elements(64, 2_000).Select(depth => (string?)(new string('[', depth) + new string(']', depth)))),
        (1, Gen.Elements(1024 * 1024 - 40, 1024 * 1024 + 1, 3 * 1024 * 1024).Select(size => (string?)("{\"type\":\"wait\",\"input\":{\"note\":\"" + new string('n', size) + "\"}}"))));

    /// <summary>The API's endpoints: most requests aim at one of them, so bodies and queries reach the code that reads them.</summary>
    private static readonly (string Method, string Path)[] Endpoints =
    [
        ("GET", ""), ("GET", "/stats"), ("GET", "/events"), ("GET", "/ui"), ("POST", "/start"), ("POST", "/cancel-all"), ("GET", "/{id}"),
        ("GET", "/{id}/status"), ("GET", "/{id}/events"), ("POST", "/{id}/cancel"), ("POST", "/{id}/retry"), ("DELETE", "/{id}"),
    ];

    private static Gen<(string Method, string Path)> Targets(IReadOnlyList<string> known) => Gen.Frequency(
        (6, from endpoint in Gen.Elements(Endpoints) from id in Ids(known) select (endpoint.Method, endpoint.Path.Replace("{id}", id, StringComparison.Ordinal))),
        (4, from method in Gen.Elements(Methods)
            from path in Gen.Frequency(
                (3, Gen.Elements(StaticPaths)),
                (5, from id in Ids(known) from suffix in Gen.Elements(Suffixes) select "/" + id + suffix))
            select (method, path)));

    private static Gen<FuzzRequest> Requests(IReadOnlyList<string> known) =>
        from target in Targets(known)
        from query in Gen.Frequency((3, Gen.Constant(string.Empty)), (2, Gen.Elements(Queries)))
        from body in BodyGen()
        from contentType in Gen.Frequency((4, Gen.Constant<string?>("application/json")), (1, Gen.Elements(ContentTypes).Select(c => (string?)c)), (1, Gen.Constant<string?>(null)))
        from headers in Gen.Frequency((3, Gen.Constant(Array.Empty<(string, string)>())), (2, Gen.SubListOf(OddHeaders).Select(h => h.ToArray())))
        select new FuzzRequest(target.Method, target.Path, query, body, contentType, headers);

    [Fact]
    public async Task AnyEndpoint_GeneratedRequests_No5xxEvery4xxAProblemAndNoInvalidIdReachesTheStore()
    {
        var (store, recorder) = RecordingJobStore.Create();
        await using var app = await TestApp.StartAsync(configureBuilder: b => b.Services.AddSingleton(store));
        var known = new List<string>();
        foreach (var body in new[] { """{"type":"wait"}""", """{"type":"count","count":2}""", """{"type":"fail"}""" })
        {
            var started = await app.Client.PostJsonAsync("/admin/jobs/start", body);
            known.Add((await started.JsonAsync()).GetProperty("jobId").GetString()!);
        }

        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var property = Prop.ForAll(Requests(known).ToArbitrary(), request =>
        {
            var status = Task.Run(() => CheckAsync(app, request)).GetAwaiter().GetResult();
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            return true;
        });
        await Task.Run(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(Runs).WithEndSize(50), property));

        Assert.All(recorder.Ids, id => Assert.True(IsIssuedId(id), $"The store was asked about '{id}'."));
        Assert.Contains(recorder.Ids, known.Contains); // the valid ids did reach it
        Assert.True(statuses.ContainsKey(400) && statuses.ContainsKey(404), $"The requests met too little: {string.Join(", ", statuses.Keys)}.");

        // The host is still healthy afterwards.
        var health = await app.Client.GetAsync("/admin/jobs/stats");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static bool IsIssuedId(string id) => id.Length == 32 && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static async Task<int> CheckAsync(TestApp app, FuzzRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), TestApp.Prefix + request.Path + request.Query);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        // Event streams stay open: read the head of every answer, and the body only of the ones that are not streams.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await app.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{status} for {request}: {await ReadSomeAsync(response).ConfigureAwait(false)}");
        // A client resolves dot segments ("/admin/jobs/../x" is "/admin/x"): what then lies outside the prefix is the app's.
        var underPrefix = message.RequestUri!.AbsolutePath.StartsWith(TestApp.Prefix, StringComparison.Ordinal);
        if (status >= 400 && underPrefix)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{status} without a problem for {request}: {response.Content.Headers.ContentType}");
            if (request.Method != "HEAD")
            {
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel.Token).ConfigureAwait(false));
                Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
                Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
            }
        }

        return status;
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            return "(event stream)";
        }

        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return text.Length <= 500 ? text : text[..500];
    }

    [Fact]
    public async Task UnmappedPathOrMethodUnderThePrefix_ProblemWith404Or405AndAllow()
    {
        await using var app = await TestApp.StartAsync();

        var unknown = await app.Client.GetAsync("/admin/jobs/a/b/c");
        var wrongMethod = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/admin/jobs/start"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["POST"], wrongMethod.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("GET", "/admin/jobs/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("GET", "/admin/jobs/..%2F..%2Fetc/status")]
    [InlineData("GET", "/admin/jobs/%0D%0Ainfo:forged/events")]
    [InlineData("POST", "/admin/jobs/x/cancel")]
    [InlineData("POST", "/admin/jobs/0123456789abcdef0123456789abcdef0/retry")]
    [InlineData("DELETE", "/admin/jobs/%F0%9F%92%A5")]
    public async Task JobEndpoint_IdTheLibraryNeverIssues_404ProblemAndStoreNeverAsked(string method, string path)
    {
        var (store, recorder) = RecordingJobStore.Create();
        await using var app = await TestApp.StartAsync(configureBuilder: b => b.Services.AddSingleton(store));

        var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(recorder.Ids);
    }
}
