using LeakGuard.Diagnostics;
using LeakGuard.HeapAnalysis;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>
/// The heap analysis runs in a child process: when it crashes, hangs or cannot read a snapshot, the test host lives
/// on and the caller gets a reason — and a crash while reading stack roots is retried without them.
/// </summary>
public sealed class HeapAnalysisProcessTests : IDisposable
{
    private static readonly List<Marker> Markers = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "leakguard-tests", Guid.NewGuid().ToString("N"));

    public HeapAnalysisProcessTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        Markers.Clear();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Three snapshots, 10 Markers added before each of the last two: growth in both intervals, as the engine takes them.</summary>
    private string[] SnapshotsOfAGrowingList()
    {
        var dumps = new[] { Path.Combine(_directory, "a.dmp"), Path.Combine(_directory, "b.dmp"), Path.Combine(_directory, "c.dmp") };
        for (var snapshot = 0; snapshot < dumps.Length; snapshot++)
        {
            if (snapshot > 0)
            {
                for (var i = 0; i < 10; i++)
                    Markers.Add(new Marker());
            }
            HeapSummarizer.TryWriteDump(dumps[snapshot], out var error).ShouldBeTrue(error);
        }
        return dumps;
    }

    [Fact]
    public async Task A_comparison_names_the_growing_type_and_its_static_root()
    {
        var dumps = SnapshotsOfAGrowingList();

        var outcome = await HeapAnalysisProcess.CompareAsync(
            dumps,
            new HeapComparisonOptions
            {
                Iterations = 20,
                TopTypes = 100,
                PathTypes = 100,
            },
            TimeSpan.FromMinutes(2),
            default
        );

        outcome.Error.ShouldBeNull();
        var marker = outcome.Comparison!.Types.Single(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal));
        marker.InstancesPerIteration.ShouldBe(1);
        marker.Paths[0].RootKind.ShouldBe(GcRootKind.StaticField);
        marker
            .Paths[0]
            .Text.ShouldBe(
                "static LeakGuard.Tests.Diagnostics.HeapAnalysisProcessTests.Markers (List<HeapAnalysisProcessTests+Marker>) → _items[] → HeapAnalysisProcessTests+Marker"
            );
        // The newest Marker may also sit in a stack slot of this thread: that root is shorter, so one instance can take it.
        (marker.Paths[0].Instances - marker.Paths[0].InstancesBefore).ShouldBeInRange(19, 20);
        marker.Paths.Sum(p => p.Instances - p.InstancesBefore).ShouldBe(20);
        marker.Paths[0].Steps.Select(s => s.Edge).ShouldBe(["", "_items", "[]"]);
    }

    [Fact]
    public async Task A_crash_while_reading_stack_roots_is_retried_without_them_and_says_so()
    {
        var dumps = SnapshotsOfAGrowingList();
        var crash = new Dictionary<string, string> { ["LEAKGUARD_HEAP_ANALYSIS_FAULT"] = "crash-on-stack-roots" };

        var outcome = await HeapAnalysisProcess.CompareAsync(
            dumps,
            new HeapComparisonOptions
            {
                Iterations = 20,
                TopTypes = 100,
                PathTypes = 100,
            },
            TimeSpan.FromMinutes(2),
            default,
            crash
        );

        outcome.Error.ShouldBeNull();
        outcome
            .Comparison!.PathsNote.ShouldNotBeNull()
            .ShouldStartWith("stack roots were skipped: the first analysis crashed (the heap analysis process crashed (exit code 134)");
        outcome.Comparison.Types.Single(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal)).Paths.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_child_over_its_time_limit_is_stopped_with_a_reason()
    {
        var dumps = SnapshotsOfAGrowingList();

        var outcome = await HeapAnalysisProcess.CompareAsync(dumps, new HeapComparisonOptions(), TimeSpan.FromMilliseconds(1), default);

        outcome.Comparison.ShouldBeNull();
        outcome.Error.ShouldBe("the heap analysis did not finish within 0.001 s and was stopped (LeakOptions.HeapAnalysisTimeout)");
    }

    [Fact]
    public async Task An_unreadable_snapshot_fails_with_the_readers_message()
    {
        var garbage = Path.Combine(_directory, "not-a-dump.dmp");
        await File.WriteAllTextAsync(garbage, "this is not a core dump");

        var outcome = await HeapAnalysisProcess.CompareAsync([garbage, garbage], new HeapComparisonOptions(), TimeSpan.FromMinutes(1), default);

        outcome.Comparison.ShouldBeNull();
        outcome.Error.ShouldNotBeNull().ShouldStartWith("the heap analysis failed (exit code 3): ");
    }

    [Fact]
    public async Task A_child_that_writes_more_than_a_pipe_holds_to_standard_error_finishes_with_its_last_words()
    {
        // 1 MiB on standard error, then the reader's message: a pipe holds 64 KB, so a child whose standard error is
        // read only after it exits blocks until its time limit.
        var garbage = Path.Combine(_directory, "not-a-dump.dmp");
        await File.WriteAllTextAsync(garbage, "this is not a core dump");
        var flood = new Dictionary<string, string> { ["LEAKGUARD_HEAP_ANALYSIS_FAULT"] = "flood-stderr" };

        var outcome = await HeapAnalysisProcess.CompareAsync([garbage, garbage], new HeapComparisonOptions(), TimeSpan.FromSeconds(30), default, flood);

        outcome.Comparison.ShouldBeNull();
        var error = outcome.Error.ShouldNotBeNull();
        error.ShouldStartWith("the heap analysis failed (exit code 3): ");
        error.ShouldNotContain("did not finish");
        error.ShouldContain("Exception: ", customMessage: "the last line, the reader's message, is kept");
    }

    [Fact]
    public void A_dump_whose_middle_is_corrupt_is_not_read_as_an_empty_heap()
    {
        var dump = Path.Combine(_directory, "good.dmp");
        HeapSummarizer.TryWriteDump(dump, out var error).ShouldBeTrue(error);
        var corrupt = Path.Combine(_directory, "corrupt.dmp");
        File.Copy(dump, corrupt);
        using (var stream = new FileStream(corrupt, FileMode.Open, FileAccess.Write))
        {
            // The middle half overwritten with garbage: the headers and notes at the start still read.
            var garbage = new byte[stream.Length / 2];
            new Random(7).NextBytes(garbage);
            stream.Position = stream.Length / 4;
            stream.Write(garbage);
        }

        HeapAnalyzer.Analyze(dump).Objects.ShouldBeGreaterThan(1000, "the intact dump reads");
        var exception = Should.Throw<InvalidOperationException>(() => HeapAnalyzer.Analyze(corrupt));
        exception.Message.ShouldStartWith($"the snapshot '{corrupt}' is damaged or truncated: ");
        Should.Throw<InvalidOperationException>(() => HeapAnalyzer.Compare(dump, corrupt)).Message.ShouldContain($"'{corrupt}'");
    }

    [Fact]
    public void A_missing_snapshot_is_named()
    {
        var missing = Path.Combine(_directory, "missing.dmp");

        Should.Throw<FileNotFoundException>(() => HeapAnalyzer.Compare(missing, missing)).Message.ShouldBe($"No heap snapshot at '{missing}'.");
        Should.Throw<ArgumentException>(() => HeapAnalyzer.Compare([missing])).Message.ShouldStartWith("At least two snapshots are needed, but 1 were given.");
        Should
            .Throw<ArgumentOutOfRangeException>(() => HeapAnalyzer.Compare(missing, missing, new HeapComparisonOptions { TopTypes = 0 }))
            .Message.ShouldStartWith("HeapComparisonOptions.TopTypes must be at least 1, but was 0.");
    }

    [Fact]
    public async Task When_the_analysis_fails_the_verdict_stands_and_the_report_says_why()
    {
        var leaked = new List<object>();

        var report = await LeakTest.RunAsync(
            () =>
            {
                leaked.Add(new Marker());
                return Task.CompletedTask;
            },
            new LeakOptions { HeapAnalysisTimeout = TimeSpan.FromMilliseconds(1), SnapshotDirectory = _directory }
        );

        report.HasLeak.ShouldBeTrue();
        report.HeapSummary.ShouldBeNull();
        report.HeapSummaryUnavailableReason.ShouldBe("the heap analysis did not finish within 0.001 s and was stopped (LeakOptions.HeapAnalysisTimeout).");
        report
            .ToString()
            .ShouldContain(
                "Heap summary unavailable: the heap analysis did not finish within 0.001 s and was stopped (LeakOptions.HeapAnalysisTimeout). The verdict above stands."
            );
        Directory.GetFiles(_directory, "*.dmp").ShouldBeEmpty();
    }

    [Fact]
    public void When_the_analysis_childs_runtime_configuration_cannot_be_written_the_verdict_stands_and_nothing_is_left_behind()
    {
        // A folder where the file must go: the write aside succeeds and the move fails, as on a disk that ran out of
        // space or inodes after the dumps (which chmod cannot simulate for root).
        var config = Path.Combine(_directory, $"leakguard-heap-analysis-{Environment.Version.ToString(3)}.runtimeconfig.json");
        Directory.CreateDirectory(config);

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory });
        KilobyteRecordLeak.Reset();

        report.HasLeak.ShouldBeTrue(report.ToString());
        report.HeapSummary.ShouldBeNull();
        report
            .HeapSummaryUnavailableReason.ShouldNotBeNull()
            .ShouldStartWith($"the heap analysis was not started: writing its runtime configuration to '{_directory}' failed (IOException: ");
        report.ToString().ShouldContain("The verdict above stands.");
        Directory.GetFiles(_directory).ShouldBeEmpty("the dumps and the runtime configuration written aside are deleted");
    }

    [Fact]
    public async Task A_kept_heap_dump_lands_in_the_artifacts_folder_readable_by_its_owner_only()
    {
        var leaked = new List<object>();
        var options = new LeakOptions
        {
            KeepHeapDump = true,
            ArtifactsDirectory = _directory,
            SnapshotDirectory = _directory,
            TestName = "kept dump",
        };

        var report = await LeakTest.RunAsync(
            () =>
            {
                leaked.Add(new Marker());
                return Task.CompletedTask;
            },
            options
        );

        var kept = report.HeapSummary.ShouldNotBeNull(report.ToString()).KeptDumpPath.ShouldNotBeNull();
        kept.ShouldBe(Path.Combine(LeakArtifacts.GetDirectory(options), "heap.dmp"));
        new FileInfo(kept).Length.ShouldBeGreaterThan(0);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(kept).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        report.ToString().ShouldContain($"Heap dump kept: {kept} (mode 0600");
        Directory.GetFiles(_directory, "leakguard-*.dmp").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_heap_dump_over_the_size_cap_is_deleted_and_the_report_says_so()
    {
        var leaked = new List<object>();

        var report = await LeakTest.RunAsync(
            () =>
            {
                leaked.Add(new Marker());
                return Task.CompletedTask;
            },
            new LeakOptions
            {
                KeepHeapDump = true,
                MaxHeapDumpBytes = 1,
                ArtifactsDirectory = _directory,
                SnapshotDirectory = _directory,
            }
        );

        var heap = report.HeapSummary.ShouldNotBeNull(report.ToString());
        heap.KeptDumpPath.ShouldBeNull();
        heap.KeptDumpNote.ShouldNotBeNull().ShouldEndWith("is over LeakOptions.MaxHeapDumpBytes (1 B)");
        Directory.GetFiles(_directory, "*.dmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    private static readonly HeapComparisonOptions AllTypes = new()
    {
        Iterations = 20,
        TopTypes = 100,
        PathTypes = 100,
    };

    /// <summary>
    /// As <see cref="SnapshotsOfAGrowingList"/>, but with the analysis child started before the first dump, as the engine
    /// runs it: <paramref name="beforeSnapshot"/> runs before each dump (index 0–2).
    /// </summary>
    private async Task<HeapAnalysisProcess.Outcome> StreamAGrowingList(
        TimeSpan timeout,
        Action<int, HeapAnalysisProcess.Streaming> beforeSnapshot,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var dumps = new[] { Path.Combine(_directory, "a.dmp"), Path.Combine(_directory, "b.dmp"), Path.Combine(_directory, "c.dmp") };
        using var child = HeapAnalysisProcess.Streaming.TryStart(dumps, AllTypes, out var notStarted, environment);
        child.ShouldNotBeNull(notStarted);
        for (var snapshot = 0; snapshot < dumps.Length; snapshot++)
        {
            if (snapshot > 0)
            {
                for (var i = 0; i < 10; i++)
                    Markers.Add(new Marker());
            }
            beforeSnapshot(snapshot, child);
            HeapSummarizer.TryWriteDump(dumps[snapshot], out var error).ShouldBeTrue(error);
            child.SnapshotWritten(snapshot);
        }
        return await child.FinishAsync(timeout, default);
    }

    private static void WaitForExit(HeapAnalysisProcess.Streaming child)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            Thread.Sleep(50);
        child.HasExited.ShouldBeTrue("the child was told to crash while it waits for the last dump");
    }

    [Fact]
    public async Task A_streaming_child_reads_the_dumps_as_they_are_written_and_names_the_growing_type()
    {
        var outcome = await StreamAGrowingList(TimeSpan.FromMinutes(2), (_, _) => { });

        outcome.Error.ShouldBeNull();
        var marker = outcome.Comparison!.Types.Single(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal));
        marker.InstancesPerIteration.ShouldBe(1);
        marker.Paths[0].RootKind.ShouldBe(GcRootKind.StaticField);
        outcome.Comparison.SnapshotCount.ShouldBe(3);
        outcome.Comparison.PathsNote.ShouldBeNull();
    }

    [Fact]
    public async Task A_streaming_child_that_dies_while_waiting_for_the_last_dump_is_run_again_on_the_finished_dumps()
    {
        var crash = new Dictionary<string, string> { ["LEAKGUARD_HEAP_ANALYSIS_FAULT"] = "crash-while-waiting-for-snapshot-2" };

        // The last dump is written and announced only once the child is dead: the announcement meets a broken pipe.
        var outcome = await StreamAGrowingList(
            TimeSpan.FromMinutes(2),
            (snapshot, child) =>
            {
                if (snapshot == 2)
                    WaitForExit(child);
            },
            crash
        );

        outcome.Error.ShouldBeNull();
        var note = outcome.Comparison!.PathsNote.ShouldNotBeNull();
        // It crashed while waiting, not while reading: the note says how it ended, not when.
        note.ShouldStartWith("stack roots were skipped: the first analysis crashed (the heap analysis process crashed (exit code 134)");
        outcome.Comparison.SnapshotCount.ShouldBe(3);
        outcome.Comparison.Types.Single(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal)).Paths.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_streaming_childs_time_limit_counts_from_the_last_dump_not_from_its_start()
    {
        // 5 s between the dumps: the child has lived well over its 6 s limit when the last is announced, and needs
        // far less than 6 s from there (one histogram and the path search).
        var started = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan announced = default;
        var outcome = await StreamAGrowingList(
            TimeSpan.FromSeconds(6),
            (snapshot, _) =>
            {
                if (snapshot > 0)
                    Thread.Sleep(TimeSpan.FromSeconds(5));
                if (snapshot == 2)
                    announced = started.Elapsed;
            }
        );

        announced.ShouldBeGreaterThan(TimeSpan.FromSeconds(6), "the test is meaningful only when the child is older than its limit");
        outcome.Error.ShouldBeNull();
        outcome.Comparison!.Types.ShouldContain(t => t.TypeName.EndsWith("+Marker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_streaming_child_over_its_time_limit_after_the_last_dump_is_stopped_with_a_reason()
    {
        HeapAnalysisProcess.Streaming? started = null;

        var outcome = await StreamAGrowingList(TimeSpan.FromMilliseconds(1), (_, child) => started = child);

        outcome.Comparison.ShouldBeNull();
        outcome.Error.ShouldBe("the heap analysis did not finish within 0.001 s and was stopped (LeakOptions.HeapAnalysisTimeout)");
        started.ShouldNotBeNull().HasExited.ShouldBeTrue("the child was killed");
        Directory.GetFiles(_directory, "leakguard-analysis-*").ShouldBeEmpty("no result file is left behind");
    }

    [Fact]
    public void Announcing_the_first_dump_allocates_nothing_on_the_heap_being_snapshotted()
    {
        // A pipe creates its socket, safe handle and async context on its first write (on Unix, lazily): if that write
        // were the first announcement, they would be made between the first two snapshots and listed as growth. The
        // child's pipe is primed when it starts; the announcement itself must allocate nothing on this thread. A first
        // child warms the code up (the JIT, static state); the second child's pipe is new.
        var dumps = new[] { Path.Combine(_directory, "a.dmp"), Path.Combine(_directory, "b.dmp"), Path.Combine(_directory, "c.dmp") };
        using (var warm = HeapAnalysisProcess.Streaming.TryStart(dumps, AllTypes, out var warmNotStarted))
        {
            warm.ShouldNotBeNull(warmNotStarted).SnapshotWritten(0);
        }
        using var child = HeapAnalysisProcess.Streaming.TryStart(dumps, AllTypes, out var notStarted);
        child.ShouldNotBeNull(notStarted);

        var before = GC.GetAllocatedBytesForCurrentThread();
        child.SnapshotWritten(0);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0, "bytes allocated by announcing the first dump");
    }

    private sealed class Marker
    {
        public readonly long Value = 7;
    }
}
