namespace LeakGuard;

/// <summary>
/// A robust growth slope: the Theil–Sen estimator (median of all pairwise slopes) with Sen's distribution-free
/// confidence interval, computed from the Mann–Kendall statistic's variance with the correction for ties.
/// </summary>
/// <param name="PerIteration">The slope in the metric's unit per iteration (bytes, handles or threads).</param>
/// <param name="LowerBound">Lower bound of the confidence interval, same unit.</param>
/// <param name="UpperBound">Upper bound of the confidence interval, same unit.</param>
/// <param name="ConfidenceLevel">Two-sided confidence level of the interval, e.g. 0.95.</param>
/// <param name="SampleCount">Number of samples the slope was fitted on.</param>
public readonly record struct SlopeEstimate(double PerIteration, double LowerBound, double UpperBound, double ConfidenceLevel, int SampleCount)
{
    /// <summary>A zero slope over no samples, used where nothing was measured.</summary>
    public static SlopeEstimate None => new(0, 0, 0, 0, 0);
}
