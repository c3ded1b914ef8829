using System.Globalization;
using System.Text;
using System.Xml;
using LeakGuard.Analysis;

namespace LeakGuard.Reporting;

/// <summary>
/// Draws one metric of a <see cref="LeakReport"/> as a standalone SVG 1.1 document: the samples' growth since the
/// first sample against the iteration, the fitted slope, its confidence band, the budget line, a title and a legend.
/// </summary>
/// <remarks>
/// <para>The lines: the fitted line has the slope the verdict rests on (<see cref="MetricReport.Slope"/>) and, as in a
/// Theil–Sen fit, the intercept that is the median of <c>value − slope · iteration</c> over the samples. The band is
/// bounded by lines of the lower and upper bound slopes and the budget line has the budget's slope; all three pass
/// through the fitted line's point at the median iteration (the anchor), so the band fans out from there and the budget
/// line shows how much growth the budget allows from the same point.</para>
/// <para>The document has no script and no external resources; every number is written in the invariant culture and
/// every coordinate lies inside the view box (lines and the band are clipped to the plot area here, not by the
/// viewer). Elements carry stable ids and classes: <c>samples</c> (a polyline, one point per finite sample),
/// <c>sample-points</c>, <c>fitted-slope</c>, <c>confidence-band</c>, <c>budget-line</c>, <c>legend</c>.</para>
/// </remarks>
internal static class SvgChart
{
    public const int Width = 880;
    public const int Height = 540;

    // Plot area inside the view box: room for the title above, tick labels left and below, the legend at the bottom.
    private const double PlotLeft = 88;
    private const double PlotRight = Width - 24;
    private const double PlotTop = 92;
    private const double PlotBottom = Height - 112;

    private const string Font = "DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif";
    private const string SampleColor = "#3b6ea8";
    private const string BudgetColor = "#444444";
    private const string GridColor = "#e4e4e4";
    private const string AxisColor = "#888888";
    private const string MutedText = "#555555";

    /// <summary>The chart's file name for <paramref name="metric"/>: <c>managed-heap.svg</c>, <c>native-memory.svg</c>, <c>handles.svg</c>, <c>threads.svg</c>.</summary>
    public static string FileName(LeakMetric metric) => Sampling.MetricTable.Get(metric).FileStem + ".svg";

