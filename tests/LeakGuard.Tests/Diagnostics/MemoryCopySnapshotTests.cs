using LeakGuard.Diagnostics;
using LeakGuard.HeapAnalysis;
using LeakGuard.Running;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>
/// On Linux a heap snapshot is a copy of the test host's memory, taken by the analysis child (no dump on disk): the
/// copies name the same growth and paths as dumps; a copy that cannot be taken falls back to a dump; a child that
/// crashes after reading copies has the snapshots taken again, as dumps.
/// </summary>
public sealed class MemoryCopySnapshotTests : IDisposable
{
    private static readonly List<Marker> Markers = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "leakguard-tests", Guid.NewGuid().ToString("N"));

    private static readonly HeapComparisonOptions AllTypes = new()
    {
        Iterations = 20,
        TopTypes = 100,
        PathTypes = 100,
    };

    public MemoryCopySnapshotTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        Markers.Clear();
        HeapSummarizer.ChildEnvironment = null;
        Directory.Delete(_directory, recursive: true);
    }

    private string[] DumpPaths() => [Path.Combine(_directory, "a.dmp"), Path.Combine(_directory, "b.dmp"), Path.Combine(_directory, "c.dmp")];

    private static void GrowBeforeSnapshot(int snapshot)
    {
        if (snapshot > 0)
        {
            for (var i = 0; i < 10; i++)
                Markers.Add(new Marker());
        }
        LeakRunner.ForceFullCollection();
    }

    [Fact]
    public async Task Copies_of_this_process_name_the_growing_type_and_its_static_root_and_leave_nothing_on_disk()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        using var child = HeapAnalysisProcess.Streaming.TryStart(DumpPaths(), AllTypes, out var notStarted, copyFrom: Environment.ProcessId);
        child.ShouldNotBeNull(notStarted);

        for (var snapshot = 0; snapshot < 3; snapshot++)
        {
            GrowBeforeSnapshot(snapshot);
            child.TryCopy(snapshot).ShouldBeTrue(child.CopyFailure);
        }
        var outcome = await child.FinishAsync(TimeSpan.FromMinutes(2), default);

        outcome.Error.ShouldBeNull();
        child.Copies.ShouldBe(3);
        child.CopyFailure.ShouldBeNull();
        // Each copy holds at least this process's managed heap.
        child.CopiedBytes.ShouldBeGreaterThan(3 * GC.GetTotalMemory(false));
        var marker = outcome.Comparison!.Types.Single(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal));
        marker.InstancesPerIteration.ShouldBe(1);
        marker.Paths[0].RootKind.ShouldBe(GcRootKind.StaticField);
        marker
            .Paths[0]
            .Text.ShouldBe(
                "static LeakGuard.Tests.Diagnostics.MemoryCopySnapshotTests.Markers (List<MemoryCopySnapshotTests+Marker>) → _items[] → MemoryCopySnapshotTests+Marker"
            );
        marker.Paths.Sum(p => p.Instances - p.InstancesBefore).ShouldBe(20);
        Directory.GetFiles(_directory, "*.dmp").ShouldBeEmpty("a copy is read from memory: no dump is written");
    }

    [Fact]
    public async Task A_copy_that_cannot_be_taken_says_why_and_the_dump_written_instead_is_read()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        var dumps = DumpPaths();
        var fail = new Dictionary<string, string> { [Program.FaultVariable] = "fail-copy" };
        using var child = HeapAnalysisProcess.Streaming.TryStart(dumps, AllTypes, out var notStarted, fail, Environment.ProcessId);
        child.ShouldNotBeNull(notStarted);

        for (var snapshot = 0; snapshot < 3; snapshot++)
        {
            GrowBeforeSnapshot(snapshot);
            child.TryCopy(snapshot).ShouldBeFalse();
            child.CopyFailure.ShouldBe($"snapshot {snapshot} not copied: IOException: injected failure (LEAKGUARD_HEAP_ANALYSIS_FAULT=fail-copy)");
            HeapSummarizer.TryWriteDump(dumps[snapshot], out var error).ShouldBeTrue(error);
            child.SnapshotWritten(snapshot);
        }
        var outcome = await child.FinishAsync(TimeSpan.FromMinutes(2), default);

        outcome.Error.ShouldBeNull();
        child.Copies.ShouldBe(0);
        outcome.Comparison!.Types.Single(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal)).InstancesPerIteration.ShouldBe(1);
    }

    [Fact]
    public void Asking_for_a_copy_allocates_nothing_on_the_heap_being_copied()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        // The first request reads the child's first line, which makes the pipe's lazily created objects; from the
        // second on, a request and its answer must allocate nothing on this thread. A first child warms the code up.
        using (var warm = HeapAnalysisProcess.Streaming.TryStart(DumpPaths(), AllTypes, out var warmNotStarted, copyFrom: Environment.ProcessId))
        {
            var started = warm.ShouldNotBeNull(warmNotStarted);
            started.TryCopy(0).ShouldBeTrue(started.CopyFailure);
            started.TryCopy(1).ShouldBeTrue(started.CopyFailure);
        }
        using var child = HeapAnalysisProcess.Streaming.TryStart(DumpPaths(), AllTypes, out var notStarted, copyFrom: Environment.ProcessId);
        child.ShouldNotBeNull(notStarted).TryCopy(0).ShouldBeTrue(child.CopyFailure);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var copied = child.TryCopy(1);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        copied.ShouldBeTrue(child.CopyFailure);
        allocated.ShouldBe(0, "bytes allocated by asking for the second copy and reading the answer");
    }

    [Fact]
    public void The_engine_falls_back_to_dumps_when_no_copy_can_be_taken_and_says_so()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        HeapSummarizer.ChildEnvironment = new Dictionary<string, string> { [Program.FaultVariable] = "fail-copy" };
        var recorder = new Recorder();

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory, Progress = recorder });
        KilobyteRecordLeak.Reset();

        var summary = report.HeapSummary.ShouldNotBeNull(report.ToString());
        summary.Types.ShouldContain(t => t.TypeName.EndsWith("+LeakedRecord", StringComparison.Ordinal));
        summary.PathsNote.ShouldBeNull();
        var taken = recorder.Messages.Single(m => m.Contains(" heap snapshots taken in ", StringComparison.Ordinal));
        taken.ShouldContain(" (3 dumps, ");
        taken.ShouldContain(" MiB; not copied: snapshot 0 not copied: IOException: injected failure (LEAKGUARD_HEAP_ANALYSIS_FAULT=fail-copy)); ");
        Directory.GetFiles(_directory, "*.dmp").ShouldBeEmpty("the dumps are deleted once read");
    }

    [Fact]
    public void A_child_that_crashes_after_reading_copies_has_the_snapshots_taken_again_as_dumps_and_the_summary_says_so()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        // Every child crashes on stack roots: the one that read the copies (nothing left to read again), then the one
        // that read the dumps, which is run once more without stack roots.
        HeapSummarizer.ChildEnvironment = new Dictionary<string, string> { [Program.FaultVariable] = "crash-on-stack-roots" };
        var recorder = new Recorder();

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory, Progress = recorder });
        KilobyteRecordLeak.Reset();

        var summary = report.HeapSummary.ShouldNotBeNull(report.ToString());
        summary.Types.ShouldContain(t => t.TypeName.EndsWith("+LeakedRecord", StringComparison.Ordinal));
        var note = summary.PathsNote.ShouldNotBeNull();
        note.ShouldStartWith(
            "the snapshots were taken again as dumps: the analysis of copies of the process's memory crashed (the heap analysis process crashed (exit code 134)"
        );
        note.ShouldContain("; stack roots were skipped: the first analysis crashed (");
        recorder.Messages.ShouldContain(m => m.Contains("; taking the heap snapshots again as dumps…", StringComparison.Ordinal));
        recorder.Messages.Count(m => m.Contains(" heap snapshots taken in ", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public void A_child_that_never_answers_a_request_for_a_copy_is_given_up_within_the_time_limit_and_the_verdict_stands()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        HeapSummarizer.ChildEnvironment = new Dictionary<string, string> { [Program.FaultVariable] = "hang-on-copy" };
        var limit = HeapSummarizer.DumpTimeLimit;
        HeapSummarizer.DumpTimeLimit = TimeSpan.FromSeconds(1);
        try
        {
            var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory });
            KilobyteRecordLeak.Reset();

            report.HasLeak.ShouldBeTrue(report.ToString());
            report.HeapSummary.ShouldBeNull();
            report.HeapSummaryUnavailableReason.ShouldBe(
                "a heap snapshot could not be taken: the analysis child did not copy this process's memory within 1 s (the time limit of a heap snapshot)."
            );
            report.ToString().ShouldContain("The verdict above stands.");
        }
        finally
        {
            HeapSummarizer.DumpTimeLimit = limit;
        }
    }

    [Fact]
    public unsafe void An_object_left_without_its_method_table_before_an_allocation_context_is_skipped_and_the_rest_of_its_segment_is_counted()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        using var process = StartWaitingAnalysisChild();
        try
        {
            using var target = new Microsoft.Diagnostics.Runtime.DataTarget(
                ProcessMemoryCopy.Take(process.Id),
                new Microsoft.Diagnostics.Runtime.DataTargetOptions()
            );
            using var runtime = target.ClrVersions.Single().CreateRuntime();
            var copy = (ProcessMemoryCopy)target.DataReader;
            var intact = HeapHistogram.Read(runtime.Heap, copy.DisplayName);
            // The method table of the object right before a thread's allocation context zeroed, as a thread stopped
            // between moving its allocation pointer and writing the method table leaves it.
            var contexts = runtime.Heap.EnumerateAllocationContexts().Select(c => c.Start).ToHashSet();
            var victim = runtime
                .Heap.Segments.Where(s =>
                    s.Kind is not (Microsoft.Diagnostics.Runtime.GCSegmentKind.Large or Microsoft.Diagnostics.Runtime.GCSegmentKind.Frozen)
                )
                .SelectMany(s => s.EnumerateObjects())
                .First(o => !o.IsFree && contexts.Contains(o.Address + ((o.Size + 7) & ~7UL)));
            *(ulong*)copy.TryGetMemory(victim.Address, 8) = 0;

            var read = HeapHistogram.Read(runtime.Heap, copy.DisplayName);

            read.Objects.ShouldBe(intact.Objects - 1, "only the object without a method table is left out, not the rest of its segment");
            read.TotalBytes.ShouldBe(intact.TotalBytes - (long)victim.Size);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>Another .NET process to copy (this one cannot stop itself): an analysis child waiting for its first snapshot, its runtime up.</summary>
    private static System.Diagnostics.Process StartWaitingAnalysisChild()
    {
        var analysis = typeof(HeapAnalyzer).Assembly.Location;
        var start = new System.Diagnostics.ProcessStartInfo(HeapAnalysisProcess.FindDotnetHost()) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "exec", analysis, "compare", "--snapshot", "a", "--snapshot", "b", "--output", "r", "--wait-for-snapshots" })
            start.ArgumentList.Add(argument);
        var process = System.Diagnostics.Process.Start(start).ShouldNotBeNull();
        Thread.Sleep(1000); // its runtime up and waiting
        return process;
    }

    [Fact]
    public void The_in_place_walk_of_a_copy_counts_exactly_what_ClrMDs_walk_counts()
    {
        if (!ProcessMemoryCopy.IsSupported)
            return;
        using var process = StartWaitingAnalysisChild();
        try
        {
            using var target = new Microsoft.Diagnostics.Runtime.DataTarget(
                ProcessMemoryCopy.Take(process.Id),
                new Microsoft.Diagnostics.Runtime.DataTargetOptions()
            );
            using var runtime = target.ClrVersions.Single().CreateRuntime();
            var copy = (ProcessMemoryCopy)target.DataReader;
            var inPlace = new Dictionary<ulong, (Microsoft.Diagnostics.Runtime.ClrType Type, TypeTotals Totals)>();

            CopyWalk.TryCount(runtime.Heap, copy, inPlace, out var total, out var objects, default).ShouldBeTrue();

            var byClrMD = runtime
                .Heap.EnumerateObjects()
                .Where(o => !o.IsFree)
                .GroupBy(o => o.Type!.MethodTable)
                .ToDictionary(g => g.Key, g => (Count: g.LongCount(), Bytes: g.Sum(o => (long)o.Size)));
            objects.ShouldBe(byClrMD.Values.Sum(v => v.Count));
            objects.ShouldBeGreaterThan(100, "a started runtime holds strings, arrays and objects");
            total.ShouldBe(byClrMD.Values.Sum(v => v.Bytes));
            inPlace.ToDictionary(e => e.Key, e => (e.Value.Totals.Count, e.Value.Totals.Bytes)).ShouldBe(byClrMD, ignoreOrder: true);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    [Theory]
    [InlineData("7f0c1a000000-7f0c1a021000 rw-p 00000000 00:00 0 ", 0x7f0c1a000000UL, 0x7f0c1a021000UL, true, "")]
    [InlineData(
        "7f0c1b2e4000-7f0c1b30a000 r--p 00000000 08:01 1835099    /usr/lib/x86_64-linux-gnu/libc.so.6",
        0x7f0c1b2e4000UL,
        0x7f0c1b30a000UL,
        true,
        "/usr/lib/x86_64-linux-gnu/libc.so.6"
    )]
    [InlineData("7ffd8e5f0000-7ffd8e5f4000 ---p 00000000 00:00 0    [vvar]", 0x7ffd8e5f0000UL, 0x7ffd8e5f4000UL, false, "[vvar]")]
    [InlineData("7f00-7f10 r-xp 00000000 00:01 42    /memfd:doublemapper (deleted)", 0x7f00UL, 0x7f10UL, true, "/memfd:doublemapper (deleted)")]
    public void A_mapping_line_is_read_into_its_range_readability_and_path(string line, ulong start, ulong end, bool readable, string path)
    {
        ProcessMemoryCopy.TryParseMapping(line, out var s, out var e, out var r, out var p).ShouldBeTrue();

        (s, e, r, p).ShouldBe((start, end, readable, path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a mapping")]
    [InlineData("7f10-7f00 rw-p 00000000 00:00 0")]
    [InlineData("zz-7f00 rw-p 00000000 00:00 0")]
    public void A_line_that_is_not_a_mapping_is_skipped(string line) => ProcessMemoryCopy.TryParseMapping(line, out _, out _, out _, out _).ShouldBeFalse();

    private sealed class Recorder : IProgress<LeakProgress>
    {
        public List<string> Messages { get; } = [];

        public void Report(LeakProgress value) => Messages.Add(value.Message);
    }

    private sealed class Marker
    {
        public readonly long Value = 7;
    }
}
