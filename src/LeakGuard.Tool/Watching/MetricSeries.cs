using LeakGuard.Analysis;

namespace LeakGuard.Tool.Watching;

/// <summary>What the tool watches.</summary>
internal enum WatchedMetric
{
    /// <summary>The GC heap: its size after each GC (GCHeapStats), or the <c>gc-heap-size</c> counter when the target did not collect often enough.</summary>
    ManagedHeap,

    /// <summary>
    /// Memory outside the GC heap: resident anonymous memory outside the GC's own mappings (<c>/proc/&lt;pid&gt;/smaps</c>,
    /// <see cref="ProcStats.AnonymousOutside"/>); where that is unavailable, resident anonymous (or private) memory minus
    /// the GC's committed memory.
    /// </summary>
    NativeMemory,

    /// <summary>Resident set size, for reference (no budget).</summary>
    Rss,

    /// <summary>Open OS handles (file descriptors).</summary>
    Handles,

    /// <summary>Threads.</summary>
    Threads,
}

/// <summary>One sample of every source, <see cref="Seconds"/> after the watch started.</summary>
internal readonly record struct WatchSample(double Seconds, RuntimeReading Runtime, ProcStats Proc);

/// <summary>A metric's growth over the watch: Theil–Sen slope per hour with Sen's confidence interval, judged against its budget.</summary>
/// <param name="Metric">The metric, as named in JSON: <c>managed-heap</c>, <c>native-memory</c>, <c>rss</c>, <c>handles</c>, <c>threads</c>.</param>
/// <param name="Unit"><c>bytes</c> or <c>count</c>.</param>
/// <param name="Source">Where the figures come from.</param>
/// <param name="First">The first value.</param>
/// <param name="Last">The last value.</param>
/// <param name="SlopePerHour">Theil–Sen slope, units per hour.</param>
/// <param name="LowerPerHour">Lower bound of the slope's 95% confidence interval.</param>
/// <param name="UpperPerHour">Upper bound of the slope's 95% confidence interval.</param>
/// <param name="BudgetPerHour">The budget, units per hour; null when the metric is reported only.</param>
/// <param name="OverBudget">True when even the lower confidence bound of the slope exceeds the budget.</param>
/// <param name="Samples">Samples the slope was fitted on.</param>
internal sealed record MetricGrowth(
    string Metric,
    string Unit,
    string Source,
    double First,
    double Last,
    double SlopePerHour,
    double LowerPerHour,
    double UpperPerHour,
    double? BudgetPerHour,
    bool OverBudget,
    int Samples
)
{
    /// <summary>The confidence level of the bounds.</summary>
    public const double ConfidenceLevel = 0.95;

    /// <summary>Which metric this is (compare this, not <see cref="Metric"/>'s JSON name).</summary>
    public WatchedMetric Kind { get; init; }

    /// <summary>Display name: "managed heap", "native memory", …</summary>
    public string DisplayName => Metric.Replace('-', ' ');

    /// <summary>A value of this metric for people: <c>12.3 MB</c> or <c>42</c>.</summary>
    public string Format(double value) =>
        double.IsNaN(value) ? "n/a"
        : Unit == "bytes" ? Units.Bytes(value)
        : value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A rate of this metric: <c>12.3 MB/h</c>.</summary>
    public string FormatRate(double perHour) => Format(perHour) + "/h";

    /// <summary>Fits the growth of <paramref name="metric"/> over <paramref name="samples"/>.</summary>
    public static MetricGrowth Fit(WatchedMetric metric, IReadOnlyList<WatchSample> samples, WatchBudgets budgets)
    {
        var (name, unit, source, values, budget) = Series(metric, samples, budgets);
        var hours = samples.Select(s => s.Seconds / 3600).ToArray();
        var fit = TheilSen.Fit(hours, values, ConfidenceLevel);
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        var over = budget is { } b && fit.SampleCount >= 3 && fit.LowerBound > b;
        return new MetricGrowth(
            name,
            unit,
            source,
            present.Length > 0 ? present[0] : double.NaN,
            present.Length > 0 ? present[^1] : double.NaN,
            fit.PerIteration,
            fit.LowerBound,
            fit.UpperBound,
            budget,
            over,
            fit.SampleCount
        )
        {
            Kind = metric,
        };
    }

    /// <summary>The current value of <paramref name="metric"/> in one sample (for the live view).</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="sample">The sample.</param>
    /// <param name="afterGc">Use the after-GC figures (<see cref="UsesAfterGc"/>).</param>
    /// <param name="outsideGcMappings">
    /// Native memory is the resident anonymous memory outside the GC's mappings (<see cref="UsesOutsideGcMappings"/>); NaN
    /// in a sample without it.
    /// </param>
    public static double Current(WatchedMetric metric, WatchSample sample, bool afterGc, bool outsideGcMappings = false) =>
        metric switch
        {
            WatchedMetric.ManagedHeap => afterGc && !double.IsNaN(sample.Runtime.AfterGcHeapBytes)
                ? sample.Runtime.AfterGcHeapBytes
                : sample.Runtime.GcHeapSizeBytes,
            WatchedMetric.NativeMemory when outsideGcMappings => sample.Proc.NonGcAnonymousBytes,
            WatchedMetric.NativeMemory => afterGc && !double.IsNaN(sample.Runtime.NativeAfterGcBytes)
                ? sample.Runtime.NativeAfterGcBytes
                : sample.Proc.AnonymousRssBytes - GcResidentEstimate(sample.Runtime),
            WatchedMetric.Rss => sample.Proc.RssBytes,
            WatchedMetric.Handles => sample.Proc.Handles,
            _ => sample.Proc.Threads,
        };

    /// <summary>
    /// Memory the GC holds now: its committed memory as of the last GC (the <c>gc-committed</c> counter is updated by
    /// GCs), plus what was allocated since that GC (heap size now minus heap size after it).
    /// </summary>
    private static double GcResidentEstimate(RuntimeReading runtime)
    {
        var sinceLastGc = double.IsNaN(runtime.AfterGcHeapBytes) ? 0 : Math.Max(0, runtime.GcHeapSizeBytes - runtime.AfterGcHeapBytes);
        return runtime.GcCommittedBytes + sinceLastGc;
    }

    /// <summary>
    /// Some sample has the resident anonymous memory outside the GC's mappings (Linux, once the GC was seen using an
    /// address): native memory is that figure, and the samples without it are left out.
    /// </summary>
    public static bool UsesOutsideGcMappings(IReadOnlyList<WatchSample> samples) => samples.Any(s => !double.IsNaN(s.Proc.NonGcAnonymousBytes));

    /// <summary>The target collected at least three times during the watch: the managed heap is measured after each GC.</summary>
    public static bool UsesAfterGc(IReadOnlyList<WatchSample> samples) => samples.Count > 0 && samples[^1].Runtime.GcCount - samples[0].Runtime.GcCount >= 3;

    private static (string Name, string Unit, string Source, double[] Values, double? Budget) Series(
        WatchedMetric metric,
        IReadOnlyList<WatchSample> samples,
        WatchBudgets budgets
    )
    {
        var afterGc = UsesAfterGc(samples);
        var outsideGc = UsesOutsideGcMappings(samples);
        var values = samples.Select(s => Current(metric, s, afterGc, outsideGc)).ToArray();
        if ((metric is WatchedMetric.ManagedHeap || (metric is WatchedMetric.NativeMemory && !outsideGc)) && afterGc)
        {
            // Before the first GC of the watch there is no after-GC figure: those samples are left out.
            var firstGc = samples[0].Runtime.GcCount;
            for (var i = 0; i < samples.Count && samples[i].Runtime.GcCount == firstGc; i++)
                values[i] = double.NaN;
        }
        return metric switch
        {
            WatchedMetric.ManagedHeap => (
                "managed-heap",
                "bytes",
                afterGc
                    ? "GC heap size after each GC (EventPipe GCHeapStats)"
                    : "GC heap size counter (System.Runtime gc-heap-size: live objects and garbage not yet collected; the target collected fewer than 3 times)",
                values,
                budgets.ManagedBytesPerHour
            ),
            WatchedMetric.NativeMemory => (
                "native-memory",
                "bytes",
                outsideGc
                    ? "resident anonymous memory outside the GC's own mappings (/proc/<pid>/smaps Anonymous, the GC's mappings being those that overlap the regions it reports: EventPipe GCGenerationRange)"
                    : (OperatingSystem.IsLinux() ? "resident anonymous memory (/proc RssAnon)" : "private memory")
                        + (
                            afterGc
                                ? " read right after each GC, minus the GC's committed memory (gc-committed)"
                                : " minus the GC's memory (gc-committed at the last GC plus gc-heap-size growth since)"
                        ),
                values,
                budgets.NativeBytesPerHour
            ),
            WatchedMetric.Rss => ("rss", "bytes", OperatingSystem.IsLinux() ? "resident set size (/proc VmRSS)" : "working set", values, null),
            WatchedMetric.Handles => ("handles", "count", "open file descriptors (/proc/<pid>/fd)", values, budgets.HandlesPerHour),
            _ => ("threads", "count", "threads (/proc/<pid>/status)", values, budgets.ThreadsPerHour),
        };
    }
}

/// <summary>Growth budgets, per hour.</summary>
internal sealed record WatchBudgets(double ManagedBytesPerHour, double NativeBytesPerHour, double HandlesPerHour, double ThreadsPerHour);
