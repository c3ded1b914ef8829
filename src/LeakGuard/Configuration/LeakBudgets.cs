namespace LeakGuard;

/// <summary>The budgets in force for a run, resolved from its options (and the baseline file) before the run starts.</summary>
internal static class LeakBudgets
{
    /// <summary>
    /// The budget of every metric: the option's, or the baseline budget (<see cref="LeakBaseline.GetBudget"/>) when the
    /// run is named and the baseline file has a slope for it. A baseline file that does not exist has no entries.
    /// </summary>
    /// <exception cref="LeakConfigurationException">The baseline file is malformed.</exception>
    public static (double[] Budgets, double?[] Baselines) Resolve(LeakOptions options, IReadOnlyList<LeakMetric> metrics)
    {
        var budgets = new double[metrics.Count];
        var baselines = new double?[metrics.Count];
        var baseline = options.BaselineFile is { } file && options.TestName is not null && File.Exists(file) ? LeakBaseline.LoadCached(file) : null;
        for (var m = 0; m < metrics.Count; m++)
        {
            var metric = metrics[m];
            budgets[m] = options.GetBudget(metric);
            if (baseline is not null && baseline.TryGetSlope(options.TestName!, metric, out var recorded))
            {
                baselines[m] = recorded;
                budgets[m] = LeakBaseline.GetBudget(budgets[m], recorded, options.BaselineTolerance, metric);
            }
        }
        return (budgets, baselines);
    }
}
