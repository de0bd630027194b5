using BenchmarkDotNet.Running;
using Cancellable.Jobs.Benchmarks;

// `memory` measures retained bytes per job; anything else goes to BenchmarkDotNet (e.g. `--filter *Progress*`).
if (args is ["memory", ..])
{
    await RetainedMemory.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ThroughputBenchmarks).Assembly).Run(args);
