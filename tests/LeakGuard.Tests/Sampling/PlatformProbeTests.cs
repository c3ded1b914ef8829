using System.Globalization;
using System.Runtime.InteropServices;
using LeakGuard.Isolated;
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
/// Other threads of the test host allocate, open handles and start threads too, so the checks of what real allocations,
/// handles and threads do are measured once in a process of their own (<see cref="IsolatedProcess"/>), where nothing
/// else runs, and the figures are exact.
/// </remarks>
public class PlatformProbeTests
{
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
    public void A_native_allocation_moves_the_native_figure_by_its_size_and_freeing_returns_it(string allocator, int bytes)
    {
        var native = Probe(LeakMetric.NativeHeap);
        if (!Expected()[(int)LeakMetric.NativeHeap].Measured)
        {
            native.IsMeasured.ShouldBeFalse();
            return;
        }
        // The allocator's own rounding and headers: glibc 16 B per chunk, a page for an mmapped one; macOS 16 KiB pages
        // on arm64; Windows block headers.
        var slack = 16 * 1024 + bytes / 64;

        var figures = IsolatedProcess.Run("native-allocation", allocator, bytes.ToString(CultureInfo.InvariantCulture));

        var before = figures.GetProperty("before").GetDouble();
        var growth = figures.GetProperty("allocated").GetDouble() - before;
        var left = figures.GetProperty("freed").GetDouble() - before;
        var message =
            $"{allocator}({bytes:N0}) on {Os}: {native.Source} should grow by {bytes:N0} to {bytes + slack:N0} B and return within {slack:N0} B of where it was: {figures}";
        growth.ShouldBeInRange(bytes, bytes + slack, message);
        Math.Abs(left).ShouldBeLessThanOrEqualTo(slack, message);
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

        var figures = IsolatedProcess.Run("file-handles", Files.ToString(CultureInfo.InvariantCulture));

        var (before, open, closed) = (
            figures.GetProperty("before").GetDouble(),
            figures.GetProperty("open").GetDouble(),
            figures.GetProperty("closed").GetDouble()
        );
        var message =
            $"{Files} FileStreams on {Os}: {handles.Source} should rise by {Files} and fall back when they are disposed: {before} → {open} open → {closed} disposed";
        (open - before).ShouldBe(Files, message);
        closed.ShouldBe(before, message);
    }

    [Fact]
    public void Starting_threads_raises_the_thread_count_and_ending_them_lowers_it()
    {
        const int Started = 3;
        var threads = Probe(LeakMetric.Threads);
        threads.IsMeasured.ShouldBeTrue($"threads are measured on every platform ({threads.Source})");

        // The program waits up to a second after Join for the OS threads to go away.
        var figures = IsolatedProcess.Run("threads", Started.ToString(CultureInfo.InvariantCulture));

        var (before, running, ended) = (
            figures.GetProperty("before").GetDouble(),
            figures.GetProperty("running").GetDouble(),
            figures.GetProperty("ended").GetDouble()
        );
        var message =
            $"{Started} threads on {Os}: {threads.Source} should rise by {Started} and fall back after they end: {before} → {running} running → {ended} ended";
        (running - before).ShouldBe(Started, message);
        ended.ShouldBe(before, message);
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
