using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Reporting;

/// <summary>Pins the human report: any change in wording or layout shows up as a diff of an approved file.</summary>
public class ReportFormatTests
{
    private static IReadOnlyList<LeakSample> Linear(int iterations, double start, double slope) =>
        Enumerable.Range(0, 51).Select(i => new LeakSample(i * iterations / 50, start + slope * i * iterations / 50)).ToArray();

    private static MetricReport Metric(
        LeakMetric metric,
        string source,
        MetricVerdict verdict,
        double slope,
        double lower,
        double upper,
        string reason,
        double budget = 0,
        int iterations = 750
    ) => new(metric, source, Linear(iterations, 1_000_000, slope), new SlopeEstimate(slope, lower, upper, 0.95, 51), budget, verdict, reason);

    private static LeakReport ManagedLeak(HeapSummary? summary, string? unavailable) =>
        new(
            LeakOptions.Default,
            [
                Metric(
                    LeakMetric.ManagedHeap,
                    "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation",
                    MetricVerdict.Leak,
                    312,
                    300,
                    330,
                    "kept growing through 750 iterations and did not level off"
                ),
                Metric(
                    LeakMetric.NativeHeap,
                    "glibc mallinfo2: uordblks + hblkhd",
                    MetricVerdict.Plateau,
                    0,
                    0,
                    0,
                    "grew at first, then stayed within budget over iterations 50–150 (a plateau)"
                ),
                Metric(LeakMetric.Handles, "entries of /proc/self/fd", MetricVerdict.Pass, 0, 0, 0, "no growth over budget"),
                Metric(LeakMetric.Threads, "/proc/self/status Threads", MetricVerdict.Pass, 0, 0, 0.02, "no growth over budget"),
            ],
            warmupIterations: 5,
            iterations: 750,
            rounds: 4,
            elapsed: TimeSpan.FromSeconds(2.345),
            summary,
            unavailable
        );

    private static RetentionPath Path(GcRootKind kind, string root, long instances, long before, string text) =>
        new()
        {
            RootKind = kind,
            Root = root,
            Instances = instances,
            InstancesBefore = before,
            Steps = [],
            Text = text,
        };

    [Fact]
    public void Leak_report_with_heap_summary()
    {
        var summary = new HeapSummary(
            50,
            [
                new TypeGrowth("Contoso.Trading.LeakyPriceSubscriber", 755, 805, 18_120, 19_320, 50)
                {
                    Paths =
                    [
                        Path(
                            GcRootKind.StaticField,
                            "static Contoso.Trading.PriceFeed.PriceChanged",
                            805,
                            755,
                            "static Contoso.Trading.PriceFeed.PriceChanged (EventHandler<PriceChangedEventArgs>) → invocation list → LeakyPriceSubscriber"
                        ),
                    ],
                },
                new TypeGrowth("System.EventHandler<Contoso.Trading.PriceChangedEventArgs>", 756, 806, 48_384, 51_584, 50)
                {
                    Paths =
                    [
                        Path(
                            GcRootKind.StaticField,
                            "static Contoso.Trading.PriceFeed.PriceChanged",
                            805,
                            755,
                            "static Contoso.Trading.PriceFeed.PriceChanged (EventHandler<PriceChangedEventArgs>) → _invocationList[] → EventHandler<PriceChangedEventArgs>"
                        ),
                        Path(GcRootKind.StrongHandle, "strong GC handle", 1, 1, "strong GC handle (EventHandler<PriceChangedEventArgs>)"),
                    ],
                },
                new TypeGrowth("System.Object[]", 33, 33, 143_450, 146_650, 50)
                {
                    SizeGrowth = new SizeGrowth(
                        6_424,
                        9_624,
                        Path(
                            GcRootKind.StaticField,
                            "static Contoso.Trading.PriceFeed.PriceChanged",
                            1,
                            1,
                            "static Contoso.Trading.PriceFeed.PriceChanged (EventHandler<PriceChangedEventArgs>) → _invocationList → Object[]"
                        )
                    ),
                    PathsUnavailableReason = "12 of 33 instances are not reachable from a GC root",
                },
            ],
            10_000_000,
            10_015_600,
            TimeSpan.FromSeconds(1.5)
        )
        {
            SafeHandleTypes = [new TypeGrowth("Microsoft.Win32.SafeHandles.SafeFileHandle", 3, 53, 96, 1_696, 50)],
        };

        Approvals.Verify(ManagedLeak(summary, null).ToString(), nameof(ReportFormatTests));
    }

