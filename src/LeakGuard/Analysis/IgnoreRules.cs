namespace LeakGuard.Analysis;

/// <summary>
/// Applies <see cref="LeakOptions.IgnoreRules"/> to a managed heap leak: the growing types of the heap summary that a
/// rule matches are set aside, and when what remains of the slope is within budget the verdict becomes
/// <see cref="MetricVerdict.Ignored"/>.
/// </summary>
/// <remarks>
/// <para>The comparison is deliberately on the conservative side for the user's code: the slope's <em>lower</em>
/// confidence bound, minus the matched types' bytes per iteration (shallow sizes from the heap snapshots), must be within
/// the budget. Growth of types no rule matches keeps the leak verdict.</para>
/// <para>One exception: when the heap summary lists every type that grew in every interval between the snapshots (fewer
/// than <see cref="LeakOptions.TopTypes"/>) and each of them is matched by a rule, the rest of the process-wide figure
/// is growth that no type repeated: another thread's (a test host's reporter, say; 1,377 B/iteration beside a
/// 1,040 B/iteration ignored cache in one CI run of 20 iterations), not the operation's. The verdict is then
/// <see cref="MetricVerdict.Ignored"/>, and its reason says so.</para>
/// </remarks>
internal static class IgnoreRules
{
    public static (IReadOnlyList<IgnoredGrowth> Ignored, string? Note) Apply(
        LeakOptions options,
        MetricReport[] metrics,
        HeapSummary? heapSummary,
        string? heapSummaryUnavailableReason
    )
    {
        var index = (int)LeakMetric.ManagedHeap;
        var managed = metrics[index];
        if (options.IgnoreRules.Count == 0 || managed.Verdict != MetricVerdict.Leak)
            return ([], null);
        if (heapSummary is null)
        {
            var why = !options.CaptureHeapSummary ? "CaptureHeapSummary is off" : heapSummaryUnavailableReason ?? "the heap summary is missing";
            return ([], $"Ignore rules not applied: they match types of the heap summary, and there is none ({why}). The verdict above stands.");
        }

        var matches = new List<IgnoredGrowth>();
        foreach (var rule in options.IgnoreRules)
        {
            var types = heapSummary.Types.Where(t => t.BytesPerIteration > 0 && Matches(rule, t) && !matches.Any(m => m.Types.Contains(t.TypeName))).ToList();
            if (types.Count > 0)
                matches.Add(new IgnoredGrowth(rule, types.Select(t => t.TypeName).ToArray(), types.Sum(t => t.BytesPerIteration)));
        }
        if (matches.Count == 0)
            return ([], null);

        var setAside = matches.Sum(m => m.BytesPerIteration);
        var rest =
            managed.Slope.LowerBound - setAside <= managed.BudgetPerIteration ? "the rest is within budget"
            : OnlyMatchedTypesRepeated(options, heapSummary, matches)
                ? "the heap snapshots show no other type growing in every interval (the rest is not the operation's repeated growth)"
            : null;
        if (rest is not null)
            metrics[index] = managed.WithVerdict(
                MetricVerdict.Ignored,
                $"{managed.Reason}; but {MetricReport.FormatNumber(setAside)} B/iteration of it is in types matched by ignore rules, and {rest}"
            );
        return (matches, null);
    }

    /// <summary>
    /// True when <paramref name="summary"/> lists all the types that grew in every interval (fewer than
    /// <see cref="LeakOptions.TopTypes"/>, so none was cut off) and every one of them is in <paramref name="matches"/>
    /// (LeakGuard's own diagnosis state is never listed: <see cref="Diagnostics.HeapSummarizer"/> leaves it out).
    /// </summary>
    private static bool OnlyMatchedTypesRepeated(LeakOptions options, HeapSummary summary, List<IgnoredGrowth> matches) =>
        summary.GrewInEveryInterval && summary.Types.Count < options.TopTypes && summary.Types.All(t => matches.Any(m => m.Types.Contains(t.TypeName)));

    /// <summary>By type name, or when every retention path that gained instances starts at a static field of a matching type.</summary>
    internal static bool Matches(LeakIgnoreRule rule, TypeGrowth type)
    {
        if (rule.MatchesType(type.TypeName))
            return true;
        var gaining = type.Paths.Where(p => p.Instances > p.InstancesBefore).Select(p => p.Root).ToList();
        if (type.SizeGrowth is { } size)
            gaining.Add(size.Path.Root);
        return gaining.Count > 0 && gaining.All(rule.MatchesStaticRoot);
    }
}
