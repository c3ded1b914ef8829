using System.Globalization;
using LeakGuard.HeapAnalysis;
using LeakGuard.Tool.Watching;

namespace LeakGuard.Tool.Output;

/// <summary>The text reports of the verbs.</summary>
internal static class ReportText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The report of <c>watch</c> and <c>run</c>.</summary>
    public static void WriteWatch(TextWriter w, WatchReport report)
    {
        w.WriteLine();
        w.WriteLine(
            $"Growth of process {report.Process.Pid} ({report.Process.Name}) over {report.DurationSeconds.ToString("0.#", Invariant)} s, {report.Samples} samples, {report.GcCount} GCs (Theil–Sen slope per hour, 95% confidence interval):"
        );
        w.WriteLine($"  {"metric", -14} {"first", 10} {"last", 10}   {"growth/h", 12}  {"95% CI", -26} {"budget/h", 10}  verdict");
        foreach (var m in report.Metrics)
        {
            var ci = $"{m.Format(m.LowerPerHour)} to {m.Format(m.UpperPerHour)}";
            var budget = m.BudgetPerHour is { } b ? m.Format(b) : "-";
            var verdict =
                m.BudgetPerHour is null ? "(reported only)"
                : m.OverBudget ? "OVER BUDGET"
                : "ok";
            w.WriteLine(
                $"  {m.DisplayName, -14} {m.Format(m.First), 10} {m.Format(m.Last), 10}   {m.Format(m.SlopePerHour), 12}  {ci, -26} {budget, 10}  {verdict}"
            );
        }
        foreach (var m in report.Metrics.Where(m => m.BudgetPerHour is not null || m.Metric == "rss"))
            w.WriteLine($"    {m.DisplayName}: {m.Source}");
        w.WriteLine();
        foreach (var finding in report.Findings)
            w.WriteLine(finding);
        if (report.Snapshots is { } snapshots)
        {
            w.WriteLine();
            if (snapshots.Comparison is { } comparison)
            {
                w.WriteLine(
                    $"Heap snapshots: 2, {snapshots.DelaySeconds.ToString("0.#", Invariant)} s apart{(snapshots.GcInduced ? ", a full GC induced before each" : "")}; the target was suspended {string.Join(" s and ", snapshots.DumpSeconds.Select(s => s.ToString("0.00", Invariant)))} s while they were written."
                );
                WriteComparison(w, comparison, snapshots.DelaySeconds);
            }
            else
            {
                w.WriteLine($"No heap summary: {snapshots.Error}");
            }
        }
        w.WriteLine();
        w.WriteLine(report.ExitCode == (int)ReturnCode.GrowthOverBudget ? "Exit code 1: growth over budget." : "Exit code 0: no growth over budget.");
    }

    /// <summary>The growing types of a comparison with their retention paths.</summary>
    /// <param name="w">Where to write.</param>
    /// <param name="comparison">The comparison.</param>
    /// <param name="seconds">Seconds between the snapshots, for rates per hour; null when unknown (dumps given by the user).</param>
    public static void WriteComparison(TextWriter w, HeapComparison comparison, double? seconds)
    {
        w.WriteLine(
            $"Heap: {Units.Bytes(comparison.TotalBytesBefore)} in {comparison.ObjectsBefore:#,0} objects → {Units.Bytes(comparison.TotalBytesAfter)} in {comparison.ObjectsAfter:#,0} objects ({Signed(comparison.TotalBytesAfter - comparison.TotalBytesBefore, bytes: true)})."
        );
        if (comparison.Types.Count == 0)
        {
            w.WriteLine("No type grew between the snapshots.");
            return;
        }
        w.WriteLine("Types that grew (application types first):");
        w.WriteLine($"  {"instances", 16} {"bytes", 22}   type");
        foreach (var type in comparison.Types)
        {
            var instances = $"{Signed(type.CountAfter - type.CountBefore, bytes: false)}";
            var bytes = Signed(type.BytesAfter - type.BytesBefore, bytes: true);
            var rate = seconds is { } s && s > 0 ? $" ({Units.Bytes((type.BytesAfter - type.BytesBefore) / s * 3600)}/h)" : "";
            w.WriteLine($"  {instances, 16} {bytes + rate, 22}   {type.TypeName}   ({type.CountBefore:#,0} → {type.CountAfter:#,0} instances)");
            foreach (var path in type.Paths)
                w.WriteLine($"      {path.Instances - path.InstancesBefore:+#,0;-#,0;0} ({path.Instances:#,0} in all) via {path.Text}");
            if (type.SizeGrowth is { } size)
                w.WriteLine($"      grew in size {Signed(size.BytesAfter - size.BytesBefore, bytes: true)} via {size.Path.Text}");
            if (type.PathsUnavailableReason is { } why)
                w.WriteLine(type.Paths.Count > 0 ? $"      (also: {why})" : $"      (no retention path: {why})");
        }
        if (comparison.SafeHandleTypes.Count > 0)
        {
            w.WriteLine("SafeHandle types that grew (managed handles that own native memory or OS handles):");
            foreach (var handle in comparison.SafeHandleTypes)
                w.WriteLine($"  {Signed(handle.CountAfter - handle.CountBefore, bytes: false), 16}   {handle.TypeName}");
        }
        if (comparison.PathsNote is { } note)
            w.WriteLine($"Note: {note}");
    }

    /// <summary>The report of <c>analyze</c>.</summary>
    public static void WriteSummary(TextWriter w, string dump, HeapSnapshotSummary summary)
    {
        w.WriteLine($"Heap of {dump}: {Units.Bytes(summary.TotalBytes)} in {summary.Objects:#,0} objects of {summary.TypeCount:#,0} types.");
        w.WriteLine($"Largest types (shallow bytes):");
        w.WriteLine($"  {"instances", 14} {"bytes", 12}   type");
        foreach (var type in summary.Types)
            w.WriteLine($"  {type.Count, 14:#,0} {Units.Bytes(type.Bytes), 12}   {type.TypeName}");
        if (summary.SearchedType is { } searched)
        {
            w.WriteLine();
            w.WriteLine($"Retention paths of {searched.TypeName} ({searched.Count:#,0} instances, {Units.Bytes(searched.Bytes)}):");
            foreach (var path in summary.Paths)
                w.WriteLine($"  {path.Instances:#,0} via {path.Text}");
            if (summary.Paths.Count == 0)
                w.WriteLine("  none found.");
            if (summary.PathsNote is { } note)
                w.WriteLine($"Note: {note}");
        }
    }

    private static string Signed(long value, bool bytes) => bytes ? (value >= 0 ? "+" : "") + Units.Bytes(value) : value.ToString("+#,0;-#,0;0", Invariant);
}
