namespace LeakGuard;

/// <summary>The verdict on one metric of a leak run.</summary>
public enum MetricVerdict
{
    /// <summary>Growth per iteration within budget.</summary>
    Pass,

    /// <summary>Grew over budget at first, then leveled off (a cache filling, lazy initialisation, JIT tiering): passes.</summary>
    Plateau,

    /// <summary>The estimate stayed over budget but its confidence interval reached the budget up to the last iteration allowed: passes, with a note.</summary>
    Inconclusive,

    /// <summary>Grew over budget with confidence and did not level off: fails.</summary>
    Leak,

    /// <summary>The platform offers no way to read the metric: not judged.</summary>
    NotMeasured,

    /// <summary>
    /// Grew over budget, but the growth is explained by types that ignore rules set aside (known caches, third-party
    /// leaks: <see cref="LeakOptions.IgnoreRules"/>): passes; the report lists the rules that matched.
    /// </summary>
    Ignored,
}
