namespace LeakGuard.Analysis;

/// <summary>What one round of samples says about one metric.</summary>
internal enum RoundOutcome
{
    /// <summary>The slope over the round is within budget: no growth worth reporting.</summary>
    WithinBudget,

    /// <summary>The round grew over budget, but its second half is within budget: growth leveled off (confirmed by the next round when there is one).</summary>
    Plateau,

    /// <summary>Both the whole round and its second half grew over budget with confidence: a leak unless a later round levels off.</summary>
    Growing,

    /// <summary>The estimate is over budget but the confidence interval reaches the budget: more data is needed.</summary>
    Inconclusive,
}

/// <summary>The classification of one round, with the fits it was based on.</summary>
/// <param name="Outcome">The outcome.</param>
/// <param name="Whole">Fit over the round (raw samples).</param>
/// <param name="Tail">Fit over the second half of the round (raw samples).</param>
/// <param name="Run">Fit over every sample of the run up to the end of the round (raw samples).</param>
/// <param name="Evidence">The fit the outcome rests on (one of the above, or a fit of the jump-neutralized series).</param>
/// <param name="IsolatedReleases">Isolated drops in the run so far that the neutralized view set aside.</param>
/// <param name="EvidenceStart">Index of the first sample of <paramref name="Evidence"/>'s fit (its last is the run's last).</param>
internal readonly record struct RoundClassification(
    RoundOutcome Outcome,
    SlopeEstimate Whole,
    SlopeEstimate Tail,
    SlopeEstimate Run,
    SlopeEstimate Evidence,
    int IsolatedReleases,
    int EvidenceStart = 0
);

/// <summary>
/// Classifies one round of samples against a budget.
/// </summary>
/// <remarks>
/// <para>Two views of the samples: the raw series, and a <em>neutralized</em> series in which isolated jumps (increments
/// far outside the run's own spread and above <c>jumpFloor</c>: another component releasing a pooled buffer, an
/// object appearing and disappearing) are replaced by the median increment. The neutralized view is trusted only
/// while such drops are sporadic (at most <see cref="MaxIsolatedReleases"/> in the run, drops at consecutive samples
/// counting as one); a metric that drops again and
/// again (a compacting cache: a sawtooth) is judged on the raw view alone. A drop that takes the metric below its
/// first sample (by more than <c>jumpFloor</c>) does not count against that limit: it freed memory that was there
/// before the run began, which a sawtooth of the operation's own growth cannot do.</para>
/// <para>The rule, per round: <see cref="RoundOutcome.WithinBudget"/> when the round's slope is within budget in
/// every trusted view; <see cref="RoundOutcome.Plateau"/> when the second half's slope is within budget in every
/// trusted view; <see cref="RoundOutcome.Growing"/> when the round and its second half are over budget with
/// confidence in one view, or the whole run is over budget with confidence and the round's and second half's
/// estimates still are; otherwise <see cref="RoundOutcome.Inconclusive"/>. A pass needs every view to agree, so
/// setting jumps aside can never turn growth into a pass.</para>
/// </remarks>
internal static class GrowthClassifier
{
    /// <summary>Fewest samples in a round for the classifier to call growth; shorter rounds are within budget.</summary>
    public const int MinimumSamples = 8;

    /// <summary>Most isolated drops in a run for the neutralized view to be trusted.</summary>
    public const int MaxIsolatedReleases = 2;

    /// <summary>Classifies a run of one round: samples every <paramref name="iterationsPerSample"/> iterations.</summary>
    public static RoundClassification Classify(
        ReadOnlySpan<double> round,
        double iterationsPerSample,
        double budget,
        double confidenceLevel,
        double jumpFloor = double.PositiveInfinity
    )
    {
        return Classify(TheilSen.EvenlySpaced(round.Length, iterationsPerSample), round, 0, budget, confidenceLevel, jumpFloor);
    }

