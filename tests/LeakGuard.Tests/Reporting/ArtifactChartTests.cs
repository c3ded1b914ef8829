using System.Globalization;
using System.Xml.Linq;
using LeakGuard.Reporting;
using Shouldly;
using Xunit;
using static LeakGuard.Tests.Reporting.ArtifactReports;

namespace LeakGuard.Tests.Reporting;

/// <summary>The SVG chart of one metric: a well-formed standalone document with the samples, the fit, its band and the budget.</summary>
public class ArtifactChartTests
{
    private static readonly MetricReport ManagedLeakMetric = ManagedLeak()[LeakMetric.ManagedHeap];

    /// <summary>Charts that must still render: one sample, none, flat series, unreadable samples, extreme lines.</summary>
    public static IEnumerable<(string Name, MetricReport Metric)> EdgeCases()
    {
        yield return ("single-sample", Metric(LeakMetric.ManagedHeap, [new LeakSample(0, 1_000_000)], MetricVerdict.Pass, 0, 0, 0, 0, "no growth over budget"));
        yield return ("no-samples", Metric(LeakMetric.ManagedHeap, [], MetricVerdict.Pass, 0, 0, 0, 0, "no growth over budget"));
        yield return ("all-equal", Metric(LeakMetric.Threads, Linear(50, 23, 0), MetricVerdict.Pass, 0, 0, 0, 0, "no growth over budget"));
        yield return ("all-zero", Metric(LeakMetric.ManagedHeap, Linear(50, 0, 0), MetricVerdict.Pass, 0, 0, 0, 0, "no growth over budget"));
        yield return (
            "unreadable-samples",
            Metric(
                LeakMetric.NativeHeap,
                [new LeakSample(0, double.NaN), .. Linear(50, 4096, 1040).Skip(1).Select((s, i) => i % 7 == 3 ? s with { Value = double.NaN } : s)],
                MetricVerdict.Leak,
                1040,
                1038,
                1042,
                512,
                "kept growing through 50 iterations and did not level off"
            )
        );
        yield return (
            "nan-slope",
            Metric(LeakMetric.Handles, Linear(50, 12, 0), MetricVerdict.Inconclusive, double.NaN, double.NaN, double.NaN, 0, "no estimate")
        );
        yield return (
            "steep-budget",
            Metric(LeakMetric.ManagedHeap, Linear(50, 1_000_000, 0), MetricVerdict.Pass, 0, 0, 0, 1_000_000, "no growth over budget")
        );
        yield return (
            "wide-band",
            Metric(
                LeakMetric.NativeHeap,
                Linear(200, 0, 100).Select((s, i) => s with { Value = s.Value + (i % 5 - 2) * 3000 }).ToArray(),
                MetricVerdict.Inconclusive,
                100,
                -400,
                900,
                512,
                "the estimate stayed over budget but its confidence interval reached the budget through 200 iterations; not called a leak"
            )
        );
        yield return (
            "shrinking",
            Metric(LeakMetric.ManagedHeap, Linear(100, 5_000_000, -2048), MetricVerdict.Pass, -2048, -2100, -2000, 0, "no growth over budget")
        );
        yield return ("mebibytes", Metric(LeakMetric.NativeHeap, Linear(200, 0, 1 << 20), MetricVerdict.Leak, 1 << 20, 1 << 20, 1 << 20, 512, "kept growing"));
        yield return ("handles-leak", Metric(LeakMetric.Handles, Linear(300, 40, 1), MetricVerdict.Leak, 1, 1, 1, 0, "kept growing"));
        yield return (
            "infinite-budget",
            Metric(LeakMetric.Threads, Linear(50, 20, 0), MetricVerdict.Pass, 0, 0, 0, double.PositiveInfinity, "no growth over budget")
        );
    }

    public static TheoryData<string> EdgeCaseNames => new(EdgeCases().Select(c => c.Name));

    private static MetricReport EdgeCase(string name) => EdgeCases().Single(c => c.Name == name).Metric;

    private static XDocument Chart(MetricReport metric, string? testName = null) => SvgAssert.Valid(SvgChart.Render(metric, testName)!);

    private static List<(double X, double Y)> SamplePoints(XDocument chart) => SvgAssert.Points(SvgAssert.ById(chart, "samples").Attribute("points")!.Value);

