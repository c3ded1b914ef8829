using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using LeakGuard.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakGuard.Benchmarks;

/// <summary>
/// Benchmark B: the time to diagnose a failure — the heap summary that a failing managed-heap run takes (heap dumps
/// of the process written by createdump, read with ClrMD, histograms diffed) — on heaps of 1M and 10M live objects,
/// against one full blocking compacting GC of the same heap (the baseline).
/// </summary>
/// <remarks>
/// Seconds per invocation, so one invocation per iteration (<see cref="RunStrategy.Monitoring"/>) and few
/// iterations. <c>WriteDump</c> and <c>ReadHistogram</c> break the heap summary down into its two costs. Dumps
/// of the 10M-object heap are hundreds of MB each; every dump is deleted.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class HeapSummaryBenchmarks
{
    // The live heap under test: ObjectCount small objects (24 B each) held by a static array (8 B per slot).
    private static LiveObject[]? s_heap;

    private static readonly Func<ValueTask> NoOperation = static () => default;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "leakguard-benchmarks");
    private string? _dump;

    [Params(1_000_000, 10_000_000)]
    public int ObjectCount { get; set; }

    [GlobalSetup]
    public void BuildHeap()
    {
        var heap = new LiveObject[ObjectCount];
        for (var i = 0; i < heap.Length; i++)
            heap[i] = new LiveObject { Value = i };
        s_heap = heap;
        Directory.CreateDirectory(_directory);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    [GlobalSetup(Target = nameof(ReadHistogram))]
    public void BuildHeapAndDumpIt()
    {
        BuildHeap();
        _dump = WriteDumpFile();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_dump is not null)
            File.Delete(_dump);
        _dump = null;
        s_heap = null;
    }

    [Benchmark(Baseline = true, Description = "one full blocking compacting GC")]
    public void FullGC() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

    [Benchmark(Description = "heap summary (HeapSummarizer.TryCaptureAsync)")]
    public HeapSummary HeapSummary()
    {
        var options = new LeakOptions { SnapshotDirectory = _directory };
        var outcome = HeapSummarizer.TryCaptureAsync(NoOperation, options, static () => { }).GetAwaiter().GetResult();
        return outcome.Summary ?? throw new InvalidOperationException("No heap summary: " + outcome.UnavailableReason);
    }

    [Benchmark(Description = "one heap dump (createdump, WithHeap)")]
    public void WriteDump() => File.Delete(WriteDumpFile());

    [Benchmark(Description = "read one dump into a histogram (ClrMD)")]
    public long ReadHistogram()
    {
        var histogram = HeapHistogram.Read(_dump!);
        return histogram.Objects >= ObjectCount
            ? histogram.Objects
            : throw new InvalidOperationException($"The dump holds {histogram.Objects} objects, expected at least {ObjectCount}.");
    }

    private string WriteDumpFile()
    {
        var path = Path.Combine(_directory, $"benchmark-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
        new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
        return path;
    }

    public sealed class LiveObject
    {
        public long Value;
    }
}
