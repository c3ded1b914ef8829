using System.Text.Json;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Reporting;

public class ReportJsonTests
{
    private static LeakReport Report(HeapSummary? heap) =>
        new(
            LeakOptions.Default,
            [
                new MetricReport(
                    LeakMetric.ManagedHeap,
                    "managed source",
                    [new LeakSample(0, 1000), new LeakSample(50, 2200)],
                    new SlopeEstimate(24, 23.5, 24.5, 0.95, 51),
                    0,
                    MetricVerdict.Leak,
                    "kept growing"
                ),
                new MetricReport(LeakMetric.Handles, "not measured on this platform", [], SlopeEstimate.None, 0, MetricVerdict.NotMeasured, "not measured"),
                new MetricReport(
                    LeakMetric.NativeHeap,
                    "native source",
                    [new LeakSample(0, double.NaN), new LeakSample(50, 10)],
                    new SlopeEstimate(double.NaN, 0, 0, 0.95, 1),
                    512,
                    MetricVerdict.Pass,
                    "no growth over budget"
                ),
            ],
            5,
            750,
            4,
            TimeSpan.FromSeconds(1.25),
            heap,
            heap is null ? "the dump could not be written." : null
        );

    [Fact]
    public void The_json_carries_the_verdict_the_metrics_and_the_schema_version()
    {
        using var document = JsonDocument.Parse(Report(null).ToJson());
        var root = document.RootElement;

        root.GetProperty("schemaVersion").GetInt32().ShouldBe(1);
        root.GetProperty("hasLeak").GetBoolean().ShouldBeTrue();
        root.GetProperty("iterations").GetInt32().ShouldBe(750);
        root.GetProperty("elapsedSeconds").GetDouble().ShouldBe(1.25);
        root.GetProperty("options").GetProperty("maxNativeBytesPerIteration").GetDouble().ShouldBe(512);
        root.GetProperty("options").GetProperty("timeoutSeconds").ValueKind.ShouldBe(JsonValueKind.Null);
        var managed = root.GetProperty("metrics")[0];
        managed.GetProperty("metric").GetString().ShouldBe("managedHeap");
        managed.GetProperty("verdict").GetString().ShouldBe("leak");
        managed.GetProperty("slope").GetProperty("lowerBound").GetDouble().ShouldBe(23.5);
        managed.GetProperty("samples")[1][1].GetDouble().ShouldBe(2200);
        root.GetProperty("metrics")[1].GetProperty("verdict").GetString().ShouldBe("notMeasured");
        root.GetProperty("heapSummary").ValueKind.ShouldBe(JsonValueKind.Null);
        root.GetProperty("heapSummaryUnavailableReason").GetString().ShouldBe("the dump could not be written.");
    }

    [Fact]
    public void Values_json_cannot_carry_are_null()
    {
        using var document = JsonDocument.Parse(Report(null).ToJson());
        var native = document.RootElement.GetProperty("metrics")[2];

        native.GetProperty("samples")[0][1].ValueKind.ShouldBe(JsonValueKind.Null);
        native.GetProperty("slope").GetProperty("perIteration").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void The_heap_summary_lists_its_types()
    {
        var heap = new HeapSummary(50, [new TypeGrowth("App.Leaked", 10, 60, 240, 1440, 50)], 1000, 2200, TimeSpan.FromSeconds(2));

        using var document = JsonDocument.Parse(Report(heap).ToJson(indented: false));
        var summary = document.RootElement.GetProperty("heapSummary");

        summary.GetProperty("snapshotCount").GetInt32().ShouldBe(3);
        summary.GetProperty("grewInEveryInterval").GetBoolean().ShouldBeTrue();
        summary.GetProperty("types")[0].GetProperty("typeName").GetString().ShouldBe("App.Leaked");
        summary.GetProperty("types")[0].GetProperty("bytesPerIteration").GetDouble().ShouldBe(24);
        document.RootElement.GetProperty("heapSummaryUnavailableReason").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Indented_and_compact_forms_hold_the_same_document()
    {
        var report = Report(null);

        JsonSerializer
            .Serialize(JsonDocument.Parse(report.ToJson(indented: true)).RootElement)
            .ShouldBe(JsonSerializer.Serialize(JsonDocument.Parse(report.ToJson(indented: false)).RootElement));
        report.ToJson(indented: false).ShouldNotContain("\n");
    }
}
