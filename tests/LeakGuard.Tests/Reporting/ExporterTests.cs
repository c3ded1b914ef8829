using LeakGuard.Reporting;
using LeakGuard.Tests.Analysis;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Reporting;

/// <summary>The exporters behind one interface: each reads the report and makes its files; the artifacts are their union.</summary>
public class ExporterTests
{
    [Fact]
    public async Task The_artifact_exporters_make_the_json_one_chart_per_measured_metric_and_a_summary_linking_them()
    {
        var report = await new ScriptedSampleSource().With(LeakMetric.ManagedHeap, (i, _) => 24.0 * i).RunAsync();
        var made = new List<ExportedFile>();

        foreach (var exporter in LeakArtifacts.ArtifactExporters)
            made.AddRange(exporter.Export(report, made));

        made.Select(f => f.FileName).ShouldBe(["report.json", "managed-heap.svg", "native-memory.svg", "handles.svg", "threads.svg", "summary.md"]);
        made[0].Content.ShouldBe(report.ToJson());
        made[^1].Content.ShouldContain("managed-heap.svg");
        new TextExporter().Export(report, []).ShouldHaveSingleItem().Content.ShouldBe(report.ToString());
    }
}
