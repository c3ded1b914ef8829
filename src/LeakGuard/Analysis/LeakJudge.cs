using LeakGuard.Sampling;

namespace LeakGuard.Analysis;

/// <summary>One metric as the judge sees it: its budget per iteration, and whether it is measured at all.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="BudgetPerIteration">The budget in force (option or baseline), in the metric's unit per iteration.</param>
/// <param name="IsMeasured">False when the platform cannot read it: it is never judged.</param>
internal readonly record struct JudgedMetric(LeakMetric Metric, double BudgetPerIteration, bool IsMeasured);

/// <summary>
/// The pure judge of a run: round by round, it classifies every open metric (<see cref="GrowthClassifier"/>) and
/// settles it when the evidence is conclusive; at the end it returns one <see cref="MetricJudgement"/> per metric.
/// It reads samples only (<see cref="SampleSeries"/>): no clock, no process, no text.
/// </summary>
/// <remarks>
/// <para>Rounds: round <c>r</c> runs <c>Iterations × 2^r</c> iterations with a sample every
/// <c>EffectiveIterationsPerSample × 2^r</c> (<see cref="LeakOptions.EffectiveIterationsPerSample"/>), starting from
/// the last sample of the previous round. A metric is settled when a round is within budget (pass, or plateau if
/// it grew before), when its second half levels off in the last round (plateau), or when it grew with confidence in
/// every round through the last one allowed or past its growth cap (leak). A growth cap stops the whole run.</para>
/// <para>After the last round, a leak whose per-iteration rate halved every time the stride doubled (three growing
/// rounds at least, after any collapse of the rate) is growth per sample, not per iteration: not called a leak.</para>
/// </remarks>
internal sealed class LeakJudge
{
    /// <summary>Largest ratio of a growing round's per-iteration rate to the previous round's that counts as halving.</summary>
    internal const double GrowthRateTracking = 0.65;

    /// <summary>
    /// Ratio of a growing round's per-iteration rate to the previous round's at or below which the fall is a collapse,
    /// not a halving: more than two halvings in one doubling of the stride. Growth per sample never falls that fast;
    /// the earlier round was dominated by something else (another thread's burst), and says nothing about how the
    /// growth scales with the stride.
    /// </summary>
    internal const double GrowthRateCollapse = 0.25;

    private readonly JudgedMetric[] _metrics;
    private readonly State[] _states;
    private readonly int _plannedRounds;
    private readonly double _confidenceLevel;
    private LeakMetric? _stoppedBy;

    /// <param name="metrics">The metrics, in the order of the series' values.</param>
    /// <param name="plannedRounds">Rounds the run may take (<see cref="PlanRounds"/>).</param>
    /// <param name="confidenceLevel">Two-sided confidence level of the fits.</param>
    public LeakJudge(IReadOnlyList<JudgedMetric> metrics, int plannedRounds, double confidenceLevel)
    {
        _metrics = metrics.ToArray();
        _plannedRounds = plannedRounds;
        _confidenceLevel = confidenceLevel;
        _states = new State[_metrics.Length];
        for (var m = 0; m < _metrics.Length; m++)
            _states[m] = new State { Open = _metrics[m].IsMeasured, GrowthRates = new double[plannedRounds] };
    }

    /// <summary>How many rounds fit into <see cref="LeakOptions.EffectiveMaxIterations"/> (at least one, at most 24).</summary>
    internal static int PlanRounds(LeakOptions options)
    {
        long total = 0;
        var rounds = 0;
        for (long size = options.Iterations; total + size <= options.EffectiveMaxIterations && rounds < 24; size *= 2)
        {
            total += size;
            rounds++;
        }
        return Math.Max(1, rounds);
    }

    /// <summary>
    /// True when the growing rounds after the last collapse (a fall to <see cref="GrowthRateCollapse"/> × the round
    /// before or less) are three at least, and each grew per iteration by at most <see cref="GrowthRateTracking"/> ×
    /// the round before: the signature of growth per sample, not per iteration (<see cref="HalvingFrom"/>).
    /// </summary>
    internal static bool FollowsSamplesNotIterations(ReadOnlySpan<double> ratesPerIteration) => HalvingFrom(ratesPerIteration) >= 0;