    /// <summary>Classifies the round that starts at sample <paramref name="roundStart"/> of a run.</summary>
    /// <param name="iterations">Iteration number of every sample of the run so far.</param>
    /// <param name="values">Every sample of the run so far.</param>
    /// <param name="roundStart">Index of the round's first sample (the previous round's last).</param>
    /// <param name="budget">Budget per iteration.</param>
    /// <param name="confidenceLevel">Two-sided confidence level.</param>
    /// <param name="jumpFloor">Smallest increment (in the metric's unit) that can count as an isolated jump.</param>
    public static RoundClassification Classify(
        ReadOnlySpan<double> iterations,
        ReadOnlySpan<double> values,
        int roundStart,
        double budget,
        double confidenceLevel,
        double jumpFloor = double.PositiveInfinity
    )
    {
        var roundIterations = iterations[roundStart..];
        var tailStart = (values.Length - roundStart) / 2;
        var whole = TheilSen.Fit(roundIterations, values[roundStart..], confidenceLevel);
        var tail = TheilSen.Fit(roundIterations[tailStart..], values[(roundStart + tailStart)..], confidenceLevel);
        var run = roundStart == 0 ? whole : TheilSen.Fit(iterations, values, confidenceLevel);

        var neutralized = Neutralize(iterations, values, jumpFloor, out var releases, out var jumps, out var olderMemory);
        var trustNeutralized = jumps > 0 && releases - olderMemory <= MaxIsolatedReleases;
        var nWhole = trustNeutralized ? TheilSen.Fit(roundIterations, neutralized.AsSpan(roundStart), confidenceLevel) : whole;
        var nTail = trustNeutralized ? TheilSen.Fit(roundIterations[tailStart..], neutralized.AsSpan(roundStart + tailStart), confidenceLevel) : tail;

        RoundClassification Result(RoundOutcome outcome, SlopeEstimate evidence, int evidenceStart) =>
            new(outcome, whole, tail, run, evidence, trustNeutralized ? releases : 0, evidenceStart);

        if (whole.SampleCount < MinimumSamples || (whole.PerIteration <= budget && nWhole.PerIteration <= budget))
            return Result(RoundOutcome.WithinBudget, whole, roundStart);
        if (tail.PerIteration <= budget && nTail.PerIteration <= budget)
            return Result(RoundOutcome.Plateau, tail, roundStart + tailStart);
        if (whole.LowerBound > budget && tail.LowerBound > budget)
            return Result(RoundOutcome.Growing, whole, roundStart);
        if (run.LowerBound > budget && whole.PerIteration > budget && tail.PerIteration > budget)
            return Result(RoundOutcome.Growing, run, 0);
        if (trustNeutralized && nWhole.LowerBound > budget && nTail.LowerBound > budget)
            return Result(RoundOutcome.Growing, nWhole, roundStart);
        return Result(RoundOutcome.Inconclusive, whole, roundStart);
    }

    /// <summary>
    /// The series with isolated jumps replaced by the median increment: an increment is a jump when it differs from
    /// the median increment (scaled to its iteration gap) by more than <paramref name="jumpFloor"/> and by more than
    /// 8 × the 75th percentile of the increments' absolute deviations.
    /// </summary>
    /// <param name="iterations">Iteration number of each sample.</param>
    /// <param name="values">The samples.</param>
    /// <param name="jumpFloor">Smallest absolute increment that can count as a jump.</param>
    /// <param name="releases">
    /// Episodes of jumps downward (consecutive downward jumps are one) not matched by a jump upward of about the same
    /// size (releases, not toggles).
    /// </param>
    /// <param name="jumps">Jumps in either direction.</param>
    internal static double[] Neutralize(ReadOnlySpan<double> iterations, ReadOnlySpan<double> values, double jumpFloor, out int releases, out int jumps) =>
        Neutralize(iterations, values, jumpFloor, out releases, out jumps, out _);

