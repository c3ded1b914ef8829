using System.Globalization;
using System.Runtime.InteropServices;
using LeakGuard.Sampling;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Sampling;

/// <summary>
/// The probes of the operating system the tests run on, against that system's expectations: Linux, Windows and macOS
/// each measure all four metrics from their own source, and real allocations, handles and threads move the figures.
/// Every test runs on every OS (the CI pipeline runs all three); on another OS the expectation is "not measured".
/// </summary>
/// <remarks>
/// Other threads of the test host allocate, open handles and start threads too. A check that such activity can spoil
/// is made up to <see cref="Attempts"/> times and passes when one attempt is clean (goleak's bounded attempts); a
/// broken probe fails every attempt, and the failure lists them all.
/// </remarks>
public class PlatformProbeTests
{
    private const int Attempts = 5;

    private const string ManagedSource = "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation";

    /// <summary>What each probe should report on this OS: (measured, source) per metric, in enum order.</summary>
    private static (bool Measured, string Source)[] Expected()
    {
        if (OperatingSystem.IsLinux())
        {
            var native =
                LibcExports("mallinfo2") ? "glibc mallinfo2: uordblks + hblkhd"
                : LibcExports("mallinfo") ? "glibc mallinfo: uordblks + hblkhd (32-bit counters)"
                : "/proc/self/status RssAnon minus GC committed bytes (no mallinfo2: page-granular, noisier)";
            return [(true, ManagedSource), (true, native), (true, "entries of /proc/self/fd"), (true, "/proc/self/status Threads")];
        }
        if (OperatingSystem.IsWindows())
        {
            return
            [
                (true, ManagedSource),
                (true, "Windows HeapSummary over GetProcessHeaps: cbAllocated"),
                (true, "Windows GetProcessHandleCount"),
                (true, "Process.Threads.Count"),
            ];
        }
        if (OperatingSystem.IsMacOS())
        {
            return
            [
                (true, ManagedSource),
                (true, "macOS malloc_zone_statistics (all zones): size_in_use"),
                (true, "macOS proc_pidinfo(PROC_PIDLISTFDS)"),
                (true, "macOS proc_pidinfo(PROC_PIDTASKINFO): pti_threadnum"),
            ];
        }
        return [(true, ManagedSource), (false, "not measured on this platform"), (false, "not measured on this platform"), (true, "Process.Threads.Count")];
    }

