using LeakGuard.Analysis;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Analysis;

public class GrowthClassifierTests
{
    private static RoundOutcome Classify(double[] series, double budget = 0) => GrowthClassifier.Classify(series, 1, budget, 0.95).Outcome;

    [Fact]
    public void Linear_growth_over_budget_is_growing() => Classify(Series.Linear(51, 0, 24)).ShouldBe(RoundOutcome.Growing);

    [Fact]
    public void Linear_growth_under_budget_is_within_budget() => Classify(Series.Linear(51, 0, 24), budget: 32).ShouldBe(RoundOutcome.WithinBudget);

    [Fact]
    public void Growth_just_over_budget_is_growing() => Classify(Series.Linear(51, 0, 24), budget: 23).ShouldBe(RoundOutcome.Growing);

    [Fact]
    public void Slow_staircase_leak_is_growing() => Classify(Series.Staircase(51, 24, 4)).ShouldBe(RoundOutcome.Growing);

    [Fact]
    public void Flat_series_is_within_budget() => Classify(new double[51]).ShouldBe(RoundOutcome.WithinBudget);

    [Fact]
    public void Growth_that_levels_off_in_the_first_half_is_a_plateau() => Classify(Series.Plateau(51, 100, levelAt: 15)).ShouldBe(RoundOutcome.Plateau);

    [Fact]
    public void A_single_step_is_never_called_growing()
    {
        // tiered JIT or lazy initialisation: one jump in the middle of the round
        foreach (var at in new[] { 5, 20, 25, 30, 45 })
            Classify(Series.Step(51, at, 4096)).ShouldNotBe(RoundOutcome.Growing, $"step at sample {at}");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Noise_is_never_called_growing(int seed) => Classify(Series.Noise(51, amplitude: 2000, seed)).ShouldNotBe(RoundOutcome.Growing);

    [Fact]
    public void A_leak_under_heavy_noise_is_still_caught()
    {
        // 1 KiB per iteration under ±512 B of page-granular noise
        Classify(Series.Noise(51, amplitude: 512, seed: 3, slope: 1024)).ShouldBe(RoundOutcome.Growing);
    }

    [Fact]
    public void Outliers_do_not_turn_a_flat_series_into_growth() =>
        Classify(Series.WithOutliers(new double[51], seed: 5, outliers: 4, size: 1e6)).ShouldNotBe(RoundOutcome.Growing);

    [Fact]
    public void Rounds_shorter_than_the_minimum_are_within_budget() =>
        Classify(Series.Linear(GrowthClassifier.MinimumSamples - 1, 0, 24)).ShouldBe(RoundOutcome.WithinBudget);
}

public class GrowthClassifierRunEvidenceTests
{
    [Fact]
    public void A_round_widened_by_toggling_noise_is_growing_when_the_run_shows_growth()
    {
        // 24 B/iteration leak; in the last round an 8.5 KiB object appears and disappears (noise much larger than
        // the round's own growth), so the round's own interval reaches zero.
        var iterations = Enumerable.Range(0, 201).Select(i => (double)i * 4).ToArray();
        var values = iterations.Select(x => 24 * x).ToArray();
        for (var i = 150; i < 201; i++)
        {
            if (i % 7 is 0 or 1 or 2)
                values[i] += 8560;
        }

        var outcome = GrowthClassifier.Classify(iterations, values, roundStart: 150, budget: 0, confidenceLevel: 0.95);

        outcome.Outcome.ShouldBe(RoundOutcome.Growing);
        outcome.Run.PerIteration.ShouldBe(24, tolerance: 1);
    }

    [Fact]
    public void A_level_round_after_growth_is_within_budget_even_though_the_run_grew()
    {
        var iterations = Enumerable.Range(0, 101).Select(i => (double)i).ToArray();
        var values = iterations.Select(x => Math.Min(x, 50) * 100).ToArray();

        GrowthClassifier.Classify(iterations, values, roundStart: 50, budget: 0, confidenceLevel: 0.95).Outcome.ShouldBe(RoundOutcome.WithinBudget);
    }
}

public class GrowthClassifierJumpTests
{
    private const double Floor = 2048;

    private static RoundOutcome Classify(double[] series) => GrowthClassifier.Classify(series, 1, 0, 0.95, Floor).Outcome;

