using System.Globalization;

namespace LeakGuard;

/// <summary>The samples, the fitted slope and the verdict of one metric in a <see cref="LeakReport"/>.</summary>
public sealed class MetricReport
{
    internal MetricReport(
        LeakMetric metric,
        string source,
        IReadOnlyList<LeakSample> samples,
        SlopeEstimate slope,
        double budget,
        MetricVerdict verdict,
        string reason
    )
    {
        Metric = metric;
        Source = source;
        Samples = samples;
        Slope = slope;
        BudgetPerIteration = budget;
        Verdict = verdict;
        Reason = reason;
    }

    /// <summary>
    /// A copy with another verdict and reason; everything else (samples, slope, budget, baseline and tolerance, the
    /// judgement) is kept. The analysers after the judge (ignore rules) change a metric only through this.
    /// </summary>
    internal MetricReport WithVerdict(MetricVerdict verdict, string reason) =>
        new(Metric, Source, Samples, Slope, BudgetPerIteration, verdict, reason)
        {
            BaselinePerIteration = BaselinePerIteration,
            BaselineTolerance = BaselineTolerance,
            Judgement = Judgement,
        };

    /// <summary>The metric.</summary>
    public LeakMetric Metric { get; }

    /// <summary>The metric's name in reports: "managed heap", "native memory", "handles" or "threads".</summary>
    public string Name => GetName(Metric);

    /// <summary>The unit of <see cref="LeakSample.Value"/> and of the slope per iteration: "B", "handles" or "threads".</summary>
    public string Unit => GetUnit(Metric);

    /// <summary>Where the figure comes from on this platform, e.g. "glibc mallinfo2: uordblks + hblkhd".</summary>
    public string Source { get; }

    /// <summary>Whether the platform could read this metric; when false, <see cref="Verdict"/> is <see cref="MetricVerdict.NotMeasured"/> and there are no samples.</summary>
    public bool IsMeasured => Verdict != MetricVerdict.NotMeasured;

    /// <summary>Every sample taken, in order, including the ones of extension rounds.</summary>
    public IReadOnlyList<LeakSample> Samples { get; }

    /// <summary>
    /// The Theil–Sen slope per iteration, with its confidence interval, that the verdict rests on: the fit of the round
    /// (or its second half, or the whole run) that settled the metric. When isolated jumps from other components were
    /// set aside (see <see cref="Reason"/>), the fit is of the series without them.
    /// </summary>
    public SlopeEstimate Slope { get; }

    /// <summary>
    /// The budget in force, in <see cref="Unit"/> per iteration: the option's, or the baseline budget when
    /// <see cref="BaselinePerIteration"/> is set (<see cref="LeakBaseline.GetBudget"/>).
    /// </summary>
    public double BudgetPerIteration { get; }

    /// <summary>
    /// The slope recorded for this test in the baseline file (<see cref="LeakOptions.BaselineFile"/>), in
    /// <see cref="Unit"/> per iteration; null when there is no baseline entry.
    /// </summary>
    public double? BaselinePerIteration { get; internal init; }

    /// <summary>The judge's figures behind <see cref="Verdict"/> and <see cref="Reason"/>; null for reports not made by the engine.</summary>
    internal Analysis.MetricJudgement? Judgement { get; init; }

    /// <summary>The relative tolerance over <see cref="BaselinePerIteration"/> in force (<see cref="LeakOptions.BaselineTolerance"/>).</summary>
    public double BaselineTolerance { get; internal init; }

    /// <summary><c>budget 0 B/iteration</c>, or with a baseline <c>budget 340 B/iteration (baseline 84.2 + 25%)</c>.</summary>
    internal string BudgetText =>
        BaselinePerIteration is { } baseline
            ? $"budget {FormatRate(BudgetPerIteration)} (baseline {FormatNumber(baseline)} + {Percent(BaselineTolerance)})"
            : $"budget {FormatRate(BudgetPerIteration)}";

    /// <summary>The verdict.</summary>
    public MetricVerdict Verdict { get; }

    /// <summary>Whether this metric fails the run.</summary>
    public bool IsOverBudget => Verdict == MetricVerdict.Leak;

    /// <summary>Why the verdict was reached, in one sentence.</summary>
    public string Reason { get; }

    /// <summary>Total growth from the first to the last sample, in <see cref="Unit"/>.</summary>
    public double TotalGrowth => Samples.Count < 2 ? 0 : Samples[^1].Value - Samples[0].Value;

    /// <summary>The one-line statement of this metric, e.g.
    /// <c>managed heap grew 312 B/iteration (95% CI 300–330) over 50 iterations; budget 0 B/iteration</c>.</summary>
    public override string ToString()
    {
        if (!IsMeasured)
            return Source == "not measured on this platform" ? $"{Name}: not measured on this platform" : $"{Name}: not measured on this platform ({Source})";
        var iterations = Samples.Count == 0 ? 0 : Samples[^1].Iteration;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Name} grew {FormatRate(Slope.PerIteration)} ({Percent(Slope.ConfidenceLevel)} CI {FormatNumber(Slope.LowerBound)}–{FormatNumber(Slope.UpperBound)}) over {iterations} iterations; {BudgetText}"
        );
    }

    internal string FormatRate(double perIteration) => $"{FormatNumber(perIteration)} {Unit}/iteration";

    internal static string Percent(double level) => (level * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    internal static string FormatNumber(double value)
    {
        var abs = Math.Abs(value);
        var format =
            abs >= 100 ? "#,0"
            : abs >= 10 ? "0.0"
            : abs == 0 ? "0"
            : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    internal static string GetName(LeakMetric metric) => Enum.IsDefined(metric) ? Sampling.MetricTable.Get(metric).Name : metric.ToString();

    internal static string GetUnit(LeakMetric metric) => Enum.IsDefined(metric) ? Sampling.MetricTable.Get(metric).Unit : "";
}