    private static bool LibcExports(string name) => NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, name, out _);

    private static MetricProbe Probe(LeakMetric metric) => MetricProbe.CreateAll().Single(p => p.Metric == metric);

    private static string Os => RuntimeInformation.OSDescription;

    [Fact]
    public void Each_probe_is_measured_from_this_platforms_source()
    {
        var probes = MetricProbe.CreateAll();

        probes
            .Select(p => $"{p.Metric}: {(p.IsMeasured ? "measured" : "not measured")} from {p.Source}")
            .ShouldBe(Expected().Select((e, i) => $"{(LeakMetric)i}: {(e.Measured ? "measured" : "not measured")} from {e.Source}"), $"on {Os}");
    }

    [Fact]
    public void Every_measured_probe_reads_a_number()
    {
        foreach (var probe in MetricProbe.CreateAll())
        {
            var value = probe.Read();
            if (probe.IsMeasured)
                value.ShouldBeGreaterThanOrEqualTo(0, $"{probe.Metric} ({probe.Source}) on {Os}");
            else
                double.IsNaN(value).ShouldBeTrue($"{probe.Metric} is not measured on {Os}, so it reads NaN");
        }
        Probe(LeakMetric.Handles).Read().ShouldBeGreaterThan(0, "a .NET process has open handles (its own assembly, standard streams)");
        Probe(LeakMetric.Threads).Read().ShouldBeGreaterThan(1, "a test host runs more than one thread");
    }

    [Theory]
    [InlineData("NativeMemory.Alloc", 64 * 1024)]
    [InlineData("NativeMemory.Alloc", 1024 * 1024)]
    [InlineData("Marshal.AllocHGlobal", 64 * 1024)]
    [InlineData("Marshal.AllocHGlobal", 1024 * 1024)]
    // Above glibc's largest dynamic mmap threshold (32 MiB): always an mmapped chunk (hblkhd), never arena memory
    // (uordblks), however the process allocated before. Untouched, it costs address space, not RAM.
    [InlineData("NativeMemory.Alloc", 64 * 1024 * 1024)]
    public unsafe void A_native_allocation_moves_the_native_figure_by_its_size_and_freeing_returns_it(string allocator, int bytes)
    {
        var native = Probe(LeakMetric.NativeHeap);
        if (!Expected()[(int)LeakMetric.NativeHeap].Measured)
        {
            native.IsMeasured.ShouldBeFalse();
            return;
        }
        native.Read(); // resolves the P/Invoke targets before the first measured read

        // The allocator's own rounding and headers (glibc: 16 B per chunk, a page for an mmapped one; macOS: 16 KiB
        // pages on arm64; Windows: block headers) plus a little room for another thread's malloc.
        var slack = 16 * 1024 + bytes / 64;
        var seen = new List<string>();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var before = native.Read();
            var block = allocator == "NativeMemory.Alloc" ? (nint)NativeMemory.Alloc((nuint)bytes) : Marshal.AllocHGlobal(bytes);
            var allocated = native.Read();
            if (allocator == "NativeMemory.Alloc")
                NativeMemory.Free((void*)block);
            else
                Marshal.FreeHGlobal(block);
            var freed = native.Read();

            var growth = allocated - before;
            var left = freed - before;
            if (growth >= bytes && growth <= bytes + slack && Math.Abs(left) <= slack)
                return;
            seen.Add(string.Create(CultureInfo.InvariantCulture, $"grew {growth:N0} B, {left:N0} B left after free"));
        }
        seen.ShouldBeEmpty(
            $"{allocator}({bytes:N0}) on {Os}: {native.Source} should grow by {bytes:N0} to {bytes + slack:N0} B and return within {slack:N0} B of where it was, in one of {Attempts} attempts"
        );
    }

    [Fact]
    public void Opening_file_handles_raises_the_handle_count_and_disposing_lowers_it()
    {
        const int Files = 8;
        var handles = Probe(LeakMetric.Handles);
        if (!Expected()[(int)LeakMetric.Handles].Measured)
        {
            handles.IsMeasured.ShouldBeFalse();
            return;
        }
        var path = typeof(PlatformProbeTests).Assembly.Location;
        handles.Read();

        var seen = new List<string>();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var before = handles.Read();
            var streams = new FileStream[Files];
            for (var i = 0; i < Files; i++)
                streams[i] = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var open = handles.Read();
            foreach (var stream in streams)
                stream.Dispose();
            var closed = handles.Read();

            if (open - before >= Files && open - closed >= Files)
                return;
            seen.Add(string.Create(CultureInfo.InvariantCulture, $"{before} → {open} open → {closed} disposed"));
        }
        seen.ShouldBeEmpty(
            $"{Files} FileStreams on {Os}: {handles.Source} should rise by at least {Files} and fall by at least {Files} when they are disposed, in one of {Attempts} attempts"
        );
    }

    [Fact]
    public void Starting_threads_raises_the_thread_count_and_ending_them_lowers_it()
    {
        const int Started = 3;
        var threads = Probe(LeakMetric.Threads);
        threads.IsMeasured.ShouldBeTrue($"threads are measured on every platform ({threads.Source})");
        threads.Read();

        var seen = new List<string>();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var before = threads.Read();
            using var gate = new ManualResetEventSlim();
            var started = new Thread[Started];
            for (var i = 0; i < Started; i++)
            {
                started[i] = new Thread(() => gate.Wait()) { IsBackground = true };
                started[i].Start();
            }
            var running = threads.Read();
            gate.Set();
            foreach (var thread in started)
                thread.Join();
            // Join returns when the managed thread is done; the OS thread may take a moment longer to go away.
            var ended = threads.Read();
            for (var wait = 0; wait < 20 && running - ended < Started; wait++)
            {
                Thread.Sleep(50);
                ended = threads.Read();
            }

            if (running - before >= Started && running - ended >= Started)
                return;
            seen.Add(string.Create(CultureInfo.InvariantCulture, $"{before} → {running} running → {ended} ended"));
        }
        seen.ShouldBeEmpty(
            $"{Started} threads on {Os}: {threads.Source} should rise by at least {Started} and fall by at least {Started} after they end, in one of {Attempts} attempts"
        );
    }

    [Fact]
    public void The_native_structs_have_the_layout_of_the_platform_headers()
    {
        // HEAP_SUMMARY (heapapi.h), malloc_statistics_t (malloc/malloc.h), struct proc_taskinfo and struct proc_fdinfo
        // (sys/proc_info.h), as laid out on 64-bit Windows and macOS.
        if (IntPtr.Size != 8)
            return;
        Marshal.SizeOf<NativeMethods.HeapSummaryInfo>().ShouldBe(40);
        Marshal.OffsetOf<NativeMethods.HeapSummaryInfo>(nameof(NativeMethods.HeapSummaryInfo.CbAllocated)).ShouldBe(8);
        Marshal.SizeOf<NativeMethods.MallocStatistics>().ShouldBe(32);
        Marshal.OffsetOf<NativeMethods.MallocStatistics>(nameof(NativeMethods.MallocStatistics.SizeInUse)).ShouldBe(8);
        Marshal.SizeOf<NativeMethods.ProcTaskInfo>().ShouldBe(96);
        Marshal.OffsetOf<NativeMethods.ProcTaskInfo>(nameof(NativeMethods.ProcTaskInfo.ThreadNum)).ShouldBe(84);
        Marshal.SizeOf<NativeMethods.ProcFdInfo>().ShouldBe(8);
        NativeMethods.ProcPidListFds.ShouldBe(1);
        NativeMethods.ProcPidTaskInfo.ShouldBe(4);
    }

    [Fact]
    public void A_probe_whose_first_read_fails_becomes_unmeasured_and_says_why()
    {
        var missing = MetricProbe.Verified(
            new FakeProbe(LeakMetric.NativeHeap, "Windows HeapSummary", () => throw new EntryPointNotFoundException("HeapSummary"))
        );
        var refused = MetricProbe.Verified(new FakeProbe(LeakMetric.Handles, "macOS proc_pidinfo(PROC_PIDLISTFDS)", () => double.NaN));
        var working = new FakeProbe(LeakMetric.Threads, "Process.Threads.Count", () => 12);

        missing.ShouldBeOfType<UnmeasuredProbe>();
        missing.IsMeasured.ShouldBeFalse();
        missing.Metric.ShouldBe(LeakMetric.NativeHeap);
        missing.Source.ShouldBe("Windows HeapSummary failed: EntryPointNotFoundException");
        double.IsNaN(missing.Read()).ShouldBeTrue();
        refused.IsMeasured.ShouldBeFalse();
        refused.Source.ShouldBe("macOS proc_pidinfo(PROC_PIDLISTFDS) returned no value");
        MetricProbe.Verified(working).ShouldBeSameAs(working);
    }

    [Fact]
    public void A_report_on_a_metric_the_platform_cannot_read_says_not_measured_on_this_platform()
    {
        MetricProbe[] probes =
        [
            new FakeProbe(LeakMetric.ManagedHeap, ManagedSource, () => 0),
            MetricProbe.Verified(new FakeProbe(LeakMetric.NativeHeap, "Windows HeapSummary", () => throw new EntryPointNotFoundException())),
            new UnmeasuredProbe(LeakMetric.Handles, "not measured on this platform"),
            new FakeProbe(LeakMetric.Threads, "Process.Threads.Count", () => 12),
        ];
        // As LeakRunner reports each probe: an unmeasured one has no samples and the NotMeasured verdict.
        var metrics = probes
            .Select(p =>
                p.IsMeasured
                    ? new MetricReport(
                        p.Metric,
                        p.Source,
                        [new LeakSample(0, 0), new LeakSample(50, 0)],
                        new SlopeEstimate(0, 0, 0, 0.95, 2),
                        0,
                        MetricVerdict.Pass,
                        "no growth over budget"
                    )
                    : new MetricReport(p.Metric, p.Source, [], SlopeEstimate.None, 0, MetricVerdict.NotMeasured, "not measured on this platform")
            )
            .ToArray();
        var report = new LeakReport(LeakOptions.Default, metrics, 5, 50, 1, TimeSpan.FromSeconds(1), null, null);

        report.HasLeak.ShouldBeFalse();
        var text = report.ToString();
        text.ShouldContain("  native memory  not measured on this platform (Windows HeapSummary failed: EntryPointNotFoundException)\n".ReplaceLineEndings());
        text.ShouldContain("  handles        not measured on this platform\n".ReplaceLineEndings());
        text.ShouldNotContain("handles        not measured on this platform (");
        report[LeakMetric.Handles].ToString().ShouldBe("handles: not measured on this platform");
        report[LeakMetric.Handles].IsMeasured.ShouldBeFalse();
        report[LeakMetric.NativeHeap].Samples.ShouldBeEmpty();
    }

    private sealed class FakeProbe(LeakMetric metric, string source, Func<double> read) : MetricProbe
    {
        public override LeakMetric Metric => metric;
        public override string Source => source;

        public override double Read() => read();
    }
}
