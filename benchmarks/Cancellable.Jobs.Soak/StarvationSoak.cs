using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Cancellable.Jobs.Soak;

/// <summary>
/// Two hosts on one Redis while busy threads hold every core: jobs that outlive their lease must keep it (renewal on
/// time, no false stale marking), and no job may run twice.
/// </summary>
internal static class StarvationSoak
{
    public sealed record SleepInput(int Milliseconds);

    /// <summary>Counts its execution, then reports progress every 50 ms until its time is up.</summary>
    public sealed class SleepJob(ConcurrentDictionary<string, int> executions) : IJob<SleepInput>
    {
        public async Task ExecuteAsync(SleepInput input, JobContext context, CancellationToken cancellationToken)
        {
            executions.AddOrUpdate(context.JobId, 1, static (_, n) => n + 1);
            var start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < input.Milliseconds)
            {
                context.ReportProgress(Math.Min(1, Stopwatch.GetElapsedTime(start).TotalMilliseconds / input.Milliseconds));
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    public static async Task<int> RunAsync(SoakArgs args)
    {
        var jobs = args.Int("--jobs", 400);
        var jobTime = args.Int("--job-ms", 3_000);
        var lease = TimeSpan.FromMilliseconds(args.Int("--lease-ms", 2_000));
        var check = TimeSpan.FromMilliseconds(args.Int("--check-ms", 500));
        var busyPerCore = args.Int("--busy-per-core", 2);
        var concurrency = args.Int("--concurrency", 20);

        using var server = args.String("--redis") is null ? RedisProcess.Start() : null;
        var connectionString = args.String("--redis") ?? server!.ConnectionString;
        var prefix = $"{{soak-{Guid.NewGuid():N}}}:";
        var executions = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var connectionA = await ConnectionMultiplexer.ConnectAsync(connectionString);
        using var connectionB = await ConnectionMultiplexer.ConnectAsync(connectionString);
        using var hostA = await StartHostAsync(connectionA);
        using var hostB = await StartHostAsync(connectionB);

        Console.WriteLine($"starvation: 2 hosts on one redis-server ({connectionString}), {jobs:N0} jobs of {jobTime:N0} ms each, {concurrency} concurrent per host");
        Console.WriteLine($"            lease {lease.TotalMilliseconds:N0} ms renewed every {check.TotalMilliseconds:N0} ms; {busyPerCore * Environment.ProcessorCount} busy threads ({busyPerCore} per core, normal priority) for the whole run");
        Console.WriteLine($"            {Measure.Machine()}");

        using var stop = new CancellationTokenSource();
        var spins = new List<Thread>();
        long spun = 0;
        for (var i = 0; i < busyPerCore * Environment.ProcessorCount; i++)
        {
            var thread = new Thread(() =>
            {
                long local = 0;
                while (!stop.IsCancellationRequested)
                {
                    local++;
                }

                Interlocked.Add(ref spun, local);
            }) { IsBackground = true, Priority = ThreadPriority.Normal, Name = $"busy-{i}" };
            thread.Start();
            spins.Add(thread);
        }

        // The closest any running job's lease came to lapsing, read from Redis itself on a thread of its own.
        var minMargin = double.MaxValue;
        long samples = 0;
        var sampler = new Thread(() =>
        {
            var db = connectionA.GetDatabase();
            while (!stop.IsCancellationRequested)
            {
                var first = db.SortedSetRangeByRankWithScores(prefix + "leases", 0, 0);
                if (first.Length == 1)
                {
                    var margin = first[0].Score - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    minMargin = Math.Min(minMargin, margin);
                    samples++;
                }

                Thread.Sleep(20);
            }
        }) { IsBackground = true, Name = "lease-sampler" };
        sampler.Start();

        var clock = Stopwatch.StartNew();
        var ids = new List<string>(jobs);
        for (var i = 0; i < jobs; i++)
        {
            var manager = (i % 2 == 0 ? hostA : hostB).Services.GetRequiredService<IJobManager>();
            ids.Add((await manager.StartAsync("sleep", new SleepInput(jobTime))).Id);
        }

        var finals = new List<JobSnapshot>(jobs);
        var a = hostA.Services.GetRequiredService<IJobManager>();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        foreach (var id in ids)
        {
            finals.Add(await a.WaitForCompletionAsync(id, limit.Token) ?? throw new InvalidOperationException($"Job {id} disappeared."));
        }

        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        foreach (var thread in spins)
        {
            thread.Join();
        }

        sampler.Join();
        await hostA.StopAsync();
        await hostB.StopAsync();

        var completed = finals.Count(j => j.Status == JobStatus.Completed);
        var stale = finals.Count(j => j.CancelReason == JobCancelReason.Stale);
        var twice = executions.Count(e => e.Value > 1);
        var never = ids.Count(id => !executions.ContainsKey(id));
        var attempts = finals.Max(j => j.Attempt);
        var spanned = jobTime > lease.TotalMilliseconds;
        Console.WriteLine();
        Console.WriteLine($"{jobs:N0} jobs ended in {elapsed.TotalSeconds:N1} s: {completed:N0} completed, {stale:N0} marked stale, highest attempt {attempts}; busy threads spun {spun / 1e9:N1} G iterations");
        Console.WriteLine($"executions: {executions.Values.Sum():N0} for {executions.Count:N0} job ids; ran twice {twice}, never ran {never}");
        Console.WriteLine($"closest lease to lapsing: {(samples == 0 ? "no sample" : $"{minMargin:N0} ms left of {lease.TotalMilliseconds:N0} ms")} ({samples:N0} samples)");
        var noDuplicate = twice == 0 && never == 0;
        var noStale = stale == 0 && completed == jobs;
        Console.WriteLine($"jobs outlive their lease ({jobTime:N0} ms > {lease.TotalMilliseconds:N0} ms), so renewal mattered   {(spanned ? "yes" : "NO: raise --job-ms")}");
        Console.WriteLine($"no job ran twice                                          {(noDuplicate ? "PASS" : "FAIL")}");
        Console.WriteLine($"no false stale (every job completed on its first run)     {(noStale ? "PASS" : "FAIL")}");
        return noDuplicate && noStale && spanned ? 0 : 1;

        async Task<IHost> StartHostAsync(IConnectionMultiplexer connection)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddSingleton(executions);
            builder.Services.AddCancellableJobs(o =>
            {
                o.MaxConcurrentJobs = concurrency;
                o.RunnerPollInterval = TimeSpan.FromSeconds(1);
            })
                .AddJob<SleepJob, SleepInput>("sleep")
                .UseRedis(connection, o =>
                {
                    o.KeyPrefix = prefix;
                    o.LeaseTime = lease;
                    o.LeaseCheckInterval = check;
                });
            var host = builder.Build();
            await host.StartAsync();
            return host;
        }
    }

    /// <summary>A redis-server (Debian's package) on a free loopback port, killed when disposed.</summary>
    private sealed class RedisProcess : IDisposable
    {
        private readonly Process _process;

        private RedisProcess(Process process, int port)
        {
            _process = process;
            ConnectionString = $"127.0.0.1:{port}";
        }

        public string ConnectionString { get; }

        public static RedisProcess Start()
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (apt-get install redis-server).");
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
                {
                    // Keep draining its output so that a chatty server never blocks on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new RedisProcess(process, port);
                }
            }

            throw new InvalidOperationException("redis-server exited before it was ready.");
        }

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }
}
