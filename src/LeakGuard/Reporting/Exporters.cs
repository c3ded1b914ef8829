using LeakGuard.Sampling;

namespace LeakGuard.Reporting;

/// <summary>One file an exporter made: its name (no folder) and its text (UTF-8 when written).</summary>
/// <param name="FileName">The file's name, e.g. <c>report.json</c>.</param>
/// <param name="Content">Its text.</param>
internal readonly record struct ExportedFile(string FileName, string Content);

/// <summary>
/// One output format of a <see cref="LeakReport"/> (as BenchmarkDotNet's <c>IExporter</c>): the console text, the
/// JSON report, the charts, the Markdown summary. Exporters read the report; they never change it.
/// </summary>
internal interface ILeakReportExporter
{
    /// <summary>The files of <paramref name="report"/> in this format; <paramref name="earlier"/> are the files the exporters before it made (the summary links to them).</summary>
    IEnumerable<ExportedFile> Export(LeakReport report, IReadOnlyList<ExportedFile> earlier);

    /// <summary>The names this exporter writes or removes, whether or not it has content for them this run.</summary>
    IEnumerable<string> FileNames(LeakReport report);
}

/// <summary>The human report (<see cref="LeakReport.ToString"/>): the failure message of a test, and <c>report.txt</c> on request.</summary>
internal sealed class TextExporter : ILeakReportExporter
{
    /// <summary>The file name, when written as a file.</summary>
    public const string FileName = "report.txt";

    /// <inheritdoc />
    public IEnumerable<ExportedFile> Export(LeakReport report, IReadOnlyList<ExportedFile> earlier) => [new(FileName, report.ToString())];

    /// <inheritdoc />
    public IEnumerable<string> FileNames(LeakReport report) => [FileName];
}

/// <summary><c>report.json</c> (schema in docs/report-schema.md).</summary>
internal sealed class JsonExporter : ILeakReportExporter
{
    /// <inheritdoc />
    public IEnumerable<ExportedFile> Export(LeakReport report, IReadOnlyList<ExportedFile> earlier) => [new(LeakArtifacts.ReportFileName, report.ToJson())];

    /// <inheritdoc />
    public IEnumerable<string> FileNames(LeakReport report) => [LeakArtifacts.ReportFileName];
}

/// <summary>One SVG chart per measured metric (<c>managed-heap.svg</c>, …), drawing the fit window the judge handed over.</summary>
internal sealed class SvgChartExporter : ILeakReportExporter
{
    /// <inheritdoc />
    public IEnumerable<ExportedFile> Export(LeakReport report, IReadOnlyList<ExportedFile> earlier)
    {
        foreach (var metric in report.Metrics)
        {
            if (SvgChart.Render(metric, report.Options.TestName, report.Options.Iterations) is { } svg)
                yield return new(SvgChart.FileName(metric.Metric), svg);
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> FileNames(LeakReport report) => MetricTable.All.Select(m => SvgChart.FileName(m.Metric));
}

/// <summary><c>summary.md</c>: the report for a CI job summary, linking the charts made before it.</summary>
internal sealed class MarkdownExporter : ILeakReportExporter
{
    /// <inheritdoc />
    public IEnumerable<ExportedFile> Export(LeakReport report, IReadOnlyList<ExportedFile> earlier)
    {
        var charts = new Dictionary<LeakMetric, string>();
        foreach (var metric in MetricTable.All)
        {
            var file = SvgChart.FileName(metric.Metric);
            if (earlier.Any(f => f.FileName == file))
                charts[metric.Metric] = file;
        }
        return [new(LeakArtifacts.SummaryFileName, MarkdownSummary.Write(report, charts, LeakArtifacts.ReportFileName))];
    }

    /// <inheritdoc />
    public IEnumerable<string> FileNames(LeakReport report) => [LeakArtifacts.SummaryFileName];
}
