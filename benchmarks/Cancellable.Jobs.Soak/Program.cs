using Cancellable.Jobs.Soak;

// Soak and stress runs for docs/RELIABILITY.md. Each mode prints one screen and exits non-zero when its verdict fails.
var options = SoakArgs.Parse(args.Skip(1));
return args.FirstOrDefault() switch
{
    "churn" => await ChurnSoak.RunAsync(options),
    "watchers" => await WatcherSoak.RunAsync(options),
    "starvation" => await StarvationSoak.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release -- <mode> [options]
          churn       --cycles 2000000 --cap 10000 --retention-ms 250 --in-flight 1000 --tolerance-mb 2
          watchers    --jobs 20000 --watchers 200 --sse 30 --tolerance-mb 8
          starvation  --jobs 400 --job-ms 3000 --lease-ms 2000 --check-ms 500 --busy-per-core 2 [--redis host:port]
        """);
    return 2;
}