    /// <inheritdoc cref="Neutralize(ReadOnlySpan{double}, ReadOnlySpan{double}, double, out int, out int)"/>
    /// <param name="iterations">Iteration number of each sample.</param>
    /// <param name="values">The samples.</param>
    /// <param name="jumpFloor">Smallest absolute increment that can count as a jump.</param>
    /// <param name="releases">Release episodes, as in the overload without <paramref name="releasesOfOlderMemory"/>.</param>
    /// <param name="jumps">Jumps in either direction.</param>
    /// <param name="releasesOfOlderMemory">
    /// Those of <paramref name="releases"/> after which the metric read more than <paramref name="jumpFloor"/> below its
    /// first sample: they freed memory older than the run (another component's), not growth of the run's own.
    /// </param>
    internal static double[] Neutralize(
        ReadOnlySpan<double> iterations,
        ReadOnlySpan<double> values,
        double jumpFloor,
        out int releases,
        out int jumps,
        out int releasesOfOlderMemory
    )
    {
        releases = 0;
        jumps = 0;
        releasesOfOlderMemory = 0;
        var result = values.ToArray();
        if (values.Length < 3 || double.IsInfinity(jumpFloor))
            return result;
        var rates = new double[values.Length - 1];
        for (var i = 1; i < values.Length; i++)
            rates[i - 1] = (values[i] - values[i - 1]) / Math.Max(1, iterations[i] - iterations[i - 1]);
        if (rates.Any(double.IsNaN))
            return result;
        var median = Quantile(rates, 0.5);
        var deviations = rates.Select(r => Math.Abs(r - median)).ToArray();
        var spread = Quantile(deviations, 0.75);
        var rises = new List<double>();
        var drops = new List<(double Size, bool BelowStart)>();
        var previousDropped = false;
        for (var i = 1; i < values.Length; i++)
        {
            var gap = Math.Max(1, iterations[i] - iterations[i - 1]);
            var increment = values[i] - values[i - 1];
            var deviation = increment - median * gap;
            var isJump = Math.Abs(deviation) > jumpFloor && Math.Abs(deviation) > 8 * spread * gap;
            if (isJump)
            {
                jumps++;
                // A release seen at consecutive samples (another thread freeing in steps) is one episode.
                var belowStart = values[i] < values[0] - jumpFloor;
                if (deviation < 0 && previousDropped)
                    drops[^1] = (drops[^1].Size - deviation, drops[^1].BelowStart || belowStart);
                else if (deviation < 0)
                    drops.Add((-deviation, belowStart));
                else
                    rises.Add(deviation);
                increment = median * gap;
            }
            previousDropped = isJump && deviation < 0;
            result[i] = result[i - 1] + increment;
        }
        // A drop matched by a rise of the same size is an object that came and went (a toggle), not a release.
        foreach (var (drop, belowStart) in drops)
        {
            var match = rises.FindIndex(rise => Math.Abs(rise - drop) <= Math.Max(jumpFloor, 0.1 * drop));
            if (match >= 0)
                rises.RemoveAt(match);
            else
            {
                releases++;
                if (belowStart)
                    releasesOfOlderMemory++;
            }
        }
        return result;
    }

    /// <summary>
    /// The series with the increments of disturbed intervals (for native memory: intervals in which the JIT compiled
    /// methods, on any thread) replaced by the median increment of the undisturbed ones. Returns the series unchanged
    /// when fewer than a third of the intervals are undisturbed: then there is too little quiet evidence to go on.
    /// </summary>
    /// <param name="iterations">Iteration number of each sample.</param>
    /// <param name="values">The samples.</param>
    /// <param name="disturbed">For each sample after the first: whether the interval that ends at it was disturbed.</param>
    /// <param name="setAside">How many intervals were set aside.</param>
    internal static double[] SetAsideDisturbedIntervals(
        ReadOnlySpan<double> iterations,
        ReadOnlySpan<double> values,
        ReadOnlySpan<bool> disturbed,
        out int setAside
    )
    {
        setAside = 0;
        var result = values.ToArray();
        var quiet = new List<double>();
        for (var i = 1; i < values.Length; i++)
        {
            if (!disturbed[i])
                quiet.Add((values[i] - values[i - 1]) / Math.Max(1, iterations[i] - iterations[i - 1]));
        }
        if (quiet.Count * 3 < values.Length - 1 || quiet.Count == values.Length - 1)
            return result;
        var median = Quantile(quiet.ToArray(), 0.5);
        for (var i = 1; i < values.Length; i++)
        {
            var increment = values[i] - values[i - 1];
            if (disturbed[i])
            {
                increment = median * Math.Max(1, iterations[i] - iterations[i - 1]);
                setAside++;
            }
            result[i] = result[i - 1] + increment;
        }
        return result;
    }

    private static double Quantile(double[] values, double q)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
