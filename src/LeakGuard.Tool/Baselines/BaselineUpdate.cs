namespace LeakGuard.Tool.Baselines;

/// <summary>What <c>baseline update</c> did with one metric of one test (docs/baselines.md).</summary>
internal enum BaselineChangeKind
{
    /// <summary>The test or the metric was not recorded; now it is.</summary>
    Added,

    /// <summary>The measured slope is lower than the recorded one; the lower one is recorded.</summary>
    Lowered,

    /// <summary>The measured slope is higher and <c>--ratchet</c> was not given; the higher one is recorded.</summary>
    Raised,

    /// <summary><c>--ratchet</c>: the slope rose, but its lower bound is within the recorded slope's allowance (noise); the recorded slope stays.</summary>
    Kept,

    /// <summary><c>--ratchet</c>: the slope's lower bound is over the recorded slope plus its allowance; the recorded slope stays and the verb exits 1.</summary>
    Refused,

    /// <summary><c>--prune</c>: the test has no report; it is no longer recorded.</summary>
    Removed,
}

/// <summary>One row of the change table.</summary>
/// <param name="Test">The test name.</param>
/// <param name="Metric">The metric's key (<c>managedHeap</c>, <c>nativeHeap</c>, <c>handles</c>, <c>threads</c>); null for a removed test that recorded no metric.</param>
/// <param name="Old">The recorded slope per iteration before; null when not recorded.</param>
/// <param name="New">The measured slope per iteration as it would be recorded (clamped at 0, rounded); null for a removed test.</param>
/// <param name="Change">What happened.</param>
/// <param name="LowerBound">The lower bound of the measured slope (the figure the gate judges); null for a removed test.</param>
/// <param name="Allowed">For <see cref="BaselineChangeKind.Kept"/> and <see cref="BaselineChangeKind.Refused"/>: the recorded slope plus its allowance, <c>b + max(b × tolerance, floor)</c>.</param>
/// <param name="Verdict">The report's verdict of the metric (<c>pass</c>, <c>plateau</c>, <c>inconclusive</c>, <c>leak</c>); null for a removed test.</param>
internal sealed record BaselineChange(
    string Test,
    string? Metric,
    double? Old,
    double? New,
    BaselineChangeKind Change,
    double? LowerBound,
    double? Allowed,
    string? Verdict
);

/// <summary>The outcome of applying a run's reports to a baseline.</summary>
/// <param name="Baseline">The new baseline.</param>
/// <param name="Changes">Every change, by test (ordinal) and metric.</param>
/// <param name="Notes">Tests with more than one report, and similar remarks.</param>
internal sealed record BaselineUpdateResult(LeakBaseline Baseline, IReadOnlyList<BaselineChange> Changes, IReadOnlyList<string> Notes);

/// <summary>The rules of <c>leakguard baseline update</c>: which recorded slopes a run's reports add, lower, raise or leave.</summary>
internal static class BaselineUpdate
{
    /// <summary>Applies <paramref name="reports"/> (each with a test name) to <paramref name="baseline"/>.</summary>
    /// <param name="baseline">The recorded baseline (<see cref="LeakBaseline.Empty"/> when there is no file yet).</param>
    /// <param name="reports">The reports; several for one test count with the highest slope and lower bound of each metric.</param>
    /// <param name="ratchet">Never raise a recorded slope: a rise within <c>b + max(b × tolerance, floor)</c> is kept at <c>b</c>, a rise over it is refused.</param>
    /// <param name="prune">Drop recorded tests that have no report.</param>
    /// <param name="tolerance">Relative tolerance of the ratchet (0 to 10), as the gate's.</param>
    public static BaselineUpdateResult Apply(LeakBaseline baseline, IReadOnlyList<ArtifactReport> reports, bool ratchet, bool prune, double tolerance)
    {
        var notes = new List<string>();
        var measured = new SortedDictionary<string, Dictionary<LeakMetric, MeasuredSlope>>(StringComparer.Ordinal);
        foreach (var group in reports.Where(r => r.TestName is not null).GroupBy(r => r.TestName!, StringComparer.Ordinal))
        {
            var slopes = new Dictionary<LeakMetric, MeasuredSlope>();
            foreach (var report in group)
            {
                foreach (var (metric, slope) in report.Slopes)
                {
                    slopes[metric] = slopes.TryGetValue(metric, out var other)
                        ? new MeasuredSlope(
                            Math.Max(other.PerIteration, slope.PerIteration),
                            Math.Max(other.LowerBound, slope.LowerBound),
                            other.PerIteration >= slope.PerIteration ? other.Verdict : slope.Verdict
                        )
                        : slope;
                }
            }
            if (group.Count() > 1)
                notes.Add($"{group.Count()} reports for '{group.Key}': the highest slope of each metric counts.");
            measured[group.Key] = slopes;
        }

        var changes = new List<BaselineChange>();
        var result = baseline;
        foreach (var (test, slopes) in measured)
        {
            var recorded = baseline.Tests.TryGetValue(test, out var r) ? r : new Dictionary<LeakMetric, double>();
            var next = recorded.ToDictionary(p => p.Key, p => p.Value);
            foreach (var metric in Enum.GetValues<LeakMetric>())
            {
                if (!slopes.TryGetValue(metric, out var slope))
                    continue;
                var key = LeakBaseline.MetricKey(metric);
                var value = LeakBaseline.RoundSlope(slope.PerIteration, metric);
                BaselineChange Change(double? old, BaselineChangeKind kind, double? allowed = null) =>
                    new(test, key, old, value, kind, slope.LowerBound, allowed, slope.Verdict);
                if (!recorded.TryGetValue(metric, out var old))
                {
                    changes.Add(Change(null, BaselineChangeKind.Added));
                    next[metric] = value;
                }
                else if (value < old)
                {
                    changes.Add(Change(old, BaselineChangeKind.Lowered));
                    next[metric] = value;
                }
                else if (value > old && !ratchet)
                {
                    changes.Add(Change(old, BaselineChangeKind.Raised));
                    next[metric] = value;
                }
                else if (value > old)
                {
                    var allowed = old + Math.Max(old * tolerance, LeakBaseline.GetFloor(metric));
                    changes.Add(Change(old, slope.LowerBound > allowed ? BaselineChangeKind.Refused : BaselineChangeKind.Kept, allowed));
                }
            }
            var isNew = !baseline.Tests.ContainsKey(test);
            if ((isNew && next.Count > 0) || (!isNew && (next.Count != recorded.Count || next.Any(p => recorded[p.Key] != p.Value))))
                result = result.WithTest(test, next);
        }

        if (prune)
        {
            foreach (var test in baseline.Tests.Keys.Where(t => !measured.ContainsKey(t)))
            {
                var recorded = baseline.Tests[test];
                if (recorded.Count == 0)
                    changes.Add(new BaselineChange(test, null, null, null, BaselineChangeKind.Removed, null, null, null));
                foreach (var (metric, old) in recorded)
                    changes.Add(new BaselineChange(test, LeakBaseline.MetricKey(metric), old, null, BaselineChangeKind.Removed, null, null, null));
                result = result.WithoutTest(test);
            }
        }
        // A stable sort: the rows of one test keep their metric order.
        return new BaselineUpdateResult(result, [.. changes.OrderBy(c => c.Test, StringComparer.Ordinal)], notes);
    }
}
