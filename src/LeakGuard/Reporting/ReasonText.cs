using System.Globalization;
using LeakGuard.Analysis;
using LeakGuard.Sampling;

namespace LeakGuard.Reporting;

/// <summary>The one sentence of <see cref="MetricReport.Reason"/>, written from a <see cref="MetricJudgement"/>'s code and figures.</summary>
internal static class ReasonText
{
    /// <summary>The sentence for <paramref name="judgement"/>.</summary>
    public static string Describe(MetricJudgement judgement)
    {
        var traits = MetricTable.Get(judgement.Metric);
        var end = judgement.WindowEnd;
        var text = judgement.Reason switch
        {
            ReasonCode.NoGrowth => "no growth over budget",
            ReasonCode.NoGrowthOverWindow => Invariant($"no growth over budget over iterations {judgement.WindowStart}–{end}"),
            ReasonCode.WithinBudgetAfterGrowth => Invariant(
                $"grew at first, then stayed within budget over iterations {judgement.WindowStart}–{end} (a plateau)"
            ),
            ReasonCode.LeveledOff => Invariant($"grew, then leveled off by iteration {end} (a plateau)"),
            ReasonCode.KeptGrowing => Invariant($"kept growing through {end} iterations and did not level off") + SetAside(judgement),
            ReasonCode.PassedGrowthCap => Invariant(
                $"kept growing and passed the growth cap of {MetricReport.FormatNumber(traits.GrowthCap)} {traits.Unit} by iteration {end}"
            ) + SetAside(judgement),
            ReasonCode.GrowingWhenStopped => Invariant($"kept growing through {end} iterations; the run stopped there because {StoppedBecause(judgement)}"),
            ReasonCode.InconclusiveWhenStopped => Invariant(
                $"not conclusive when the run stopped at iteration {end} because {StoppedBecause(judgement)}; not called a leak"
            ),
            ReasonCode.ConfidenceReachesBudget => Invariant(
                $"the estimate stayed over budget but its confidence interval reached the budget through {end} iterations; not called a leak"
            ),
            ReasonCode.FollowsSamples => FollowsSamples(judgement.GrowthRates, traits.Unit),
            ReasonCode.HeapHistogramKeptGrowing => Invariant(
                $"read as a plateau by iteration {end} after growing with confidence, but the heap snapshots over {judgement.HistogramIterations} further iterations show {judgement.DecidingType} growing in every interval: a leak whose growth another thread's release hid (decided by the heap histogram)"
            ),
            ReasonCode.HeapSnapshotsShowedNoGrowth => Invariant(
                $"grew on the whole-process figure through iteration {end}, but the heap snapshots over {judgement.HistogramIterations} further iterations show no type growing, in count or in size: growth on another thread, not the operation's; not called a leak (decided by the heap histogram)"
            ),
            ReasonCode.NotMeasured => "not measured on this platform",
            _ => judgement.Reason.ToString(),
        };
        if (judgement.HistogramIterations > 0 && judgement.Reason is ReasonCode.WithinBudgetAfterGrowth or ReasonCode.LeveledOff)
            text += Invariant(
                $"; the heap snapshots over {judgement.HistogramIterations} further iterations show no type growing with the iterations (confirmed by the heap histogram)"
            );
        return text;
    }

    private static string StoppedBecause(MetricJudgement judgement) =>
        judgement.StoppedBy is { } metric ? $"{MetricTable.Get(metric).Name} passed its growth cap" : "a growth cap was passed";

    private static string SetAside(MetricJudgement judgement) =>
        (judgement.IsolatedReleases > 0 ? $" ({judgement.IsolatedReleases} isolated release(s) elsewhere in the process set aside)" : "")
        + (judgement.JitIntervalsSetAside > 0 ? $" ({judgement.JitIntervalsSetAside} interval(s) with JIT compilation set aside)" : "");

    private static string FollowsSamples(IReadOnlyList<double> rates, string unit)
    {
        var span = rates.ToArray();
        var from = Math.Max(0, LeakJudge.HalvingFrom(span));
        var halving = string.Join(", ", span.Skip(from).Select(MetricReport.FormatNumber));
        var before =
            from == 0 ? "" : Invariant($"; {string.Join(", ", span.Take(from).Select(MetricReport.FormatNumber))} before, in rounds something else dominated");
        return Invariant(
            $"grew, but its rate halved every time the iterations per sample doubled ({halving} {unit}/iteration{before}): growth that follows time or garbage collections, not iterations; not called a leak"
        );
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