    /// <summary>The SVG document of <paramref name="metric"/>, or null when the metric was not measured (nothing to draw).</summary>
    /// <param name="metric">The metric's report.</param>
    /// <param name="testName">Shown under the title when set.</param>
    /// <param name="roundSize">Samples per round (<see cref="LeakOptions.Iterations"/>), to find the samples the slope was
    /// fitted on (see <see cref="FitWindow"/>) when the report carries no judgement (<see cref="MetricReport"/> from the
    /// engine always does: its fit window is drawn as handed over); 0 means the slope is drawn over every sample.</param>
    public static string? Render(MetricReport metric, string? testName = null, int roundSize = 0)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!metric.IsMeasured)
            return null;

        var points = Growth(metric.Samples);
        // The engine's report carries the window its judge fitted; only a report without one (built elsewhere) is searched.
        var window = metric.Judgement is { } judgement
            ? (From: (double)judgement.FitStart, To: (double)judgement.WindowEnd)
            : FitWindow(metric.Samples, metric.Slope, roundSize, lastRound: metric.Verdict is MetricVerdict.Leak or MetricVerdict.Inconclusive);
        var lines = Lines.Create(points.Where(p => p.X >= window.From && p.X <= window.To).ToList(), metric.Slope, metric.BudgetPerIteration);
        var scale = Scale.For(points, lines, metric.Metric);

        var buffer = new MemoryStream();
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
        };
        using (var svg = XmlWriter.Create(buffer, settings))
        {
            svg.WriteStartDocument();
            svg.WriteStartElement("svg", "http://www.w3.org/2000/svg");
            svg.WriteAttributeString("version", "1.1");
            svg.WriteAttributeString("width", Num(Width));
            svg.WriteAttributeString("height", Num(Height));
            svg.WriteAttributeString("viewBox", $"0 0 {Num(Width)} {Num(Height)}");
            svg.WriteAttributeString("font-family", Font);

            var verdict = VerdictText(metric.Verdict);
            Element(svg, "title", $"{metric.Name}: {verdict}, {Rate(metric, metric.Slope.PerIteration)}");
            Element(svg, "desc", $"{metric.Name} growth since the first sample against iteration; {metric.Reason}. Source: {metric.Source}.");
            Rect(svg, 0, 0, Width, Height, "#ffffff", null, "background");

            WriteHeader(svg, metric, verdict, points, window, testName);
            WriteGridAndAxes(svg, scale, metric);
            WriteBand(svg, scale, lines);
            WriteLine(svg, scale, lines.Budget, "budget-line", BudgetColor, dashed: true);
            WriteSamples(svg, scale, points, window);
            WriteLine(svg, scale, lines.Fit, "fitted-slope", VerdictColor(metric.Verdict), dashed: false);
            if (lines.Anchor is { } anchor && lines.Fit is { } fit && fit.From.X < fit.To.X && scale.Contains(anchor))
                Circle(svg, scale.X(anchor.X), scale.Y(anchor.Y), 3.5, "#ffffff", VerdictColor(metric.Verdict), "anchor");
            if (points.Count == 0)
                Text(svg, (PlotLeft + PlotRight) / 2, (PlotTop + PlotBottom) / 2, "no finite samples to draw", 13, MutedText, anchor: "middle");
            WriteLegend(svg, metric, lines);

            svg.WriteEndElement();
            svg.WriteEndDocument();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The iterations the slope was fitted over. The engine fits a round, the second half of a round, or the run up to
    /// the end of a round: <see cref="SlopeEstimate.SampleCount"/> finite samples that end at a round boundary (every
    /// <paramref name="roundSize"/> samples, or the last sample). A leak or an inconclusive verdict
    /// (<paramref name="lastRound"/>) always rests on the run's last round: the window ends at the last sample. A pass or a
    /// plateau rests on the first round within budget, which may be followed by rounds run for other metrics: of the
    /// windows ending at a round boundary, the one whose own Theil–Sen slope is nearest the reported slope, the earliest
    /// on a tie (a flat series). Every sample when the window cannot be told.
    /// </summary>
    /// <remarks>The engine may judge a series with isolated jumps or JIT intervals set aside; a refit of the raw samples
    /// then only approximates its slope, which is why leaks, whose window is known, are not searched.</remarks>
    internal static (double From, double To) FitWindow(IReadOnlyList<LeakSample> samples, SlopeEstimate slope, int roundSize, bool lastRound)
    {
        var all = samples.Count == 0 ? (0.0, 0.0) : ((double)samples[0].Iteration, (double)samples[^1].Iteration);
        var finite = samples.Count(s => double.IsFinite(s.Value));
        if (roundSize < 1 || slope.SampleCount < 2 || slope.SampleCount >= finite || !double.IsFinite(slope.PerIteration))
            return all;
        var iterations = samples.Select(s => (double)s.Iteration).ToArray();
        var values = samples.Select(s => s.Value).ToArray();

        // Back from the end until the window holds SampleCount finite samples.
        int StartOf(int end)
        {
            var start = end;
            for (var held = double.IsFinite(values[end]) ? 1 : 0; held < slope.SampleCount && start > 0; )
            {
                start--;
                if (double.IsFinite(values[start]))
                    held++;
            }
            return start;
        }

        if (lastRound)
            return (iterations[StartOf(samples.Count - 1)], iterations[^1]);
        var best = all;
        var bestError = double.PositiveInfinity;
        var ends = Enumerable.Range(1, (samples.Count - 1) / roundSize).Select(k => k * roundSize).Append(samples.Count - 1).Distinct();
        foreach (var end in ends)
        {
            var start = StartOf(end);
            var fit = TheilSen.Fit(iterations.AsSpan(start, end - start + 1), values.AsSpan(start, end - start + 1), 0.95);
            var error = Math.Abs(fit.PerIteration - slope.PerIteration);
            if (error < bestError)
            {
                best = (iterations[start], iterations[end]);
                bestError = error;
            }
        }
        return best;
    }

    /// <summary>The finite samples as (iteration, value − first finite value).</summary>
    internal static List<Point> Growth(IReadOnlyList<LeakSample> samples)
    {
        var points = new List<Point>(samples.Count);
        double? baseline = null;
        foreach (var sample in samples)
        {
            if (!double.IsFinite(sample.Value))
                continue;
            baseline ??= sample.Value;
            points.Add(new Point(sample.Iteration, sample.Value - baseline.Value));
        }
        return points;
    }

    private static void WriteHeader(XmlWriter svg, MetricReport metric, string verdict, List<Point> points, (double From, double To) window, string? testName)
    {
        svg.WriteStartElement("text");
        svg.WriteAttributeString("id", "chart-title");
        svg.WriteAttributeString("x", Num(PlotLeft - 64));
        svg.WriteAttributeString("y", "30");
        svg.WriteAttributeString("font-size", "19");
        svg.WriteAttributeString("font-weight", "bold");
        svg.WriteAttributeString("fill", "#222222");
        svg.WriteString(Clean(metric.Name + " — "));
        svg.WriteStartElement("tspan");
        svg.WriteAttributeString("fill", VerdictColor(metric.Verdict));
        svg.WriteString(verdict);
        svg.WriteEndElement();
        svg.WriteString(Clean(" — " + Rate(metric, metric.Slope.PerIteration)));
        svg.WriteEndElement();

        var iterations = metric.Samples.Count == 0 ? 0 : metric.Samples[^1].Iteration;
        var skipped = metric.Samples.Count - points.Count;
        var wholeRun = points.Count == 0 || (window.From <= points[0].X && window.To >= points[^1].X);
        var subtitle =
            $"{points.Count} {(points.Count == 1 ? "sample" : "samples")} over {iterations:#,0} iterations"
            + (skipped > 0 ? $" ({skipped} unreadable, not drawn)" : "")
            + (
                wholeRun || !double.IsFinite(metric.Slope.PerIteration)
                    ? ""
                    : $" · slope fitted on iterations {window.From:#,0}–{window.To:#,0} (the samples drawn solid)"
            );
        Text(svg, PlotLeft - 64, 52, subtitle, 13, MutedText, id: "chart-subtitle");
        if (!string.IsNullOrWhiteSpace(testName))
            Text(svg, PlotLeft - 64, 71, Shorten(testName, 118), 12, MutedText, id: "chart-test-name");
    }

    private static void WriteGridAndAxes(XmlWriter svg, Scale scale, MetricReport metric)
    {
        svg.WriteStartElement("g");
        svg.WriteAttributeString("id", "axes");
        svg.WriteAttributeString("font-size", "12");
        svg.WriteAttributeString("fill", MutedText);
        foreach (var tick in scale.YTicks)
        {
            var y = scale.Y(tick);
            Line(svg, PlotLeft, y, PlotRight, y, tick == 0 ? AxisColor : GridColor, 1, "grid");
            Text(svg, PlotLeft - 8, y + 4, FormatValue(tick, scale.YUnit), 12, null, anchor: "end");
        }
        foreach (var tick in scale.XTicks)
        {
            var x = scale.X(tick);
            Line(svg, x, PlotTop, x, PlotBottom, GridColor, 1, "grid");
            Text(svg, x, PlotBottom + 18, tick.ToString("#,0", CultureInfo.InvariantCulture), 12, null, anchor: "middle");
        }
        Rect(svg, PlotLeft, PlotTop, PlotRight - PlotLeft, PlotBottom - PlotTop, "none", AxisColor, "plot-area");
        Text(
            svg,
            (PlotLeft + PlotRight) / 2,
            PlotBottom + 38,
            "iteration (measured iterations completed)",
            13,
            "#333333",
            anchor: "middle",
            id: "x-axis-label"
        );

        var unit = metric.Unit == "B" ? "bytes" : metric.Unit;
        svg.WriteStartElement("text");
        svg.WriteAttributeString("id", "y-axis-label");
        svg.WriteAttributeString("transform", $"translate(20 {Num((PlotTop + PlotBottom) / 2)}) rotate(-90)");
        svg.WriteAttributeString("text-anchor", "middle");
        svg.WriteAttributeString("font-size", "13");
        svg.WriteAttributeString("fill", "#333333");
        svg.WriteString(Clean($"{metric.Name} growth since first sample ({unit})"));
        svg.WriteEndElement();
        svg.WriteEndElement();
    }

    private static void WriteBand(XmlWriter svg, Scale scale, Lines lines)
    {
        if (lines.Band is not { } band)
            return;
        var path = new StringBuilder();
        foreach (var triangle in band)
        {
            var clipped = Clip.Polygon(triangle.Select(scale.Pixel).ToList(), scale.Area);
            if (clipped.Count < 3)
                continue;
            path.Append(path.Length == 0 ? "" : " ").Append('M');
            path.AppendJoin(" L", clipped.Select(p => $"{Num(p.X)} {Num(p.Y)}"));
            path.Append(" Z");
        }
        if (path.Length == 0)
            return;
        svg.WriteStartElement("path");
        svg.WriteAttributeString("id", "confidence-band");
        svg.WriteAttributeString("class", "confidence-band");
        svg.WriteAttributeString("d", path.ToString());
        svg.WriteAttributeString("fill", "#f0a030");
        svg.WriteAttributeString("fill-opacity", "0.28");
        svg.WriteAttributeString("stroke", "#e08a00");
        svg.WriteAttributeString("stroke-opacity", "0.6");
        svg.WriteAttributeString("stroke-width", "1");
        svg.WriteEndElement();
    }

    private static void WriteLine(XmlWriter svg, Scale scale, (Point From, Point To)? line, string id, string color, bool dashed)
    {
        if (line is not { } segment)
            return;
        if (Clip.Segment(scale.Pixel(segment.From), scale.Pixel(segment.To), scale.Area) is not { } visible)
            return;
        svg.WriteStartElement("line");
        svg.WriteAttributeString("id", id);
        svg.WriteAttributeString("class", id);
        svg.WriteAttributeString("x1", Num(visible.From.X));
        svg.WriteAttributeString("y1", Num(visible.From.Y));
        svg.WriteAttributeString("x2", Num(visible.To.X));
        svg.WriteAttributeString("y2", Num(visible.To.Y));
        svg.WriteAttributeString("stroke", color);
        svg.WriteAttributeString("stroke-width", dashed ? "2" : "2.5");
        if (dashed)
            svg.WriteAttributeString("stroke-dasharray", "8 5");
        svg.WriteEndElement();
    }

    private static void WriteSamples(XmlWriter svg, Scale scale, List<Point> points, (double From, double To) window)
    {
        if (points.Count == 0)
            return;
        svg.WriteStartElement("polyline");
        svg.WriteAttributeString("id", "samples");
        svg.WriteAttributeString("class", "samples");
        svg.WriteAttributeString("points", string.Join(" ", points.Select(p => $"{Num(scale.X(p.X))},{Num(scale.Y(p.Y))}")));
        svg.WriteAttributeString("fill", "none");
        svg.WriteAttributeString("stroke", SampleColor);
        svg.WriteAttributeString("stroke-opacity", "0.35");
        svg.WriteAttributeString("stroke-width", "1");
        svg.WriteEndElement();

        svg.WriteStartElement("g");
        svg.WriteAttributeString("id", "sample-points");
        svg.WriteAttributeString("class", "sample-points");
        svg.WriteAttributeString("fill", SampleColor);
        var radius = points.Count > 150 ? 2 : 2.8;
        foreach (var point in points)
        {
            var outsideFit = point.X < window.From || point.X > window.To;
            Circle(svg, scale.X(point.X), scale.Y(point.Y), radius, null, null, null, outsideFit ? 0.35 : null);
        }
        svg.WriteEndElement();
    }

    private static void WriteLegend(XmlWriter svg, MetricReport metric, Lines lines)
    {
        // Two rows of two entries under the axis label: never over the data.
        const double row1 = Height - 46;
        const double row2 = Height - 22;
        const double column1 = PlotLeft;
        const double column2 = PlotLeft + (PlotRight - PlotLeft) / 2;
        svg.WriteStartElement("g");
        svg.WriteAttributeString("id", "legend");
        svg.WriteAttributeString("class", "legend");
        svg.WriteAttributeString("font-size", "13");
        svg.WriteAttributeString("fill", "#333333");

        Circle(svg, column1 + 14, row1 - 4, 3, SampleColor, null, null);
        Text(svg, column1 + 32, row1, "sample (growth since the first sample)", 13, null);

        Line(svg, column2, row1 - 4, column2 + 28, row1 - 4, VerdictColor(metric.Verdict), 2.5, null);
        Text(svg, column2 + 36, row1, $"fitted slope {Rate(metric, metric.Slope.PerIteration)}", 13, null);

        Rect(svg, column1, row2 - 11, 28, 12, "#f0a030", "#e08a00", null, fillOpacity: 0.28);
        var band = lines.Band is null ? " (not drawn)" : "";
        Text(svg, column1 + 36, row2, $"{Interval(metric).Replace(" CI ", " CI of the slope ", StringComparison.Ordinal)}{band}", 13, null);

        svg.WriteStartElement("line");
        svg.WriteAttributeString("x1", Num(column2));
        svg.WriteAttributeString("y1", Num(row2 - 5));
        svg.WriteAttributeString("x2", Num(column2 + 28));
        svg.WriteAttributeString("y2", Num(row2 - 5));
        svg.WriteAttributeString("stroke", BudgetColor);
        svg.WriteAttributeString("stroke-width", "2");
        svg.WriteAttributeString("stroke-dasharray", "8 5");
        svg.WriteEndElement();
        Text(svg, column2 + 36, row2, $"budget {Rate(metric, metric.BudgetPerIteration)} (growth allowed)", 13, null);
        svg.WriteEndElement();
    }

    /// <summary>A rate as the text report writes it; "unknown" when NaN, "unlimited" when infinite.</summary>
    private static string Rate(MetricReport metric, double perIteration) =>
        double.IsNaN(perIteration) ? "unknown"
        : double.IsInfinity(perIteration) ? "unlimited"
        : metric.FormatRate(perIteration);

    /// <summary>"95% CI 300–330 B/iteration", or "CI unknown" when a bound is not a number.</summary>
    private static string Interval(MetricReport metric)
    {
        var slope = metric.Slope;
        if (!double.IsFinite(slope.LowerBound) || !double.IsFinite(slope.UpperBound) || !(slope.ConfidenceLevel > 0))
            return "CI unknown";
        return $"{MetricReport.Percent(slope.ConfidenceLevel)} CI {MetricReport.FormatNumber(slope.LowerBound)}–{MetricReport.FormatNumber(slope.UpperBound)} {metric.Unit}/iteration";
    }

    internal static string VerdictText(MetricVerdict verdict) =>
        verdict switch
        {
            MetricVerdict.Leak => "LEAK",
            MetricVerdict.NotMeasured => "not measured",
            _ => verdict.ToString().ToLowerInvariant(),
        };

    private static string VerdictColor(MetricVerdict verdict) =>
        verdict switch
        {
            MetricVerdict.Leak => "#c0271e",
            MetricVerdict.Pass => "#23813a",
            MetricVerdict.Plateau => "#23813a",
            _ => "#9a6700",
        };

    /// <summary>A tick value in the axis unit: bytes as B, KiB, MiB or GiB; counts as they are.</summary>
    internal static string FormatValue(double value, (double Size, string Name) unit)
    {
        if (value == 0)
            return "0";
        var scaled = value / unit.Size;
        var text = scaled.ToString(Math.Abs(scaled) >= 100 ? "#,0" : "#,0.##", CultureInfo.InvariantCulture);
        return unit.Name.Length == 0 ? text : $"{text} {unit.Name}";
    }

    private static string Shorten(string text, int max)
    {
        var oneLine = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= max ? oneLine : oneLine[..(max - 1)] + "…";
    }

    /// <summary>Text XML can hold: characters XML forbids (control characters, lone surrogates) become '?'.</summary>
    private static string Clean(string text)
    {
        if (text.All(XmlConvert.IsXmlChar))
            return text;
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                clean.Append(text, i, 2);
                i++;
            }
            else
            {
                clean.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '?');
            }
        }
        return clean.ToString();
    }

    internal static string Num(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static void Element(XmlWriter svg, string name, string text)
    {
        svg.WriteStartElement(name);
        svg.WriteString(Clean(text));
        svg.WriteEndElement();
    }

    private static void Text(XmlWriter svg, double x, double y, string text, double size, string? fill, string? anchor = null, string? id = null)
    {
        svg.WriteStartElement("text");
        if (id is not null)
            svg.WriteAttributeString("id", id);
        svg.WriteAttributeString("x", Num(x));
        svg.WriteAttributeString("y", Num(y));
        svg.WriteAttributeString("font-size", Num(size));
        if (fill is not null)
            svg.WriteAttributeString("fill", fill);
        if (anchor is not null)
            svg.WriteAttributeString("text-anchor", anchor);
        svg.WriteString(Clean(text));
        svg.WriteEndElement();
    }

    private static void Line(XmlWriter svg, double x1, double y1, double x2, double y2, string stroke, double width, string? cssClass)
    {
        svg.WriteStartElement("line");
        if (cssClass is not null)
            svg.WriteAttributeString("class", cssClass);
        svg.WriteAttributeString("x1", Num(x1));
        svg.WriteAttributeString("y1", Num(y1));
        svg.WriteAttributeString("x2", Num(x2));
        svg.WriteAttributeString("y2", Num(y2));
        svg.WriteAttributeString("stroke", stroke);
        svg.WriteAttributeString("stroke-width", Num(width));
        svg.WriteEndElement();
    }

    private static void Rect(
        XmlWriter svg,
        double x,
        double y,
        double width,
        double height,
        string fill,
        string? stroke,
        string? id,
        double? fillOpacity = null
    )
    {
        svg.WriteStartElement("rect");
        if (id is not null)
            svg.WriteAttributeString("id", id);
        svg.WriteAttributeString("x", Num(x));
        svg.WriteAttributeString("y", Num(y));
        svg.WriteAttributeString("width", Num(width));
        svg.WriteAttributeString("height", Num(height));
        svg.WriteAttributeString("fill", fill);
        if (fillOpacity is { } opacity)
            svg.WriteAttributeString("fill-opacity", Num(opacity));
        if (stroke is not null)
            svg.WriteAttributeString("stroke", stroke);
        svg.WriteEndElement();
    }

    private static void Circle(XmlWriter svg, double x, double y, double radius, string? fill, string? stroke, string? cssClass, double? fillOpacity = null)
    {
        svg.WriteStartElement("circle");
        if (cssClass is not null)
            svg.WriteAttributeString("class", cssClass);
        svg.WriteAttributeString("cx", Num(x));
        svg.WriteAttributeString("cy", Num(y));
        svg.WriteAttributeString("r", Num(radius));
        if (fill is not null)
            svg.WriteAttributeString("fill", fill);
        if (fillOpacity is { } opacity)
            svg.WriteAttributeString("fill-opacity", Num(opacity));
        if (stroke is not null)
        {
            svg.WriteAttributeString("stroke", stroke);
            svg.WriteAttributeString("stroke-width", "2");
        }
        svg.WriteEndElement();
    }

    internal readonly record struct Point(double X, double Y);

    /// <summary>The fitted line, the band and the budget line in data coordinates (iteration, growth), over the samples' iterations.</summary>
    private sealed record Lines(Point? Anchor, (Point From, Point To)? Fit, (Point From, Point To)? Budget, Point[][]? Band)
    {
        public static Lines Create(List<Point> points, SlopeEstimate slope, double budget)
        {
            if (points.Count == 0 || !double.IsFinite(slope.PerIteration))
                return new Lines(null, null, null, null);
            var first = points.Min(p => p.X);
            var last = points.Max(p => p.X);
            var intercept = Median(points.Select(p => p.Y - slope.PerIteration * p.X));
            var anchorX = Median(points.Select(p => p.X));
            var anchor = new Point(anchorX, intercept + slope.PerIteration * anchorX);
            Point At(double x, double perIteration) => new(x, anchor.Y + perIteration * (x - anchor.X));

            (Point, Point)? fit = (At(first, slope.PerIteration), At(last, slope.PerIteration));
            (Point, Point)? budgetLine = double.IsFinite(budget) ? (At(first, budget), At(last, budget)) : null;
            Point[][]? band = null;
            if (double.IsFinite(slope.LowerBound) && double.IsFinite(slope.UpperBound) && last > first)
            {
                // Two triangles meeting at the anchor: left of it the upper bound line is lower, right of it higher.
                band =
                [
                    [anchor, At(first, slope.LowerBound), At(first, slope.UpperBound)],
                    [anchor, At(last, slope.UpperBound), At(last, slope.LowerBound)],
                ];
            }
            return new Lines(anchor, fit, budgetLine, band);
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            var middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    /// <summary>Data to view-box coordinates, with "nice" ticks.</summary>
    private sealed class Scale
    {
        private double _xMin;
        private double _xMax;
        private double _yMin;
        private double _yMax;

        public (double Left, double Top, double Right, double Bottom) Area => (PlotLeft, PlotTop, PlotRight, PlotBottom);

        public List<double> XTicks { get; } = [];

        public List<double> YTicks { get; } = [];

        public (double Size, string Name) YUnit { get; private set; }

        public double X(double x) => PlotLeft + (x - _xMin) / (_xMax - _xMin) * (PlotRight - PlotLeft);

        public double Y(double y) => PlotBottom - (y - _yMin) / (_yMax - _yMin) * (PlotBottom - PlotTop);

        /// <summary>
        /// A point of a line in view-box coordinates, for clipping. Far outside the plot (a very steep band or budget line)
        /// y is held to ±10⁶, which moves the visible part by less than a pixel.
        /// </summary>
        public Point Pixel(Point p) => new(X(p.X), Math.Clamp(Y(p.Y), -1e6, 1e6));

        public bool Contains(Point p) => p.X >= _xMin && p.X <= _xMax && p.Y >= _yMin && p.Y <= _yMax;

        /// <summary>
        /// The x range is the samples' iterations; the y range holds every sample and the fitted line (not the band or
        /// the budget line, which may be far steeper and are clipped), padded, and never empty.
        /// </summary>
        public static Scale For(List<Point> points, Lines lines, LeakMetric metric)
        {
            var scale = new Scale();
            var xs = points.Select(p => p.X).ToList();
            var ys = points.Select(p => p.Y).ToList();
            if (lines.Fit is { } fit)
                ys.AddRange([fit.From.Y, fit.To.Y]);
            ys.Add(0);

            var xMin = xs.Count == 0 ? 0 : Math.Min(0, xs.Min());
            var xMax = xs.Count == 0 ? 1 : xs.Max();
            if (xMax <= xMin)
                xMax = xMin + 1;
            var xStep = NiceStep((xMax - xMin) / 8, 1);
            // A little room either side, so that the first and last samples do not sit on the frame.
            scale._xMin = xMin - (xMax - xMin) * 0.015;
            scale._xMax = xMax + (xMax - xMin) * 0.015;
            for (var tick = Math.Ceiling(xMin / xStep) * xStep; tick <= xMax + xStep / 1000; tick += xStep)
                scale.XTicks.Add(tick);

            var yMin = ys.Min();
            var yMax = ys.Max();
            var isBytes = metric is LeakMetric.ManagedHeap or LeakMetric.NativeHeap;
            if (yMax - yMin < (isBytes ? 64 : 1))
            {
                // Flat (or one sample): a span small enough to show that nothing grew.
                var half = isBytes ? 512 : 1;
                var middle = (yMax + yMin) / 2;
                yMin = Math.Min(yMin, middle - half);
                yMax = Math.Max(yMax, middle + half);
                if (yMin > 0)
                    yMin = 0;
            }
            // A little room above and below the data, not rounded out to whole ticks (which can waste a fifth of the plot).
            var span = yMax - yMin;
            yMin -= span * 0.05;
            yMax += span * 0.05;
            var largest = Math.Max(Math.Abs(yMin), Math.Abs(yMax));
            scale.YUnit =
                !isBytes ? (1, "")
                : largest >= 2.0 * 1024 * 1024 * 1024 ? (1024.0 * 1024 * 1024, "GiB")
                : largest >= 2.0 * 1024 * 1024 ? (1024.0 * 1024, "MiB")
                : largest >= 2.0 * 1024 ? (1024.0, "KiB")
                : (1.0, "B");
            var yStep = NiceStep((yMax - yMin) / 6 / scale.YUnit.Size, isBytes ? 0 : 1) * scale.YUnit.Size;
            scale._yMin = yMin;
            scale._yMax = yMax;
            for (var tick = Math.Ceiling(yMin / yStep) * yStep; tick <= yMax; tick += yStep)
                scale.YTicks.Add(Math.Abs(tick) < yStep / 1000 ? 0 : tick);
            return scale;
        }

        /// <summary>The smallest step of the form 1, 2, 2.5 or 5 × 10^k at least <paramref name="rough"/> (and at least <paramref name="minimum"/> when positive).</summary>
        private static double NiceStep(double rough, double minimum)
        {
            if (!(rough > 0) || !double.IsFinite(rough))
                return Math.Max(1, minimum);
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            var step = magnitude * 10;
            foreach (var factor in (ReadOnlySpan<double>)[1, 2, 2.5, 5, 10])
            {
                if (magnitude * factor >= rough)
                {
                    step = magnitude * factor;
                    break;
                }
            }
            return minimum > 0 ? Math.Max(step, minimum) : step;
        }
    }

    /// <summary>Clipping to the plot area, so that every coordinate written lies inside it.</summary>
    private static class Clip
    {
        /// <summary>Liang–Barsky: the part of the segment inside the rectangle, or null.</summary>
        public static (Point From, Point To)? Segment(Point a, Point b, (double Left, double Top, double Right, double Bottom) area)
        {
            double t0 = 0,
                t1 = 1;
            var dx = b.X - a.X;
            var dy = b.Y - a.Y;
            foreach (
                var (p, q) in (ReadOnlySpan<(double, double)>)[(-dx, a.X - area.Left), (dx, area.Right - a.X), (-dy, a.Y - area.Top), (dy, area.Bottom - a.Y)]
            )
            {
                if (p == 0)
                {
                    if (q < 0)
                        return null;
                    continue;
                }
                var t = q / p;
                if (p < 0)
                    t0 = Math.Max(t0, t);
                else
                    t1 = Math.Min(t1, t);
                if (t0 > t1)
                    return null;
            }
            return (new Point(a.X + t0 * dx, a.Y + t0 * dy), new Point(a.X + t1 * dx, a.Y + t1 * dy));
        }

        /// <summary>Sutherland–Hodgman against the four edges of the rectangle.</summary>
        public static List<Point> Polygon(List<Point> polygon, (double Left, double Top, double Right, double Bottom) area)
        {
            var result = polygon;
            result = Edge(result, p => p.X >= area.Left, (a, b) => Cross(a, b, area.Left, vertical: true));
            result = Edge(result, p => p.X <= area.Right, (a, b) => Cross(a, b, area.Right, vertical: true));
            result = Edge(result, p => p.Y >= area.Top, (a, b) => Cross(a, b, area.Top, vertical: false));
            result = Edge(result, p => p.Y <= area.Bottom, (a, b) => Cross(a, b, area.Bottom, vertical: false));
            return result;
        }

        private static List<Point> Edge(List<Point> polygon, Func<Point, bool> inside, Func<Point, Point, Point> cross)
        {
            var output = new List<Point>();
            for (var i = 0; i < polygon.Count; i++)
            {
                var current = polygon[i];
                var previous = polygon[(i + polygon.Count - 1) % polygon.Count];
                if (inside(current))
                {
                    if (!inside(previous))
                        output.Add(cross(previous, current));
                    output.Add(current);
                }
                else if (inside(previous))
                {
                    output.Add(cross(previous, current));
                }
            }
            return output;
        }

        private static Point Cross(Point a, Point b, double at, bool vertical)
        {
            if (vertical)
            {
                var t = (at - a.X) / (b.X - a.X);
                return new Point(at, a.Y + t * (b.Y - a.Y));
            }
            var s = (at - a.Y) / (b.Y - a.Y);
            return new Point(a.X + s * (b.X - a.X), at);
        }
    }
}