    /// <summary>
    /// The first growing round of the halving that makes growth follow samples, or -1 when it does not. Rounds before
    /// the last collapse are not read: a leak's rate after another thread's burst in its first round falls steeply
    /// once, then holds (229,027 → 7,001 → 4,112 B/iteration for 4 KiB/iteration), which is not per-sample growth.
    /// </summary>
    internal static int HalvingFrom(ReadOnlySpan<double> ratesPerIteration)
    {
        var from = 0;
        for (var i = 1; i < ratesPerIteration.Length; i++)
        {
            if (ratesPerIteration[i] <= ratesPerIteration[i - 1] * GrowthRateCollapse)
                from = i;
        }
        if (ratesPerIteration.Length - from < 3)
            return -1;
        for (var i = from + 1; i < ratesPerIteration.Length; i++)
        {
            if (!(ratesPerIteration[i] <= ratesPerIteration[i - 1] * GrowthRateTracking))
                return -1;
        }
        return from;
    }

    /// <summary>True while a metric is not settled and no growth cap stopped the run: the runner should take another round.</summary>
    public bool WantsAnotherRound => _stoppedBy is null && _states.Any(s => s.Open);

    /// <summary>The metric whose growth cap stopped the run, or null.</summary>
    public LeakMetric? StoppedBy => _stoppedBy;

    /// <summary>Judges round <paramref name="round"/>, whose samples start at <paramref name="roundStart"/> of <paramref name="series"/>.</summary>
    public void JudgeRound(SampleSeries series, int roundStart, int round)
    {
        var isLastRound = round >= _plannedRounds - 1;
        var iterations = series.Iterations;
        var end = (int)iterations[^1];
        var start = (int)iterations[roundStart];
        for (var m = 0; m < _metrics.Length; m++)
        {
            ref var state = ref _states[m];
            if (!state.Open)
                continue;
            var metric = _metrics[m];
            var traits = MetricTable.Get(metric.Metric);
            var classification = GrowthClassifier.Classify(
                iterations,
                JudgedValues(series, m, out var jitIntervals),
                roundStart,
                metric.BudgetPerIteration,
                _confidenceLevel,
                traits.JumpFloor
            );
            state.JitIntervalsSetAside = jitIntervals;
            state.Last = classification;
            state.WindowStart = start;
            state.WindowEnd = end;
            switch (classification.Outcome)
            {
                case RoundOutcome.WithinBudget:
                    Settle(
                        ref state,
                        state.EverGrew ? MetricVerdict.Plateau : MetricVerdict.Pass,
                        state.EverGrew ? ReasonCode.WithinBudgetAfterGrowth
                            : round == 0 ? ReasonCode.NoGrowth
                            : ReasonCode.NoGrowthOverWindow,
                        classification.Evidence,
                        Start(iterations, classification)
                    );
                    break;
                case RoundOutcome.Plateau:
                    state.EverGrew = true;
                    if (isLastRound)
                        Settle(ref state, MetricVerdict.Plateau, ReasonCode.LeveledOff, classification.Evidence, Start(iterations, classification));
                    break;
                case RoundOutcome.Growing:
                    state.EverGrew = true;
                    state.GrewWithConfidence = true;
                    state.GrowthRates[state.GrowingRounds++] = classification.Whole.PerIteration;
                    var values = series.Values(m);
                    var passedCap = values[^1] - values[0] >= traits.GrowthCap;
                    if (!isLastRound && passedCap)
                        _stoppedBy ??= metric.Metric;
                    if (isLastRound || passedCap)
                    {
                        Settle(
                            ref state,
                            MetricVerdict.Leak,
                            isLastRound ? ReasonCode.KeptGrowing : ReasonCode.PassedGrowthCap,
                            classification.Evidence,
                            Start(iterations, classification)
                        );
                        state.IsolatedReleases = classification.IsolatedReleases;
                    }
                    break;
                case RoundOutcome.Inconclusive:
                    if (isLastRound)
                        Settle(
                            ref state,
                            MetricVerdict.Inconclusive,
                            ReasonCode.ConfidenceReachesBudget,
                            classification.Evidence,
                            Start(iterations, classification)
                        );
                    break;
            }
        }
    }

