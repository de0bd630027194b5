using System.Text.Json;
using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed partial class JobManagerTests
{
    [Fact]
    public async Task StartAsync_ValidInput_CreatesPendingJobWithInputAsJson()
    {
        await using var host = BuildOrderHost();

        var job = await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok", Count = 3 }, cancellationToken: host.Timeout);

        Assert.Equal((OrderType, JobStatus.Pending, 1), (job.Type, job.Status, job.Attempt));
        Assert.Equal("ok", job.Input!.Value.GetProperty("name").GetString());
        Assert.Equal(3, job.Input.Value.GetProperty("count").GetInt32());
        Assert.Equal(host.Time.GetUtcNow(), job.CreatedAt);
        Assert.Equal(job.Id, (await host.Manager.GetAsync(job.Id, host.Timeout))!.Id);
    }

    [Fact]
    public async Task StartAsync_DataAnnotationsFail_ThrowsNamingMembersAndCreatesNoJob()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, new OrderInput { Name = null, Count = 11 }, cancellationToken: host.Timeout));

        Assert.Equal(OrderType, ex.JobType);
        Assert.Equal(["Count", "Name"], ex.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Name", ex.Message, StringComparison.Ordinal);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_ValidatableObjectFails_ThrowsAndCreatesNoJob()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, new OrderInput { Name = "forbidden" }, cancellationToken: host.Timeout));

        Assert.Equal(["The name is forbidden."], ex.Errors["Name"]);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_RegisteredInputValidatorFails_ThrowsAndCreatesNoJob()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok", Count = 7 }, cancellationToken: host.Timeout));

        Assert.Equal(["Seven is not allowed."], ex.Errors["Count"]);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_UnknownType_ThrowsKeyedTypeListingRegisteredTypes()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync("nope", new OrderInput { Name = "ok" }, cancellationToken: host.Timeout));

        var message = Assert.Single(ex.Errors["type"]);
        Assert.Contains("nope", message, StringComparison.Ordinal);
        Assert.Contains(OrderType, message, StringComparison.Ordinal);
        Assert.Contains(JobsHost.ScriptType, message, StringComparison.Ordinal);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_NullType_ThrowsArgumentNull()
    {
        await using var host = BuildOrderHost();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await host.Manager.StartAsync(null!, new OrderInput { Name = "ok" }));
    }

    [Fact]
    public async Task StartAsync_WrongClrInputType_ThrowsKeyedInput()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, 42, cancellationToken: host.Timeout));

        Assert.Contains("OrderInput", Assert.Single(ex.Errors["input"]), StringComparison.Ordinal);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_JsonValid_CreatesJob()
    {
        await using var host = BuildOrderHost();

        var job = await host.Manager.StartAsync(OrderType, Json("""{ "name": "ok", "count": 2 }"""), cancellationToken: host.Timeout);

        Assert.Equal(2, job.Input!.Value.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task StartAsync_JsonWrongShape_ThrowsNamingMember()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, Json("""{ "name": "ok", "count": "many" }"""), cancellationToken: host.Timeout));

        Assert.Equal(["count"], ex.Errors.Keys);
        await AssertNoJobAsync(host);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("42")]
    public async Task StartAsync_JsonNotAnObject_ThrowsKeyedInput(string json)
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, Json(json), cancellationToken: host.Timeout));

        Assert.Equal(["input"], ex.Errors.Keys);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_JsonFailsValidation_ThrowsNamingMember()
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, Json("""{ "name": "ok", "count": 0 }"""), cancellationToken: host.Timeout));

        Assert.Equal(["Count"], ex.Errors.Keys);
        await AssertNoJobAsync(host);
    }

    public static TheoryData<string, JobStartOptions> InvalidStartOptions => new()
    {
        { "owner", new JobStartOptions { Owner = string.Empty } },
        { "owner", new JobStartOptions { Owner = new string('o', 257) } },
        { "tags", new JobStartOptions { Tags = [.. Enumerable.Range(0, 33).Select(i => $"t{i}")] } },
        { "tags", new JobStartOptions { Tags = ["ok", string.Empty] } },
        { "tags", new JobStartOptions { Tags = [new string('t', 257)] } },
        { "timeout", new JobStartOptions { Timeout = TimeSpan.Zero } },
        { "timeout", new JobStartOptions { Timeout = TimeSpan.FromSeconds(-1) } },
    };

    [Theory]
    [MemberData(nameof(InvalidStartOptions))]
    public async Task StartAsync_InvalidOptions_ThrowsKeyedOptionAndCreatesNoJob(string key, JobStartOptions options)
    {
        await using var host = BuildOrderHost();

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, options, host.Timeout));

        Assert.Equal([key], ex.Errors.Keys);
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task StartAsync_Options_KeptWithTagsDeduplicated()
    {
        await using var host = BuildOrderHost();
        var options = new JobStartOptions { Owner = new string('o', 256), Tags = ["b", "a", "b"], Timeout = TimeSpan.FromMinutes(2) };

        var job = await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, options, host.Timeout);

        Assert.Equal(options.Owner, job.Owner);
        Assert.Equal(["b", "a"], job.Tags);
        Assert.Equal(TimeSpan.FromMinutes(2), job.Timeout);
    }

    [Fact]
    public async Task StartAsync_NoTimeout_UsesDefaultTimeout()
    {
        await using var host = BuildOrderHost(options => options.DefaultTimeout = TimeSpan.FromMinutes(9));

        var job = await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, cancellationToken: host.Timeout);

        Assert.Equal(TimeSpan.FromMinutes(9), job.Timeout);
    }

    [Fact]
    public async Task StartAsync_MaxPendingJobsReached_ThrowsQueueFullAndCreatesNoJob()
    {
        await using var host = BuildOrderHost(options => options.MaxPendingJobs = 2);
        await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, cancellationToken: host.Timeout);
        await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, cancellationToken: host.Timeout);

        var ex = await Assert.ThrowsAsync<JobQueueFullException>(async () =>
            await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, cancellationToken: host.Timeout));

        Assert.Equal((2, OrderType), (ex.MaxPendingJobs, ex.JobType));
        Assert.Equal(2, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
