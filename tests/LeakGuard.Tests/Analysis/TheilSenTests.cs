using LeakGuard.Analysis;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Analysis;

public class TheilSenTests
{
    [Fact]
    public void Linear_growth_gives_the_exact_slope_and_a_tight_interval()
    {
        var fit = TheilSen.Fit(Series.Linear(51, 1000, 24), 1, 0.95);

        fit.PerIteration.ShouldBe(24);
        fit.LowerBound.ShouldBe(24);
        fit.UpperBound.ShouldBe(24);
        fit.SampleCount.ShouldBe(51);
    }

    [Fact]
    public void Slope_is_divided_by_iterations_per_sample()
    {
        TheilSen.Fit(Series.Linear(51, 0, 48), iterationsPerSample: 8, 0.95).PerIteration.ShouldBe(6);
    }

    [Fact]
    public void A_slow_staircase_leak_is_estimated_at_its_average_rate_with_a_positive_lower_bound()
    {
        // one 24-byte object every fourth iteration: 6 B/iteration on average
        var fit = TheilSen.Fit(Series.Staircase(51, 24, 4), 1, 0.95);

        fit.PerIteration.ShouldBe(6, tolerance: 0.5);
        fit.LowerBound.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Outliers_do_not_move_the_slope()
    {
        var clean = Series.Linear(51, 0, 10);
        var fit = TheilSen.Fit(Series.WithOutliers(clean, seed: 7, outliers: 5, size: 1_000_000), 1, 0.95);

        fit.PerIteration.ShouldBe(10, tolerance: 0.5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pure_noise_has_an_interval_that_contains_zero(int seed)
    {
        var fit = TheilSen.Fit(Series.Noise(51, amplitude: 500, seed), 1, 0.95);

        fit.LowerBound.ShouldBeLessThanOrEqualTo(0);
        fit.UpperBound.ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void NaN_samples_are_skipped()
    {
        var series = Series.Linear(20, 0, 3);
        series[5] = double.NaN;
        series[12] = double.NaN;

        var fit = TheilSen.Fit(series, 1, 0.95);

        fit.PerIteration.ShouldBe(3);
        fit.SampleCount.ShouldBe(18);
    }

    [Fact]
    public void Uneven_iteration_numbers_are_respected()
    {
        double[] iterations = [0, 1, 2, 4, 8, 16, 32];
        var values = iterations.Select(x => 5 * x).ToArray();

        TheilSen.Fit(iterations, values, 0.95).PerIteration.ShouldBe(5);
    }

    [Fact]
    public void Fewer_than_two_samples_give_a_zero_slope()
    {
        TheilSen.Fit([42.0], 1, 0.95).PerIteration.ShouldBe(0);
    }

    [Fact]
    public void Mismatched_lengths_throw()
    {
        Should.Throw<ArgumentException>(() => TheilSen.Fit([1.0, 2.0], [1.0], 0.95));
    }

    [Fact]
    public void Mann_Kendall_variance_matches_the_textbook_formula_with_ties()
    {
        // n = 10, no ties: n(n-1)(2n+5)/18 = 10*9*25/18 = 125
        TheilSen.MannKendallVariance(Series.Linear(10, 0, 1)).ShouldBe(125);
        // two tie groups of 5: (2250 - 2*5*4*15)/18 = (2250 - 600)/18
        TheilSen.MannKendallVariance(Series.Step(10, 5, 1)).ShouldBe((2250.0 - 600) / 18, tolerance: 1e-9);
    }

    [Fact]
    public void Mann_Kendall_S_counts_concordant_minus_discordant_pairs()
    {
        TheilSen.MannKendallS(Series.Linear(10, 0, 1)).ShouldBe(45);
        TheilSen.MannKendallS(Series.Linear(10, 0, -1)).ShouldBe(-45);
        TheilSen.MannKendallS(Series.Step(10, 5, 1)).ShouldBe(25);
    }

    [Theory]
    [InlineData(0.975, 1.959964)]
    [InlineData(0.5, 0)]
    [InlineData(0.995, 2.575829)]
    [InlineData(0.01, -2.326348)]
    public void Normal_quantile_matches_tables(double p, double z)
    {
        Normal.Quantile(p).ShouldBe(z, tolerance: 1e-5);
    }
}