    /// <summary>
    /// Settles what is still open (after a growth cap stopped the run: on the evidence of its last round), applies
    /// the rate-halving rule, and returns one judgement per metric, in order.
    /// </summary>
    /// <param name="series">The run's samples.</param>
    public MetricJudgement[] Finish(SampleSeries series)
    {
        var result = new MetricJudgement[_metrics.Length];
        var lastIteration = series.Count == 0 ? 0 : (int)series.Iterations[^1];
        for (var m = 0; m < _metrics.Length; m++)
        {
            ref var state = ref _states[m];
            var metric = _metrics[m];
            if (!metric.IsMeasured)
            {
                result[m] = new MetricJudgement(metric.Metric, MetricVerdict.NotMeasured, ReasonCode.NotMeasured, SlopeEstimate.None, 0, 0, 0, 0, [], null);
                continue;
            }
            if (state.Open)
            {
                // A run always ends with every metric settled unless a growth cap stopped it early (a leak must not
                // exhaust the machine): then the last round's evidence decides.
                var (verdict, reason) = state.Last.Outcome switch
                {
                    RoundOutcome.Growing => (MetricVerdict.Leak, ReasonCode.GrowingWhenStopped),
                    RoundOutcome.Plateau => (MetricVerdict.Plateau, ReasonCode.LeveledOff),
                    _ => (MetricVerdict.Inconclusive, ReasonCode.InconclusiveWhenStopped),
                };
                Settle(ref state, verdict, reason, state.Last.Evidence, (int)series.Iterations[state.Last.EvidenceStart]);
            }
            var rates = state.GrowthRates.AsSpan(0, state.GrowingRounds).ToArray();
            // A leak grows per iteration at every stride. Growth driven by time or by the forced GCs (another thread's
            // work, allocator caches filling) comes per sample, so its per-iteration rate halves every time the stride
            // doubles. One smaller round is not enough: amortised growth (an array doubling) makes rounds uneven.
            if (state.Verdict == MetricVerdict.Leak && FollowsSamplesNotIterations(rates))
            {
                state.Verdict = MetricVerdict.Inconclusive;
                state.Reason = ReasonCode.FollowsSamples;
            }
            var slope = state.Decisive ?? TheilSen.Fit(series.Iterations, series.Values(m), _confidenceLevel);
            result[m] = new MetricJudgement(
                metric.Metric,
                state.Verdict,
                state.Reason,
                slope,
                state.WindowStart,
                state.WindowEnd == 0 ? lastIteration : state.WindowEnd,
                state.IsolatedReleases,
                state.JitIntervalsSetAside,
                rates,
                state.Reason is ReasonCode.GrowingWhenStopped or ReasonCode.InconclusiveWhenStopped ? _stoppedBy : null
            )
            {
                GrewWithConfidence = state.GrewWithConfidence,
                FitStart = state.Decisive is null ? 0 : state.FitStart,
            };
        }
        return result;
    }

    private static void Settle(ref State state, MetricVerdict verdict, ReasonCode reason, SlopeEstimate evidence, int fitStart)
    {
        state.FitStart = fitStart;
        state.Open = false;
        state.Verdict = verdict;
        state.Reason = reason;
        state.Decisive = evidence;
    }

    private static int Start(ReadOnlySpan<double> iterations, RoundClassification classification) => (int)iterations[classification.EvidenceStart];

    /// <summary>
    /// The series a metric is judged on. For native memory, intervals in which the JIT compiled methods (on any
    /// thread: tiered recompilation of a test host's own code, say) are set aside when enough quiet intervals remain:
    /// compiled code and JIT data structures are native allocations that are not the operation's.
    /// </summary>
    private ReadOnlySpan<double> JudgedValues(SampleSeries series, int m, out int setAside)
    {
        setAside = 0;
        var values = series.Values(m);
        if (_metrics[m].Metric != LeakMetric.NativeHeap)
            return values;
        var jit = series.JitCompiledMethods;
        var disturbed = new bool[series.Count];
        for (var i = 1; i < series.Count; i++)
            disturbed[i] = jit[i] != jit[i - 1];
        return GrowthClassifier.SetAsideDisturbedIntervals(series.Iterations, values, disturbed, out setAside);
    }

    private struct State
    {
        public bool Open;
        public bool EverGrew;
        public bool GrewWithConfidence;
        public MetricVerdict Verdict;
        public ReasonCode Reason;
        public RoundClassification Last;
        public SlopeEstimate? Decisive;
        public int FitStart;
        public int JitIntervalsSetAside;
        public int IsolatedReleases;
        public int WindowStart;
        public int WindowEnd;
        public double[] GrowthRates;
        public int GrowingRounds;
    }
}
