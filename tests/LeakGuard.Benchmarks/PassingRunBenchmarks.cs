using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace LeakGuard.Benchmarks;

/// <summary>
/// Benchmark A: the cost of a passing <c>[NoLeak(Iterations = 50)]</c> test on a trivial operation — what the engine
/// adds on top of the forced GCs that any honest leak measurement needs.
/// </summary>
/// <remarks>
/// The baseline is the hand-written loop a developer would write: 50 × (operation, full blocking compacting GC,
/// pending finalizers, full GC). The engine collects only at its samples (14: the baseline and one every 4
/// iterations), and does more: 5 warmup iterations, settling, the probes (managed heap, mallinfo2, /proc/self/fd,
/// /proc/self/status), the Theil–Sen fit, and an extension round if the first is not conclusive. The Ratio column is
/// engine / hand loop.
/// <para>Tiered compilation is on (the default), as in a user's test host: the engine sets aside native growth
/// in intervals where the JIT compiled methods, so BenchmarkDotNet re-jitting its own engine in the background does
/// not turn the empty operation into a leak.</para>
/// </remarks>
[Config(typeof(Config))]
public class PassingRunBenchmarks
{
    // Tens of milliseconds per call: the default throughput strategy, which batches calls into iterations of 100 ms or more.
    public sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20));
    }

    private const int Iterations = 50;
    private static readonly LeakOptions Options = new() { Iterations = Iterations };
    private static readonly Action Operation = static () => { };

    [Benchmark(Baseline = true, Description = "hand loop: 50 × (op + GC + finalizers + GC)")]
    public void HandWrittenLoop()
    {
        for (var i = 0; i < Iterations; i++)
        {
            Operation();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    [Benchmark(Description = "LeakTest.Run, Iterations = 50 (passing)")]
    public LeakReport LeakTestRun()
    {
        var report = LeakTest.Run(Operation, Options);
        // A leak verdict would mean a different, much longer run (extension rounds): fail loudly rather than time it.
        return report.HasLeak ? throw new InvalidOperationException("The empty operation was reported as a leak:\n" + report) : report;
    }
}
