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

    /// <summary>
    /// True when the run fails its test: a metric leaked (<see cref="HasLeak"/>) or the allocation traffic exceeds
    /// <see cref="LeakOptions.MaxAllocatedBytesPerIteration"/> (<see cref="AllocationReport.IsOverBudget"/>). The
    /// adapters and <see cref="LeakTest.AssertNoLeak"/> fail on it.
    /// </summary>
    public bool Failed => HasLeak || Allocations.IsOverBudget;

    /// <summary>Allocation traffic of the measured iterations, with its verdict when a budget is set.</summary>
    public AllocationReport Allocations { get; internal init; } = new(0, 0, null, "not measured");

    /// <summary>
    /// The ignore rules (<see cref="LeakOptions.IgnoreRules"/>) that matched growing types in the heap summary, with the
    /// growth each set aside; empty when none matched or none were applied (see <see cref="IgnoreRulesNote"/>).
    /// </summary>
    public IReadOnlyList<IgnoredGrowth> IgnoredGrowth { get; internal init; } = [];

    /// <summary>Why ignore rules could not be applied to a managed leak (no heap summary); null otherwise.</summary>
    public string? IgnoreRulesNote { get; internal init; }

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

    /// <summary>
    /// The heap summary, taken when <see cref="LeakOptions.CaptureHeapSummary"/> is on and the managed heap leaked, or
    /// native memory or handles leaked and <c>SafeHandle</c> types grew with them; otherwise null.
    /// </summary>
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
    /// The folder this run's artifacts were written to (<c>report.json</c>, <c>summary.md</c>, one chart per measured
    /// metric: see <see cref="LeakOptions.Artifacts"/>), as a full path; null when none were written (the policy did not
    /// ask for them, or writing failed: see <see cref="ArtifactsUnavailableReason"/>).
    /// </summary>
    public string? ArtifactsDirectory { get; internal set; }

    /// <summary>The names of the files written to <see cref="ArtifactsDirectory"/>, e.g. <c>report.json</c>, <c>summary.md</c>, <c>managed-heap.svg</c>; empty when none were written.</summary>
    public IReadOnlyList<string> ArtifactFiles { get; internal set; } = [];

    /// <summary>
    /// Why artifacts the policy asked for are missing, as one sentence:
    /// <c>Artifacts could not be written to '&lt;folder&gt;': &lt;reason&gt;</c>; null otherwise. The verdict is not affected.
    /// </summary>
    public string? ArtifactsUnavailableReason { get; internal set; }

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
        if (leaks.Count == 0 && Allocations.IsOverBudget)
        {
            text.Append("LeakGuard: allocation budget exceeded").Append(InTest).AppendLine(".");
            text.Append("  ").Append(Allocations).AppendLine(".");
        }
        else if (leaks.Count > 0)
        {
            text.Append("LeakGuard: leak detected: ")
                .Append(leaks.Count)
                .Append(leaks.Count == 1 ? " metric" : " metrics")
                .Append(" grew over budget")
                .Append(InTest)
                .AppendLine(".");
            foreach (var leak in leaks)
                text.Append("  ").Append(leak).AppendLine(".");
            if (Allocations.IsOverBudget)
                text.Append("  ").Append(Allocations).AppendLine(".");
        }
        else
        {
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"LeakGuard: no leak: every metric within budget over {Iterations} iterations{InTest}{(IgnoredGrowth.Count > 0 ? " (managed heap growth set aside by ignore rules, listed below)" : "")}."
            );
        }

        if (HeapSummary is { } heap)
            AppendHeapSummary(text, heap, listSafeHandles: NativeAttribution is not { OwningHandleTypes.Count: > 0 });
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
                $"  {metric.Name, -14} {verdict, -12} {metric.FormatRate(metric.Slope.PerIteration)} ({MetricReport.Percent(metric.Slope.ConfidenceLevel)} CI {MetricReport.FormatNumber(metric.Slope.LowerBound)}–{MetricReport.FormatNumber(metric.Slope.UpperBound)}), {metric.BudgetText}; {metric.Reason} [{metric.Source}]"
            );
        }
        if (Allocations.BudgetPerIteration is not null || Allocations.TotalBytes > 0)
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"  {"allocations", -14} {(Allocations.IsOverBudget ? "OVER BUDGET" : "")}{(Allocations.IsOverBudget ? " " : "")}{Allocations}"
            );
        if (IgnoredGrowth.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Ignore rules that matched (growth set aside):");
            foreach (var ignored in IgnoredGrowth)
                text.Append("  ").AppendLine(ignored.ToString());
        }
        else if (IgnoreRulesNote is { } ignoreNote)
        {
            text.AppendLine().AppendLine(ignoreNote);
        }
        if (Options.Sources.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Settings set explicitly (by a file, an attribute or the environment; the rest are the defaults):");
            foreach (var setting in Options.Sources)
                text.Append("  ").AppendLine(setting.ToString());
        }
        NativeAttributionText.Append(text, NativeAttribution, HandleAttribution);
        if (ArtifactsDirectory is { } folder)
        {
            var charts = ArtifactFiles.Count(f => f.EndsWith(".svg", StringComparison.Ordinal));
            var files = string.Join(
                ", ",
                ArtifactFiles.Where(f => !f.EndsWith(".svg", StringComparison.Ordinal)).Append(charts == 1 ? "1 chart" : $"{charts} charts")
            );
            text.AppendLine().Append("Artifacts: ").Append(folder).Append(" (").Append(files).AppendLine(")");
        }
        else if (ArtifactsUnavailableReason is { } notWritten)
        {
            text.AppendLine().AppendLine(notWritten);
        }
        return text.ToString();
    }

    private static void AppendHeapSummary(StringBuilder text, HeapSummary heap, bool listSafeHandles)
    {
        text.AppendLine();
        var selection = heap.GrewInEveryInterval
            ? "types that grew in every interval"
            : "no type grew in every interval, so: types that grew from the first to the last snapshot";
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Heap summary (ClrMD, {heap.SnapshotCount} heap snapshots over {heap.IterationsBetweenSnapshots} iterations; {selection}, application types first; shortest retention paths from GC roots):"
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
            foreach (var path in type.Paths)
            {
                var gained = path.Instances - path.InstancesBefore;
                var change = gained == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" ({(gained > 0 ? "+" : "")}{gained:#,0})");
                text.AppendLine(
                    CultureInfo.InvariantCulture,
                    $"      {path.Instances:#,0} {(path.Instances == 1 ? "instance" : "instances")}{change} via {path.Text}"
                );
            }
            if (type.SizeGrowth is { } largest)
            {
                var via = $"via {largest.Path.Text}";
                text.AppendLine(
                    CultureInfo.InvariantCulture,
                    $"      grew in size: {largest.Path.Instances:#,0} {(largest.Path.Instances == 1 ? "instance" : "instances")} now {largest.BytesAfter:#,0} B (was {largest.BytesBefore:#,0} B at the same path) {via}"
                );
            }
            if (type.PathsUnavailableReason is { } missing)
                text.AppendLine(
                    CultureInfo.InvariantCulture,
                    $"      {(type.Paths.Count == 0 && type.SizeGrowth is null ? "no retention path" : "note")}: {missing}"
                );
        }
        if (listSafeHandles && heap.SafeHandleTypes.Count > 0)
        {
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"  SafeHandle types that grew (they own native memory or OS handles): {string.Join(", ", heap.SafeHandleTypes.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.TypeName} (+{t.CountAfter - t.CountBefore:#,0})")))}"
            );
        }
        if (heap.PathsNote is { } note)
            text.AppendLine(CultureInfo.InvariantCulture, $"  Retention paths: {note}.");
        if (heap.KeptDumpPath is { } dump)
            text.AppendLine(CultureInfo.InvariantCulture, $"  Heap dump kept: {dump} (mode 0600; it holds the whole process's memory).");
        else if (heap.KeptDumpNote is { } notKept)
            text.AppendLine(CultureInfo.InvariantCulture, $"  Heap dump: {notKept}.");
    }

    /// <summary>" in &lt;test name&gt;" for the first line when the run is named, on one line; empty otherwise.</summary>
    private string InTest =>
        string.IsNullOrWhiteSpace(Options.TestName)
            ? ""
            : " in " + string.Join(' ', Options.TestName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Signed(double value) => (value > 0 ? "+" : "") + MetricReport.FormatNumber(value);
}