    [Fact]
    public void A_leak_with_one_large_release_elsewhere_is_still_growing()
    {
        // 144 B/iteration leak; another component releases 64 KiB two thirds of the way through
        var series = Series.Linear(51, 0, 144);
        for (var i = 34; i < series.Length; i++)
            series[i] -= 65536;

        Classify(series).ShouldBe(RoundOutcome.Growing);
    }

    [Fact]
    public void A_clean_series_with_one_release_is_within_budget() => Classify(Series.Step(51, 20, -65536)).ShouldBe(RoundOutcome.WithinBudget);

    [Fact]
    public void A_clean_series_with_an_object_appearing_and_disappearing_is_not_growing()
    {
        var series = new double[51];
        for (var i = 20; i < 27; i++)
            series[i] = 8560;

        Classify(series).ShouldNotBe(RoundOutcome.Growing);
    }

    [Fact]
    public void A_compacting_cache_sawtooth_is_judged_on_the_raw_series_and_not_called_growing()
    {
        // grows 250 B/iteration for 12 iterations, then compacts back: four drops in the round
        var series = Enumerable.Range(0, 51).Select(i => (i % 13) * 250.0).ToArray();

        Classify(series).ShouldNotBe(RoundOutcome.Growing);
    }

    [Fact]
    public void Neutralize_replaces_isolated_jumps_by_the_median_increment()
    {
        double[] iterations = [0, 1, 2, 3, 4, 5, 6];
        double[] values = [0, 10, 20, -9970, -9960, -9950, -9940];

        var neutralized = GrowthClassifier.Neutralize(iterations, values, Floor, out var releases, out var jumps);

        neutralized.ShouldBe([0.0, 10, 20, 30, 40, 50, 60]);
        releases.ShouldBe(1);
        jumps.ShouldBe(1);
    }

    [Fact]
    public void A_drop_matched_by_a_rise_of_the_same_size_is_a_toggle_not_a_release()
    {
        var iterations = Enumerable.Range(0, 51).Select(i => (double)i).ToArray();
        var values = Series.Linear(51, 0, 24);
        for (var i = 10; i < 51; i++)
            values[i] -= i < 20 ? 8560 : 0;
        for (var i = 30; i < 51; i++)
            values[i] -= 40000;

        GrowthClassifier.Neutralize(iterations, values, Floor, out var releases, out var jumps);

        jumps.ShouldBe(3);
        releases.ShouldBe(1);
    }

    [Fact]
    public void Regular_steps_of_a_slow_leak_are_not_jumps()
    {
        GrowthClassifier.Neutralize(Enumerable.Range(0, 51).Select(i => (double)i).ToArray(), Series.Staircase(51, 4096, 2), Floor, out _, out var jumps);

        jumps.ShouldBe(0);
    }
}

public class DisturbedIntervalTests
{
    private static readonly double[] Iterations = Enumerable.Range(0, 51).Select(i => (double)i).ToArray();

    [Fact]
    public void Native_growth_during_JIT_compilation_is_set_aside()
    {
        // clean operation; the JIT allocates 20 KiB in five intervals around iteration 30
        var values = new double[51];
        var disturbed = new bool[51];
        for (var i = 28; i < 51; i++)
            values[i] = i < 33 ? (i - 27) * 4096 : 5 * 4096;
        for (var i = 28; i < 33; i++)
            disturbed[i] = true;

        var judged = GrowthClassifier.SetAsideDisturbedIntervals(Iterations, values, disturbed, out var setAside);

        setAside.ShouldBe(5);
        judged.ShouldAllBe(v => v == 0);
    }

    [Fact]
    public void A_native_leak_still_grows_when_JIT_intervals_are_set_aside()
    {
        var values = Series.Linear(51, 0, 1040);
        var disturbed = Enumerable.Range(0, 51).Select(i => i % 3 == 0 && i > 0).ToArray();

        var judged = GrowthClassifier.SetAsideDisturbedIntervals(Iterations, values, disturbed, out _);

        GrowthClassifier.Classify(Iterations, judged, 0, 0, 0.95).Outcome.ShouldBe(RoundOutcome.Growing);
        judged[^1].ShouldBe(50 * 1040);
    }

    [Fact]
    public void Nothing_is_set_aside_when_too_few_intervals_are_quiet()
    {
        var values = Series.Linear(51, 0, 1040);
        var disturbed = Enumerable.Range(0, 51).Select(i => i % 4 != 0).ToArray();

        GrowthClassifier.SetAsideDisturbedIntervals(Iterations, values, disturbed, out var setAside).ShouldBe(values);
        setAside.ShouldBe(0);
    }
}
