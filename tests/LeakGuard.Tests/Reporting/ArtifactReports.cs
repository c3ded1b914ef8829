namespace LeakGuard.Tests.Reporting;

/// <summary>Fixed reports for the artifact tests: every figure known, so that charts and summaries can be pinned.</summary>
internal static class ArtifactReports
{
    public const string ManagedSource = "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation";

    /// <summary>51 samples from iteration 0 to <paramref name="iterations"/>, exactly on the line <c>start + slope · iteration</c>.</summary>
    public static LeakSample[] Linear(int iterations, double start, double slope, int count = 51) =>
        Enumerable.Range(0, count).Select(i => i * iterations / (count - 1)).Select(i => new LeakSample(i, start + slope * i)).ToArray();

    public static MetricReport Metric(
        LeakMetric metric,
        IReadOnlyList<LeakSample> samples,
        MetricVerdict verdict,
        double slope,
        double lower,
        double upper,
        double budget,
        string reason,
        string? source = null
    ) => new(metric, source ?? $"{metric} source", samples, new SlopeEstimate(slope, lower, upper, 0.95, samples.Count), budget, verdict, reason);

    public static MetricReport NotMeasured(LeakMetric metric) =>
        new(metric, "not measured on this platform", [], SlopeEstimate.None, 0, MetricVerdict.NotMeasured, "not measured on this platform");

    public static LeakReport Report(
        IReadOnlyList<MetricReport> metrics,
        LeakOptions? options = null,
        HeapSummary? heap = null,
        string? heapUnavailable = null
    ) =>
        new(
            options ?? LeakOptions.Default,
            metrics,
            5,
            metrics.Max(m => m.Samples.Count == 0 ? 0 : m.Samples[^1].Iteration),
            4,
            TimeSpan.FromSeconds(2.345),
            heap,
            heapUnavailable
        );

    /// <summary>A managed leak of 312 B/iteration over 750 iterations with a heap summary; native memory plateaued; handles not measured; threads pass.</summary>
    public static LeakReport ManagedLeak(string? testName = "Contoso.Tests.OrderCacheTests.Lookup_does_not_leak") =>
        Report(
            [
                Metric(
                    LeakMetric.ManagedHeap,
                    Linear(750, 1_000_000, 312),
                    MetricVerdict.Leak,
                    312,
                    300,
                    330,
                    0,
                    "kept growing through 750 iterations and did not level off",
                    ManagedSource
                ),
                Metric(
                    LeakMetric.NativeHeap,
                    Linear(750, 5_000_000, 0),
                    MetricVerdict.Plateau,
                    0,
                    0,
                    0,
                    512,
                    "grew at first, then stayed within budget over iterations 50–150 (a plateau)",
                    "glibc mallinfo2: uordblks + hblkhd"
                ),
                NotMeasured(LeakMetric.Handles),
                Metric(LeakMetric.Threads, Linear(750, 20, 0), MetricVerdict.Pass, 0, 0, 0.02, 0, "no growth over budget", "/proc/self/status Threads"),
            ],
            LeakOptions.Default with
            {
                TestName = testName,
            },
            new HeapSummary(
                50,
                [
                    new TypeGrowth("Contoso.Trading.LeakyPriceSubscriber", 755, 805, 18_120, 19_320, 50),
                    new TypeGrowth("System.EventHandler<Contoso.Trading.PriceChangedEventArgs>", 756, 806, 48_384, 51_584, 50),
                    new TypeGrowth("System.Func<System.Int32, System.Boolean>|Weird`1", 10, 60, 640, 3_840, 50),
                ],
                10_000_000,
                10_015_600,
                TimeSpan.FromSeconds(1.5)
            )
        );
}
