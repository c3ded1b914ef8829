namespace LeakGuard.Analysis;

/// <summary>Why the judge reached a metric's verdict: a code, with its figures in <see cref="MetricJudgement"/>.</summary>
internal enum ReasonCode
{
    /// <summary>Within budget in the first round: no growth over budget.</summary>
    NoGrowth,

    /// <summary>Within budget in an extension round (<see cref="MetricJudgement.WindowStart"/>–<see cref="MetricJudgement.WindowEnd"/>), never over budget before.</summary>
    NoGrowthOverWindow,

    /// <summary>Grew over budget in an earlier round, then a whole round was within budget: a plateau.</summary>
    WithinBudgetAfterGrowth,

    /// <summary>Grew over budget, then the second half of the last round was within budget: a plateau.</summary>
    LeveledOff,

    /// <summary>Over budget with confidence in every round through the last one allowed.</summary>
    KeptGrowing,

    /// <summary>Over budget with confidence, and the total growth passed <see cref="Sampling.MetricTraits.GrowthCap"/>.</summary>
    PassedGrowthCap,

    /// <summary>Growing when another metric's growth cap stopped the run (<see cref="MetricJudgement.StoppedBy"/>).</summary>
    GrowingWhenStopped,

    /// <summary>Not conclusive when another metric's growth cap stopped the run: not called a leak.</summary>
    InconclusiveWhenStopped,

    /// <summary>The estimate stayed over budget but its confidence interval reached the budget in the last round: not called a leak.</summary>
    ConfidenceReachesBudget,

    /// <summary>Grew, but the rate per iteration halved each time the stride doubled (<see cref="MetricJudgement.GrowthRates"/>): growth per sample, not per iteration.</summary>
    FollowsSamples,

    /// <summary>
    /// Looked like a plateau on the whole-process figure after it had grown with confidence, but the heap histogram of
    /// further iterations showed types growing in every interval: a leak offset by another thread's release.
    /// </summary>
    HeapHistogramKeptGrowing,

    /// <summary>
    /// Grew over budget on the whole-process figure, but the heap snapshots of further iterations showed no type
    /// growing at all, in count or in size (arrays and strings searched for one that grew in size included): growth
    /// that is not the operation's (another thread's); not called a leak.
    /// </summary>
    HeapSnapshotsShowedNoGrowth,

    /// <summary>The platform cannot read the metric.</summary>
    NotMeasured,
}

/// <summary>
/// The judge's verdict on one metric: the verdict, the reason code with its figures, the fit window and the rates.
/// No English here: report text is written from these figures by the reporting stage.
/// </summary>
/// <param name="Metric">The metric.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Reason">Why.</param>
/// <param name="Slope">The fit the verdict rests on, per iteration.</param>
/// <param name="WindowStart">Iteration number of the first sample of the fit window (the deciding round).</param>
/// <param name="WindowEnd">Iteration number of the last sample of the fit window; the last measured iteration.</param>
/// <param name="IsolatedReleases">Isolated drops (another component's releases) set aside in the deciding view.</param>
/// <param name="JitIntervalsSetAside">Intervals with JIT compilation set aside (native memory).</param>
/// <param name="GrowthRates">Per-iteration slope of each growing round, in order.</param>
/// <param name="StoppedBy">The metric whose growth cap stopped the run early, or null.</param>
internal sealed record MetricJudgement(
    LeakMetric Metric,
    MetricVerdict Verdict,
    ReasonCode Reason,
    SlopeEstimate Slope,
    int WindowStart,
    int WindowEnd,
    int IsolatedReleases,
    int JitIntervalsSetAside,
    IReadOnlyList<double> GrowthRates,
    LeakMetric? StoppedBy
)
{
    /// <summary>True when the last round had confident growth before it read as a plateau (<see cref="ReasonCode.WithinBudgetAfterGrowth"/> or <see cref="ReasonCode.LeveledOff"/>).</summary>
    public bool GrewWithConfidence { get; init; }

    /// <summary>Iteration number of the first sample of the fit behind <see cref="Slope"/> (its last is <see cref="WindowEnd"/>).</summary>
    public int FitStart { get; init; }

    /// <summary>For the heap-histogram reasons: the type whose growth decided, or null.</summary>
    public string? DecidingType { get; init; }

    /// <summary>For the heap-histogram reasons: the iterations between the first and last heap snapshot.</summary>
    public int HistogramIterations { get; init; }
}
