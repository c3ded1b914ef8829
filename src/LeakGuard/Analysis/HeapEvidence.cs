namespace LeakGuard.Analysis;

/// <summary>
/// The second opinion on a managed heap verdict: per-type growth between heap snapshots taken over further
/// iterations (<see cref="HeapSummary"/>), which does not move with other threads' allocations and releases the way
/// the process-wide live-bytes figure does.
/// </summary>
/// <remarks>
/// <para>Two ambiguous cases. A metric that grew with confidence in a round and then read as a plateau may be a cache
/// that filled, or a leak whose growth another thread's release offset: when a type grew in every interval between
/// the snapshots by at least one instance per <see cref="IterationsPerInstance"/> iterations, and is an
/// application type (not the runtime's or a test runner's, which grow on other threads: thread-pool injection under
/// load brings work queues, counters and threads) (or in size by at least
/// <see cref="MinimumSizeGrowthPerIteration"/> bytes per iteration), it is a leak. A metric called a leak on the
/// process-wide figure whose snapshots show no type growing in every interval is growth that is not the operation's (a host's cache that filled on another thread): not called a leak.</para>
/// <para>Where no summary could be taken, the process-wide verdict stands.</para>
/// </remarks>
internal static class HeapEvidence
{
    /// <summary>Most iterations per leaked instance that still counts as per-iteration growth (1 per 8; the README's sensitivity is 1 per 4).</summary>
    public const int IterationsPerInstance = 8;

    /// <summary>Least growth in size, in bytes per iteration, of a type whose instance count did not grow.</summary>
    public const double MinimumSizeGrowthPerIteration = 8;

    /// <summary>True when <paramref name="managed"/> is a plateau reached after growth with confidence: the heap histogram decides it.</summary>
    public static bool NeedsHistogram(MetricJudgement managed) =>
        managed.Metric == LeakMetric.ManagedHeap
        && managed.Verdict == MetricVerdict.Plateau
        && managed.GrewWithConfidence
        && managed.Reason is ReasonCode.WithinBudgetAfterGrowth or ReasonCode.LeveledOff;

    /// <summary>
    /// <paramref name="managed"/> decided again on <paramref name="summary"/>: an ambiguous plateau upgraded to a leak,
    /// or confirmed (<see cref="MetricJudgement.HistogramIterations"/> set); any other judgement unchanged.
    /// </summary>
    public static MetricJudgement Apply(MetricJudgement managed, HeapSummary? summary)
    {
        if (summary is null || managed.Metric != LeakMetric.ManagedHeap)
            return managed;
        var iterations = Math.Max(1, summary.IterationsBetweenSnapshots);
        if (NeedsHistogram(managed))
        {
            var growing = summary.GrewInEveryInterval ? summary.Types.FirstOrDefault(t => GrowsWithIterations(t, iterations)) : default;
            return growing.TypeName is { } name
                ? managed with
                {
                    Verdict = MetricVerdict.Leak,
                    Reason = ReasonCode.HeapHistogramKeptGrowing,
                    DecidingType = name,
                    HistogramIterations = iterations,
                }
                : managed with
                {
                    HistogramIterations = iterations,
                };
        }
        return managed;
    }

    private static bool GrowsWithIterations(TypeGrowth type, int iterations)
    {
        // The runtime's and the test runners' own types grow on other threads (thread-pool threads injected under load
        // bring their work queues, counters and thread objects): they cannot tell a leak from a plateau.
        if (HeapAnalysis.TypeNames.Ownership(type.TypeName) == 2)
            return false;
        var instances = type.CountAfter - type.CountBefore;
        if (instances * IterationsPerInstance >= iterations)
            return true;
        return instances >= 0 && type.BytesPerIteration >= MinimumSizeGrowthPerIteration;
    }
}
