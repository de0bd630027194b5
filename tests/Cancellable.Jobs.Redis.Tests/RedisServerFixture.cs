using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Tests;

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, started once for the test collection and killed at its end.
/// Tests isolate themselves with a key prefix of their own (<see cref="NewPrefix"/>).
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private static int _prefixes;
    private Process? _process;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>Gets a connection shared by the tests that need only one.</summary>
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public static string NewPrefix() => $"{{t{Interlocked.Increment(ref _prefixes)}-{Guid.NewGuid():N}}}:";

    public async Task InitializeAsync()
    {
        await StartServerAsync();
        Connection = await ConnectAsync();
    }

    /// <summary>
    /// Replaces the shared <see cref="Connection"/>. A test that killed the server's connections or restarted it calls this
    /// when it ends, so the tests after it never subscribe through a connection that is still reconnecting (pub/sub
    /// messages sent meanwhile would be lost and those tests would wait for them in vain).
    /// </summary>
    /// <returns>A task that completes when the new connection is open.</returns>
    public async Task ReconnectAsync()
    {
        var old = Connection;
        Connection = await ConnectAsync();
        old?.Dispose();
    }

    /// <summary>Opens a new, separate connection, as another instance of the app would.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true,asyncTimeout=2000,connectTimeout=2000");

    public async Task DisposeAsync()
    {
        Connection?.Dispose();
        await StopServerAsync();
    }

    /// <summary>Kills the server, as an outage would; <see cref="StartServerAsync"/> brings it back, empty, on the same port.</summary>
    public async Task StopServerAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// Freezes the server (SIGSTOP), as a hung or partitioned Redis would: connections stay open, commands time out, and
    /// the data is still there after <see cref="ResumeServerAsync"/>.
    /// </summary>
    /// <returns>A task that completes when the signal was sent.</returns>
    public Task PauseServerAsync() => SignalAsync("-STOP");

    /// <summary>Lets a server frozen by <see cref="PauseServerAsync"/> run again (SIGCONT).</summary>
    /// <returns>A task that completes when the signal was sent.</returns>
    public Task ResumeServerAsync() => SignalAsync("-CONT");

    public async Task StartServerAsync()
    {
        if (Port == 0)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        var process = _process;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server exited: {output}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
