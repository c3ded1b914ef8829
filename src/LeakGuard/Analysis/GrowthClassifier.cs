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
internal readonly record struct RoundClassification(RoundOutcome Outcome, SlopeEstimate Whole, SlopeEstimate Tail);

/// <summary>
/// Classifies one round of equally spaced samples against a budget.
/// </summary>
/// <remarks>
/// The rule: fit the whole round and its second half. Whole slope within budget: <see cref="RoundOutcome.WithinBudget"/>.
/// Second-half slope within budget: <see cref="RoundOutcome.Plateau"/> (a cache that filled, lazy initialisation, a
/// step from tiered JIT). Both lower bounds over budget: <see cref="RoundOutcome.Growing"/>. Otherwise
/// <see cref="RoundOutcome.Inconclusive"/>.
/// </remarks>
internal static class GrowthClassifier
{
    /// <summary>Fewest samples in a round for the classifier to call growth; shorter rounds are within budget.</summary>
    public const int MinimumSamples = 8;

    public static RoundClassification Classify(ReadOnlySpan<double> round, double iterationsPerSample, double budget, double confidenceLevel)
    {
        var whole = TheilSen.Fit(round, iterationsPerSample, confidenceLevel);
        var tailStart = round.Length / 2;
        var tail = TheilSen.Fit(round[tailStart..], iterationsPerSample, confidenceLevel);
        if (whole.SampleCount < MinimumSamples || whole.PerIteration <= budget)
            return new(RoundOutcome.WithinBudget, whole, tail);
        if (tail.PerIteration <= budget)
            return new(RoundOutcome.Plateau, whole, tail);
        if (whole.LowerBound > budget && tail.LowerBound > budget)
            return new(RoundOutcome.Growing, whole, tail);
        return new(RoundOutcome.Inconclusive, whole, tail);
    }
}
