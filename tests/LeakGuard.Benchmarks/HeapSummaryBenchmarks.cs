using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using LeakGuard.Diagnostics;
using LeakGuard.HeapAnalysis;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakGuard.Benchmarks;

/// <summary>
/// Benchmark B: the time to diagnose a failure — the heap summary that a failing run takes (three heap snapshots of the
/// process read with ClrMD in a child process: histograms diffed, retention paths searched) — on heaps of 1M and 10M
/// live objects, against one full blocking compacting GC of the same heap (the baseline). The snapshots are copies of
/// the process's memory taken by the child where the platform allows (Linux), and createdump dumps in the second row.
/// </summary>
/// <remarks>
/// The operation leaks one small object per iteration into a static list, so the diagnosis has a growing type and
/// searches its retention path past the large array. Seconds per invocation, so one invocation per iteration
/// (<see cref="RunStrategy.Monitoring"/>) and few iterations. <c>WriteDump</c> and <c>Compare</c> break the heap
/// summary down. Dumps of the 10M-object heap are hundreds of MB each; every dump is deleted.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class HeapSummaryBenchmarks
{
    // The live heap under test: ObjectCount small objects (24 B each) held by a static array (8 B per slot).
    private static LiveObject[]? s_heap;

    // What the operation leaks: one object per iteration.
    private static readonly List<LeakedObject> s_leaked = [];

    private static readonly Func<ValueTask> Leak = static () =>
    {
        s_leaked.Add(new LeakedObject());
        return default;
    };

    // Dumps hold the whole process: in the user's own snapshot folder (<temp>/leakguard-<uid>, mode 0700), never in a
    // folder of <temp> that another user could have created first.
    private readonly string _directory = PrivateDirectory.Default;
    private string? _before;
    private string? _after;

    [Params(1_000_000, 10_000_000)]
    public int ObjectCount { get; set; }

    [GlobalSetup]
    public void BuildHeap()
    {
        var heap = new LiveObject[ObjectCount];
        for (var i = 0; i < heap.Length; i++)
            heap[i] = new LiveObject { Value = i };
        s_heap = heap;
        if (!PrivateDirectory.TryEnsure(_directory, out var notPrivate))
            throw new InvalidOperationException($"No private folder for the benchmark's dumps: {notPrivate}");
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    [GlobalSetup(Target = nameof(Compare))]
    public void BuildHeapAndDumpIt()
    {
        BuildHeap();
        _before = WriteDumpFile();
        for (var i = 0; i < 50; i++)
            Leak();
        _after = WriteDumpFile();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var dump in new[] { _before, _after })
        {
            if (dump is not null)
                File.Delete(dump);
        }
        _before = _after = null;
        s_heap = null;
        s_leaked.Clear();
    }

    [Benchmark(Baseline = true, Description = "one full blocking compacting GC")]
    public void FullGC() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

    [Benchmark(Description = "heap summary: 3 snapshots (memory copies where supported) + child-process analysis with paths")]
    public HeapSummary HeapSummary() => Summarize(copies: HeapSummarizer.SnapshotsByCopy);

    [Benchmark(Description = "heap summary: 3 dumps (createdump) + child-process analysis with paths")]
    public HeapSummary HeapSummaryFromDumps() => Summarize(copies: false);

    private HeapSummary Summarize(bool copies)
    {
        var options = new LeakOptions { SnapshotDirectory = _directory };
        var byCopy = HeapSummarizer.SnapshotsByCopy;
        HeapSummarizer.SnapshotsByCopy = copies;
        HeapSummaryOutcome outcome;
        try
        {
            outcome = HeapSummarizer.TryCaptureAsync(Leak, options, static () => { }).GetAwaiter().GetResult();
        }
        finally
        {
            HeapSummarizer.SnapshotsByCopy = byCopy;
        }
        var summary = outcome.Summary ?? throw new InvalidOperationException("No heap summary: " + outcome.UnavailableReason);
        return summary.Types.Any(t => t.TypeName.EndsWith(nameof(LeakedObject), StringComparison.Ordinal) && t.Paths.Count > 0)
            ? summary
            : throw new InvalidOperationException("The heap summary did not find the leaked type with a path.");
    }

    [Benchmark(Description = "one heap dump (createdump, WithHeap)")]
    public void WriteDump() => File.Delete(WriteDumpFile());

    [Benchmark(Description = "analysis of two dumps, in-process (HeapAnalyzer.Compare)")]
    public HeapComparison Compare()
    {
        var comparison = HeapAnalyzer.Compare(_before!, _after!, new HeapComparisonOptions { Iterations = 50 });
        return comparison.ObjectsAfter >= ObjectCount
            ? comparison
            : throw new InvalidOperationException($"The dump holds {comparison.ObjectsAfter} objects, expected at least {ObjectCount}.");
    }

    private string WriteDumpFile()
    {
        var path = Path.Combine(_directory, $"benchmark-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
        using (PrivateDirectory.CreateOwnerOnlyFile(path)) { } // mode 0600 before createdump writes into it
        new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
        return path;
    }

    public sealed class LiveObject
    {
        public long Value;
    }

    public sealed class LeakedObject
    {
        public long Value;
    }
}
