using System.Globalization;
using System.Text;

namespace LeakGuard;

/// <summary>
/// The outcome of a leak run: per metric the samples, the slope per iteration with its confidence bounds, the budget
/// and the verdict; the heap summary when one was taken. <see cref="ToString"/> is the human report.
/// </summary>
public sealed class LeakReport
{
    internal LeakReport(
        LeakOptions options,
        IReadOnlyList<MetricReport> metrics,
        int warmupIterations,
        int iterations,
        int rounds,
        TimeSpan elapsed,
        HeapSummary? heapSummary,
        string? heapSummaryUnavailableReason
    )
    {
        Options = options;
        Metrics = metrics;
        WarmupIterations = warmupIterations;
        Iterations = iterations;
        Rounds = rounds;
        Elapsed = elapsed;
        HeapSummary = heapSummary;
        HeapSummaryUnavailableReason = heapSummaryUnavailableReason;
    }

    /// <summary>True when at least one metric grew over its budget (<see cref="MetricVerdict.Leak"/>).</summary>
    public bool HasLeak => Metrics.Any(m => m.IsOverBudget);

    /// <summary>The options the run used.</summary>
    public LeakOptions Options { get; }

    /// <summary>One entry per <see cref="LeakMetric"/>, in enum order.</summary>
    public IReadOnlyList<MetricReport> Metrics { get; }

    /// <summary>The report of one metric.</summary>
    /// <param name="metric">The metric.</param>
    /// <exception cref="KeyNotFoundException">The metric is not in the report.</exception>
    public MetricReport this[LeakMetric metric] =>
        Metrics.FirstOrDefault(m => m.Metric == metric) ?? throw new KeyNotFoundException($"No metric {metric} in the report.");

    /// <summary>The metrics that grew over budget.</summary>
    public IEnumerable<MetricReport> Leaks => Metrics.Where(m => m.IsOverBudget);

    /// <summary>Warmup iterations run before the first sample.</summary>
    public int WarmupIterations { get; }

    /// <summary>Measured iterations run, extension rounds included (warmup and the heap summary's iterations not included).</summary>
    public int Iterations { get; }

    /// <summary>Rounds of sampling: 1 when the first <see cref="LeakOptions.Iterations"/> were conclusive, more when the run was extended.</summary>
    public int Rounds { get; }

    /// <summary>Wall time of the run, heap summary included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The heap summary, taken only when the managed heap leaked and <see cref="LeakOptions.CaptureHeapSummary"/> is on; otherwise null.</summary>
    public HeapSummary? HeapSummary { get; }

    /// <summary>Why a heap summary that should have been taken is missing (e.g. the dump could not be written); null otherwise.</summary>
    public string? HeapSummaryUnavailableReason { get; }

    /// <summary>Where native memory grew (malloc arenas or mmapped chunks, which memory mappings, which SafeHandle types),
    /// taken only when native memory leaked; otherwise null. See <see cref="LeakGuard.NativeAttribution"/>.</summary>
    public NativeAttribution? NativeAttribution { get; internal init; }

    /// <summary>Which kinds of handles grew (sockets, pipes, files by directory), taken only when handles leaked;
    /// otherwise null. See <see cref="LeakGuard.HandleAttribution"/>.</summary>
    public HandleAttribution? HandleAttribution { get; internal init; }

    /// <summary>
    /// The report as JSON, schema version 1 (<c>docs/report-schema.md</c>): verdict, options, every metric with its
    /// samples, slope, budget and verdict, and the heap summary. Values JSON cannot hold (NaN) are written as null.
    /// </summary>
    /// <param name="indented">Indent for reading; false writes one line.</param>
    /// <returns>A JSON object with <c>"schemaVersion": 1</c>.</returns>
    public string ToJson(bool indented = true) => Reporting.LeakReportJson.Write(this, indented);

    /// <summary>The human report: first the metrics over budget with their evidence, then the heap summary, then every metric.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var leaks = Leaks.ToList();
        if (leaks.Count > 0)
        {
            text.Append("LeakGuard: leak detected: ").Append(leaks.Count).Append(leaks.Count == 1 ? " metric" : " metrics").AppendLine(" grew over budget.");
            foreach (var leak in leaks)
                text.Append("  ").Append(leak).AppendLine(".");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"LeakGuard: no leak: every metric within budget over {Iterations} iterations.");
        }

        if (HeapSummary is { } heap)
        {
            text.AppendLine();
            var selection = heap.GrewInEveryInterval
                ? "types that grew in every interval"
                : "no type grew in every interval, so: types that grew from the first to the last snapshot";
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"Heap summary (ClrMD, {heap.SnapshotCount} heap snapshots over {heap.IterationsBetweenSnapshots} iterations; {selection}, application types first):"
            );
            if (heap.Types.Count == 0)
                text.AppendLine("  no type grew (the growth may be in objects that are replaced rather than added, or outside the managed heap).");
            else
                text.AppendLine("  instances/iteration   bytes/iteration   type");
            foreach (var type in heap.Types)
            {
                text.AppendLine(
                    CultureInfo.InvariantCulture,
                    $"  {Signed(type.InstancesPerIteration), 19}   {Signed(type.BytesPerIteration) + " B", 15}   {type.TypeName}   ({type.CountBefore:#,0} → {type.CountAfter:#,0} instances, {type.BytesBefore:#,0} → {type.BytesAfter:#,0} B)"
                );
            }
        }
        else if (HeapSummaryUnavailableReason is { } why)
        {
            text.AppendLine();
            text.Append("Heap summary unavailable: ").Append(why).AppendLine(" The verdict above stands.");
        }

        text.AppendLine();
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Metrics (warmup {WarmupIterations} iterations, then {Iterations} iterations in {Rounds} {(Rounds == 1 ? "round" : "rounds")}, {Elapsed.TotalSeconds:0.0} s):"
        );
        foreach (var metric in Metrics)
        {
            if (!metric.IsMeasured)
            {
                var why = metric.Source == "not measured on this platform" ? "" : $" ({metric.Source})";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {metric.Name, -14} not measured on this platform{why}");
                continue;
            }
            var verdict = metric.Verdict == MetricVerdict.Leak ? "LEAK" : metric.Verdict.ToString().ToLowerInvariant();
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"  {metric.Name, -14} {verdict, -12} {metric.FormatRate(metric.Slope.PerIteration)} ({MetricReport.Percent(metric.Slope.ConfidenceLevel)} CI {MetricReport.FormatNumber(metric.Slope.LowerBound)}–{MetricReport.FormatNumber(metric.Slope.UpperBound)}), budget {metric.FormatRate(metric.BudgetPerIteration)}; {metric.Reason} [{metric.Source}]"
            );
        }
        NativeAttributionText.Append(text, NativeAttribution, HandleAttribution);
        return text.ToString();
    }

    private static string Signed(double value) => (value > 0 ? "+" : "") + MetricReport.FormatNumber(value);
}
