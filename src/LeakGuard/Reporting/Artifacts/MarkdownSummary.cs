using System.Globalization;
using System.Text;

namespace LeakGuard.Reporting;

/// <summary>
/// The <c>summary.md</c> of a run's artifacts: GitHub-flavoured Markdown for a CI step summary (GitHub Actions'
/// <c>$GITHUB_STEP_SUMMARY</c>, Azure Pipelines' <c>task.uploadsummary</c>) that still reads well as plain text.
/// </summary>
/// <remarks>
/// Names that are not LeakGuard's own (the test name, type names) are written as code spans, so that <c>&lt;</c> and
/// <c>&gt;</c> of generic type names are shown as they are and never taken for HTML; in table cells <c>|</c> is
/// escaped as <c>\|</c> (GitHub's tables honour that escape inside code spans too).
/// </remarks>
internal static class MarkdownSummary
{
    /// <summary>The summary of <paramref name="report"/>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="chartFiles">Chart file names by metric, linked relative to the summary; metrics without one get no link.</param>
    /// <param name="jsonFile">The JSON report's file name, linked at the end; null for no link.</param>
    public static string Write(LeakReport report, IReadOnlyDictionary<LeakMetric, string> chartFiles, string? jsonFile)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(chartFiles);
        var md = new StringBuilder();
        var name = string.IsNullOrWhiteSpace(report.Options.TestName) ? "" : " in " + Code(OneLine(report.Options.TestName), inTable: false);
        var leaks = report.Leaks.ToList();
        if (leaks.Count > 0)
        {
            md.Append("## LeakGuard: leak detected").Append(name).AppendLine().AppendLine();
            md.Append(leaks.Count).Append(leaks.Count == 1 ? " metric" : " metrics").AppendLine(" grew over budget:").AppendLine();
            foreach (var leak in leaks)
                md.Append("- **").Append(leak.Name).Append("** ").Append(Text(leak.ToString()[leak.Name.Length..].TrimStart(), inTable: false)).AppendLine(".");
        }
        else
        {
            md.Append("## LeakGuard: no leak").Append(name).AppendLine().AppendLine();
            md.Append("Every metric within budget over ").Append(report.Iterations.ToString("#,0", CultureInfo.InvariantCulture)).AppendLine(" iterations.");
        }
        md.AppendLine();
        md.AppendLine(
            CultureInfo.InvariantCulture,
            $"Warmup {report.WarmupIterations} iterations, then {report.Iterations:#,0} iterations in {report.Rounds} {(report.Rounds == 1 ? "round" : "rounds")}, {report.Elapsed.TotalSeconds:0.0} s."
        );
        md.AppendLine();

        md.AppendLine("| Metric | Verdict | Slope per iteration (CI) | Budget per iteration | Samples | Chart |");
        md.AppendLine("|---|---|---|---|--:|---|");
        foreach (var metric in report.Metrics)
        {
            var verdict = metric.Verdict == MetricVerdict.Leak ? "**LEAK**" : SvgChart.VerdictText(metric.Verdict);
            var chart = chartFiles.TryGetValue(metric.Metric, out var file) ? $"[{Text(file, inTable: true)}]({LinkTarget(file)})" : "–";
            if (!metric.IsMeasured)
            {
                md.AppendLine(
                    CultureInfo.InvariantCulture,
                    $"| {metric.Name} | {verdict} | – | {metric.FormatRate(metric.BudgetPerIteration)} | 0 | {chart} |"
                );
                continue;
            }
            var slope = metric.Slope;
            md.AppendLine(
                CultureInfo.InvariantCulture,
                $"| {metric.Name} | {verdict} | {metric.FormatRate(slope.PerIteration)} ({MetricReport.Percent(slope.ConfidenceLevel)} CI {MetricReport.FormatNumber(slope.LowerBound)}–{MetricReport.FormatNumber(slope.UpperBound)}) | {metric.FormatRate(metric.BudgetPerIteration)} | {metric.Samples.Count} | {chart} |"
            );
        }
        md.AppendLine();
        foreach (var metric in report.Metrics)
        {
            var why = metric.IsMeasured ? $"{metric.Reason} (source: {metric.Source})" : metric.Source;
            md.Append("- ").Append(metric.Name).Append(": ").AppendLine(Text(why, inTable: false));
        }

        if (report.HeapSummary is { } heap)
        {
            md.AppendLine();
            md.AppendLine(
                heap.GrewInEveryInterval
                    ? "### Heap summary: types that grew in every interval"
                    : "### Heap summary: types that grew from the first to the last snapshot"
            );
            md.AppendLine();
            var steady = heap.GrewInEveryInterval ? "" : " No type grew in every interval.";
            md.AppendLine(
                CultureInfo.InvariantCulture,
                $"ClrMD, {heap.SnapshotCount} heap snapshots over {heap.IterationsBetweenSnapshots} iterations; application types first.{steady}"
            );
            md.AppendLine();
            if (heap.Types.Count == 0)
            {
                md.AppendLine("No type grew (the growth may be in objects that are replaced rather than added, or outside the managed heap).");
            }
            else
            {
                md.AppendLine("| Instances/iteration | Bytes/iteration | Type | Instances | Bytes |");
                md.AppendLine("|--:|--:|---|--:|--:|");
                foreach (var type in heap.Types)
                {
                    md.AppendLine(
                        CultureInfo.InvariantCulture,
                        $"| {Signed(type.InstancesPerIteration)} | {Signed(type.BytesPerIteration)} B | {Code(type.TypeName, inTable: true)} | {type.CountBefore:#,0} → {type.CountAfter:#,0} | {type.BytesBefore:#,0} → {type.BytesAfter:#,0} |"
                    );
                }
            }
        }
        else if (report.HeapSummaryUnavailableReason is { } unavailable)
        {
            md.AppendLine();
            md.Append("Heap summary unavailable: ").Append(Text(unavailable, inTable: false)).AppendLine(" The verdict above stands.");
        }

        if (jsonFile is not null)
        {
            md.AppendLine();
            md.AppendLine(
                CultureInfo.InvariantCulture,
                $"Full report: [{Text(jsonFile, inTable: false)}]({LinkTarget(jsonFile)}) (JSON schema {LeakReportJson.SchemaVersion}: samples, slopes, options)."
            );
        }
        return md.ToString();
    }

    /// <summary>A code span: shows <paramref name="text"/> literally (no HTML, no emphasis), whatever backticks it holds.</summary>
    internal static string Code(string text, bool inTable)
    {
        var longestRun = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }
        var fence = new string('`', longestRun + 1);
        var padding = text.StartsWith('`') || text.EndsWith('`') ? " " : "";
        var body = inTable ? text.Replace("|", "\\|", StringComparison.Ordinal) : text;
        return fence + padding + body + padding + fence;
    }

    /// <summary>
    /// Plain text with the characters that Markdown (or HTML inside it) would interpret escaped: backslash, <c>`</c>,
    /// <c>*</c>, <c>_</c>, <c>[</c>, <c>]</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, and <c>|</c> in table cells.
    /// </summary>
    internal static string Text(string text, bool inTable)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '&' => escaped.Append("&amp;"),
                '\\' or '`' or '*' or '_' or '[' or ']' => escaped.Append('\\').Append(c),
                '|' when inTable => escaped.Append("\\|"),
                '\r' or '\n' => escaped.Append(' '),
                _ => escaped.Append(c),
            };
        }
        return escaped.ToString();
    }

    private static string LinkTarget(string file) => Uri.EscapeDataString(file);

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Signed(double value) => (value > 0 ? "+" : "") + MetricReport.FormatNumber(value);
}