    [Fact]
    public void A_chart_is_a_standalone_svg_document_titled_with_metric_verdict_and_slope()
    {
        var chart = Chart(ManagedLeakMetric, "Contoso.Tests.OrderCacheTests.Lookup_does_not_leak");

        chart.Root!.Attribute("viewBox")!.Value.ShouldBe("0 0 880 540");
        chart.Declaration!.Encoding.ShouldBe("utf-8", StringCompareShould.IgnoreCase);
        SvgAssert.ById(chart, "chart-title").Value.ShouldBe("managed heap — LEAK — 312 B/iteration");
        SvgAssert.ById(chart, "chart-subtitle").Value.ShouldBe("51 samples over 750 iterations");
        SvgAssert.ById(chart, "chart-test-name").Value.ShouldBe("Contoso.Tests.OrderCacheTests.Lookup_does_not_leak");
        SvgAssert.ById(chart, "y-axis-label").Value.ShouldBe("managed heap growth since first sample (bytes)");
        var legend = SvgAssert.ById(chart, "legend").Value;
        legend.ShouldContain("fitted slope 312 B/iteration");
        legend.ShouldContain("95% CI of the slope 300–330 B/iteration");
        legend.ShouldContain("budget 0 B/iteration");
    }

    [Fact]
    public void The_samples_polyline_and_markers_have_one_point_per_finite_sample()
    {
        var chart = Chart(ManagedLeakMetric);

        SamplePoints(chart).Count.ShouldBe(51);
        SvgAssert.ById(chart, "sample-points").Elements(SvgAssert.Svg + "circle").Count().ShouldBe(51);
        var unreadable = EdgeCase("unreadable-samples");
        var finite = unreadable.Samples.Count(s => double.IsFinite(s.Value));
        finite.ShouldBeLessThan(unreadable.Samples.Count);
        SamplePoints(Chart(unreadable)).Count.ShouldBe(finite);
    }

    [Fact]
    public void Samples_are_plotted_as_growth_since_the_first_sample_rising_with_iterations()
    {
        var points = SamplePoints(Chart(ManagedLeakMetric));

        points.Select(p => p.X).ShouldBeInOrder(SortDirection.Ascending);
        points.Select(p => p.Y).ShouldBeInOrder(SortDirection.Descending); // SVG y grows downwards
        // 0 B growth at the first sample: the y tick labelled 0 is at its height.
        var axes = SvgAssert.ById(Chart(ManagedLeakMetric), "axes");
        var zero = axes.Elements(SvgAssert.Svg + "text").Single(t => t.Value == "0" && t.Attribute("text-anchor")?.Value == "end");
        (SvgAssert.Attr(zero, "y") - 4).ShouldBe(points[0].Y, 0.01);
    }

    [Fact]
    public void The_fitted_line_has_the_median_intercept_so_it_runs_through_samples_on_an_exact_line()
    {
        var chart = Chart(ManagedLeakMetric);
        var points = SamplePoints(chart);
        var fit = SvgAssert.ById(chart, "fitted-slope");

        fit.Name.LocalName.ShouldBe("line");
        SvgAssert.Attr(fit, "x1").ShouldBe(points[0].X, 0.02);
        SvgAssert.Attr(fit, "y1").ShouldBe(points[0].Y, 0.02);
        SvgAssert.Attr(fit, "x2").ShouldBe(points[^1].X, 0.02);
        SvgAssert.Attr(fit, "y2").ShouldBe(points[^1].Y, 0.02);
    }

    [Fact]
    public void The_band_fans_out_from_the_anchor_and_the_budget_line_passes_through_it()
    {
        var chart = Chart(ManagedLeakMetric);
        var anchor = chart.Descendants(SvgAssert.Svg + "circle").Single(c => c.Attribute("class")?.Value == "anchor");
        var (ax, ay) = (SvgAssert.Attr(anchor, "cx"), SvgAssert.Attr(anchor, "cy"));
        var median = SamplePoints(chart)[25]; // 51 samples on a line: the anchor is the middle one
        ax.ShouldBe(median.X, 0.02);
        ay.ShouldBe(median.Y, 0.02);

        var band = SvgAssert.ById(chart, "confidence-band");
        band.Name.LocalName.ShouldBe("path");
        var triangles = band.Attribute("d")!.Value.Split('M', StringSplitOptions.RemoveEmptyEntries);
        triangles.Length.ShouldBe(2);
        foreach (var triangle in triangles)
            triangle.ShouldStartWith($"{SvgChart.Num(ax)} {SvgChart.Num(ay)} ");
        // Right of the anchor the band is as tall as the CI: the upper bound line is above the lower one.
        var right = triangles[1].Trim().TrimEnd('Z').Split(" L").Select(p => p.Trim().Split(' ').Select(SvgAssert.Parse).ToArray()).ToList();
        right.Count.ShouldBe(3);
        right[1][1].ShouldBeLessThan(right[2][1]);

        var budget = SvgAssert.ById(chart, "budget-line");
        budget.Name.LocalName.ShouldBe("line");
        budget.Attribute("stroke-dasharray").ShouldNotBeNull();
        SvgAssert.Attr(budget, "y1").ShouldBe(ay, 0.02); // budget 0 B/iteration: level through the anchor
        SvgAssert.Attr(budget, "y2").ShouldBe(ay, 0.02);
        SvgAssert.Attr(budget, "y2").ShouldBeGreaterThan(SvgAssert.Attr(SvgAssert.ById(chart, "fitted-slope"), "y2")); // below the leak's line
    }

