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
/// application type (or in size by at least <see cref="MinimumSizeGrowthPerIteration"/> bytes per iteration), it is a
/// leak; a type of the runtime or of a test runner, which grow on other threads (thread-pool injection under load brings
/// work queues, counters and threads), counts only when it gained at least one instance per iteration.</para>
/// <para>A metric called a leak on the process-wide figure stands whenever any type grew between the first and the
/// last snapshot, even one that fell in one interval (a churning <c>byte[]</c> hid one array growing 64 B an
/// iteration) or a runtime type (a leak of <c>string</c>s). Only when no type grew at all, in count or in size (the
/// analysis also searched the largest array and string types for one instance that grew), is the growth another
/// thread's (a test host's reporter on another thread, measured at 12 B/iteration over 300 iterations of an async
/// test under load): inconclusive, which passes with its reason. LeakGuard's own heap-summary state (the snapshot
/// method's async state machine, boxed at its first await after the first snapshot) is not growth.</para>
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
    /// or confirmed (<see cref="MetricJudgement.HistogramIterations"/> set); a leak whose snapshots show no type growing
    /// at all made inconclusive; any other judgement unchanged.
    /// </summary>
    /// <param name="managed">The judge's verdict on the managed heap.</param>
    /// <param name="summary">The heap summary of further iterations, or null when none was taken.</param>
    /// <param name="searchedSizeGrowth">
    /// True when the analysis searched the largest array and string types for one instance that grew in size (it does
    /// when retention paths are searched at all, <see cref="LeakOptions.RetentionPathTypes"/> above 0): only then does
    /// an empty summary show that nothing grew.
    /// </param>
    public static MetricJudgement Apply(MetricJudgement managed, HeapSummary? summary, bool searchedSizeGrowth = true)
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
        if (searchedSizeGrowth && managed.Verdict == MetricVerdict.Leak && !summary.Types.Any(t => !IsOwnDiagnosis(t.TypeName)))
            return managed with { Verdict = MetricVerdict.Inconclusive, Reason = ReasonCode.HeapSnapshotsShowedNoGrowth, HistogramIterations = iterations };
        return managed;
    }

    /// <summary>
    /// True for the heap summary's own objects: the async state machine of the snapshot method, boxed at its first
    /// await (an asynchronous operation's first iteration after the first snapshot) and alive until the last.
    /// </summary>
    internal static bool IsOwnDiagnosis(string typeName) => typeName.Contains("LeakGuard.Diagnostics.HeapSummarizer+", StringComparison.Ordinal);

    private static bool GrowsWithIterations(TypeGrowth type, int iterations)
    {
        var instances = type.CountAfter - type.CountBefore;
        // The runtime's and the test runners' own types grow on other threads (thread-pool threads injected under load
        // bring their work queues, counters and thread objects: 19 System.Object[] in 50 iterations measured): a few
        // instances of them cannot tell a leak from a plateau. One or more per iteration can: the operation's own leak
        // of runtime objects (a Task.Delay per call on a long-lived token: DelayPromise, its timer and registration).
        if (HeapAnalysis.TypeNames.Ownership(type.TypeName) == 2)
            return instances >= iterations;
        if (instances * IterationsPerInstance >= iterations)
            return true;
        return instances >= 0 && type.BytesPerIteration >= MinimumSizeGrowthPerIteration;
    }
}