    [Fact]
    public void Leak_report_when_the_heap_summary_is_unavailable()
    {
        var report = ManagedLeak(
            null,
            "a heap snapshot could not be taken: writing a dump to '/readonly' failed (UnauthorizedAccessException: Access to the path is denied.)."
        );

        Approvals.Verify(report.ToString(), nameof(ReportFormatTests));
    }

    [Fact]
    public void Native_handle_and_thread_leaks_are_named_in_those_words()
    {
        var report = new LeakReport(
            LeakOptions.Default,
            [
                Metric(
                    LeakMetric.ManagedHeap,
                    "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation",
                    MetricVerdict.Pass,
                    0,
                    0,
                    0,
                    "no growth over budget",
                    iterations: 50
                ),
                Metric(
                    LeakMetric.NativeHeap,
                    "glibc mallinfo2: uordblks + hblkhd",
                    MetricVerdict.Leak,
                    1040,
                    1040,
                    1041,
                    "kept growing through 350 iterations and did not level off",
                    budget: 512,
                    iterations: 350
                ),
                Metric(
                    LeakMetric.Handles,
                    "entries of /proc/self/fd",
                    MetricVerdict.Leak,
                    1,
                    1,
                    1,
                    "kept growing and passed the growth cap of 256 handles by iteration 350",
                    iterations: 350
                ),
                Metric(
                    LeakMetric.Threads,
                    "/proc/self/status Threads",
                    MetricVerdict.Leak,
                    1,
                    1,
                    1,
                    "kept growing through 350 iterations; the run stopped there because handles passed its growth cap",
                    iterations: 350
                ),
            ],
            5,
            350,
            3,
            TimeSpan.FromSeconds(0.9),
            null,
            null
        );

        var text = report.ToString();

        text.ShouldContain("native memory grew 1,040 B/iteration (95% CI 1,040–1,041) over 350 iterations; budget 512 B/iteration.");
        text.ShouldContain("handles grew 1.00 handles/iteration");
        text.ShouldContain("threads grew 1.00 threads/iteration");
        Approvals.Verify(text, nameof(ReportFormatTests));
    }

    [Fact]
    public void Passing_report()
    {
        var report = new LeakReport(
            LeakOptions.Default,
            [
                Metric(
                    LeakMetric.ManagedHeap,
                    "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation",
                    MetricVerdict.Pass,
                    0,
                    0,
                    0,
                    "no growth over budget",
                    iterations: 50
                ),
                Metric(
                    LeakMetric.NativeHeap,
                    "glibc mallinfo2: uordblks + hblkhd",
                    MetricVerdict.Inconclusive,
                    3.5,
                    -1,
                    8,
                    "the estimate stayed over budget but its confidence interval reached the budget through 50 iterations; not called a leak",
                    iterations: 50
                ),
                new MetricReport(
                    LeakMetric.Handles,
                    "not measured on this platform",
                    [],
                    SlopeEstimate.None,
                    0,
                    MetricVerdict.NotMeasured,
                    "not measured on this platform"
                ),
                Metric(LeakMetric.Threads, "/proc/self/status Threads", MetricVerdict.Pass, 0, 0, 0, "no growth over budget", iterations: 50),
            ],
            5,
            50,
            1,
            TimeSpan.FromSeconds(0.12),
            null,
            null
        );

        report.HasLeak.ShouldBeFalse();
        Approvals.Verify(report.ToString(), nameof(ReportFormatTests));
    }
}