    [Fact]
    public void A_steep_budget_line_is_clipped_to_the_plot_area()
    {
        var chart = Chart(EdgeCase("steep-budget"));
        var area = SvgAssert.ById(chart, "plot-area");
        var budget = SvgAssert.ById(chart, "budget-line");

        SvgAssert.Attr(budget, "y2").ShouldBe(SvgAssert.Attr(area, "y"), 0.02); // leaves through the top
        SvgAssert.Attr(budget, "x2").ShouldBeLessThan(SvgAssert.Attr(area, "x") + SvgAssert.Attr(area, "width"));
    }

    [Theory]
    [InlineData("mebibytes", " MiB")]
    [InlineData("handles-leak", "")]
    public void Tick_labels_use_binary_byte_units_or_plain_counts(string edgeCase, string unit)
    {
        var labels = SvgAssert
            .ById(Chart(EdgeCase(edgeCase)), "axes")
            .Elements(SvgAssert.Svg + "text")
            .Where(t => t.Attribute("text-anchor")?.Value == "end")
            .Select(t => t.Value)
            .ToList();

        labels.Count.ShouldBeGreaterThanOrEqualTo(4);
        foreach (var label in labels.Where(l => l != "0"))
        {
            if (unit.Length > 0)
                label.ShouldEndWith(unit);
            else
                label.ShouldMatch("^-?[0-9,]+$");
        }
        SvgAssert.ById(Chart(ManagedLeakMetric), "axes").Value.ShouldContain(" KiB");
    }

    [Theory]
    [MemberData(nameof(EdgeCaseNames))]
    public void Edge_cases_render_valid_charts(string edgeCase)
    {
        var metric = EdgeCase(edgeCase);
        var chart = Chart(metric);

        var finite = metric.Samples.Count(s => double.IsFinite(s.Value));
        if (finite == 0)
            SvgAssert.FindById(chart, "samples").ShouldBeNull();
        else
            SamplePoints(chart).Count.ShouldBe(finite);
    }

    [Fact]
    public void One_sample_and_no_samples_still_draw_axes_and_legend()
    {
        var single = Chart(EdgeCase("single-sample"));
        SamplePoints(single).Count.ShouldBe(1);
        SvgAssert.ById(single, "legend");

        var none = Chart(EdgeCase("no-samples"));
        SvgAssert.FindById(none, "samples").ShouldBeNull();
        SvgAssert.FindById(none, "fitted-slope").ShouldBeNull();
        none.Root!.Value.ShouldContain("no finite samples to draw");
    }

    [Fact]
    public void An_unknown_slope_draws_no_fit_band_or_budget_line()
    {
        var chart = Chart(EdgeCase("nan-slope"));

        SvgAssert.FindById(chart, "fitted-slope").ShouldBeNull();
        SvgAssert.FindById(chart, "confidence-band").ShouldBeNull();
        SvgAssert.FindById(chart, "budget-line").ShouldBeNull();
        SamplePoints(chart).Count.ShouldBe(51);
    }

    [Fact]
    public void All_equal_samples_sit_on_one_horizontal_line_inside_the_plot()
    {
        var points = SamplePoints(Chart(EdgeCase("all-equal")));

        points.Select(p => p.Y).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public void A_metric_that_was_not_measured_has_no_chart() => SvgChart.Render(NotMeasured(LeakMetric.Handles)).ShouldBeNull();

    [Fact]
    public void Text_is_escaped_and_characters_xml_forbids_are_replaced()
    {
        var name = "Tests.Cache<List<int>>.Lookup(key: \"a&b\")\u0001";

        var chart = Chart(ManagedLeakMetric, name);

        SvgAssert.ById(chart, "chart-test-name").Value.ShouldBe("Tests.Cache<List<int>>.Lookup(key: \"a&b\")?");
        SvgChart.Render(ManagedLeakMetric, name)!.ShouldContain("Cache&lt;List&lt;int&gt;&gt;");
    }

    [Fact]
    public void Numbers_are_written_in_the_invariant_culture()
    {
        var invariant = SvgChart.Render(ManagedLeakMetric);
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            SvgChart.Render(ManagedLeakMetric).ShouldBe(invariant);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void File_names_follow_the_metric_names() =>
        Enum.GetValues<LeakMetric>().Select(SvgChart.FileName).ShouldBe(["managed-heap.svg", "native-memory.svg", "handles.svg", "threads.svg"]);
}

public class ArtifactChartFitWindowTests
{
    /// <summary>Round 1: 50 samples 1 iteration apart, growing 100 B/iteration; round 2: 50 samples 2 apart, flat.</summary>
    private static readonly LeakSample[] GrowThenLevel =
    [
        .. Enumerable.Range(0, 51).Select(i => new LeakSample(i, 1000 + 100.0 * i)),
        .. Enumerable.Range(1, 50).Select(i => new LeakSample(50 + 2 * i, 6000)),
    ];

    [Fact]
    public void The_slope_is_drawn_over_the_round_it_was_fitted_on()
    {
        // The engine's verdict rests on the second round's fit: 51 samples, slope 0.
        var metric = new MetricReport(
            LeakMetric.ManagedHeap,
            "source",
            GrowThenLevel,
            new SlopeEstimate(0, 0, 0, 0.95, 51),
            0,
            MetricVerdict.Plateau,
            "grew, then leveled off"
        );

        LeakGuard.Reporting.SvgChart.FitWindow(metric.Samples, metric.Slope with { SampleCount = 51 }, roundSize: 50, lastRound: false).ShouldBe((50, 150));
        LeakGuard.Reporting.SvgChart.FitWindow(metric.Samples, metric.Slope with { SampleCount = 26 }, roundSize: 50, lastRound: false).ShouldBe((100, 150));
        LeakGuard.Reporting.SvgChart.FitWindow(metric.Samples, metric.Slope with { SampleCount = 26 }, roundSize: 0, lastRound: false).ShouldBe((0, 150));

        var chart = SvgAssert.Valid(LeakGuard.Reporting.SvgChart.Render(metric, null, 50)!);
        var points = SvgAssert.Points(SvgAssert.ById(chart, "samples").Attribute("points")!.Value);
        var fit = SvgAssert.ById(chart, "fitted-slope");
        SvgAssert.Attr(fit, "x1").ShouldBe(points[50].X, 0.02);
        SvgAssert.Attr(fit, "y1").ShouldBe(points[50].Y, 0.02); // level with the plateau, not through the middle of the run
        SvgAssert.Attr(fit, "y2").ShouldBe(points[^1].Y, 0.02);
        SvgAssert.ById(chart, "chart-subtitle").Value.ShouldContain("slope fitted on iterations 50–150");
        SvgAssert.ById(chart, "sample-points").Elements().Count(c => c.Attribute("fill-opacity") is not null).ShouldBe(50); // round 1 drawn lighter
    }

    [Theory]
    [InlineData(MetricVerdict.Pass, 0, 10)] // flat throughout: settled by the first round
    [InlineData(MetricVerdict.Leak, 30, 70)] // growing alike in every round: a leak is called on the last
    public void The_verdict_says_which_round_settled_it(MetricVerdict verdict, double from, double to)
    {
        // Three rounds of 10 samples, 1, 2 and 4 iterations apart.
        var iterations = Enumerable
            .Range(0, 11)
            .Concat(Enumerable.Range(1, 10).Select(i => 10 + 2 * i))
            .Concat(Enumerable.Range(1, 10).Select(i => 30 + 4 * i));
        var slope = verdict == MetricVerdict.Leak ? 24 : 0;
        var samples = iterations.Select(i => new LeakSample(i, 1000 + slope * i)).ToArray();

        LeakGuard
            .Reporting.SvgChart.FitWindow(samples, new SlopeEstimate(slope, slope, slope, 0.95, 11), roundSize: 10, lastRound: verdict == MetricVerdict.Leak)
            .ShouldBe((from, to));
    }

    [Fact]
    public void A_leak_is_drawn_over_the_last_round_even_when_an_earlier_round_matches_its_slope_better()
    {
        // The engine judged native memory with JIT intervals set aside: its slope (1,040) is that of no raw last-round
        // window; the first round happens to match it exactly. A leak is still called on the last round.
        var iterations = Enumerable
            .Range(0, 11)
            .Concat(Enumerable.Range(1, 10).Select(i => 10 + 2 * i))
            .Concat(Enumerable.Range(1, 10).Select(i => 30 + 4 * i));
        var samples = iterations.Select(i => new LeakSample(i, i <= 10 ? 1040.0 * i : 10_400 + 1288.0 * (i - 10))).ToArray();

        LeakGuard.Reporting.SvgChart.FitWindow(samples, new SlopeEstimate(1040, 1030, 1050, 0.95, 11), roundSize: 10, lastRound: true).ShouldBe((30, 70));
        LeakGuard.Reporting.SvgChart.FitWindow(samples, new SlopeEstimate(1040, 1030, 1050, 0.95, 11), roundSize: 10, lastRound: false).ShouldBe((0, 10));
    }
}
