using LeakGuard.Analysis;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Analysis;

/// <summary>
/// Spaced samples (<see cref="LeakOptions.IterationsPerSample"/>): where the samples fall, and that the README's
/// sensitivity figures hold with them, on scripted series through the real engine loop.
/// </summary>
public class SampleSpacingTests
{
    private static int[] SampledIterations(LeakReport report) => [.. report.Metrics[(int)LeakMetric.ManagedHeap].Samples.Select(s => s.Iteration)];

    [Theory]
    [InlineData(50, 4)]
    [InlineData(100, 4)]
    [InlineData(47, 3)]
    [InlineData(30, 2)]
    [InlineData(23, 1)]
    [InlineData(8, 1)]
    public void The_automatic_spacing_keeps_at_least_12_samples_a_round_and_at_most_4_iterations_between_them(int iterations, int expected)
    {
        var options = new LeakOptions { Iterations = iterations };

        options.EffectiveIterationsPerSample.ShouldBe(expected);
        options.SamplesPerRound.ShouldBeGreaterThanOrEqualTo(Math.Min(iterations, 12));
    }

    [Fact]
    public async Task A_passing_default_run_samples_every_4_iterations_and_last_at_iteration_50()
    {
        var source = new ScriptedSampleSource();

        var report = await source.RunAsync(new LeakOptions { CaptureHeapSummary = false });

        report.HasLeak.ShouldBeFalse(report.ToString());
        SampledIterations(report).ShouldBe([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 50]);
        source.Samples.ShouldBe(14);
        report.Iterations.ShouldBe(50);
    }

    [Fact]
    public async Task Extension_rounds_keep_the_number_of_samples_and_double_the_spacing()
    {
        var report = await new ScriptedSampleSource().With(LeakMetric.ManagedHeap, (i, _) => 24.0 * i).RunAsync(new LeakOptions { CaptureHeapSummary = false });

        var iterations = SampledIterations(report);
        iterations.Length.ShouldBe(1 + 4 * 13);
        iterations[13].ShouldBe(50);
        iterations[14].ShouldBe(58); // round 1: 8 apart
        iterations[26].ShouldBe(150);
        iterations[27].ShouldBe(166); // round 2: 16 apart
        iterations[39].ShouldBe(350);
        iterations[40].ShouldBe(382); // round 3: 32 apart
        iterations[^1].ShouldBe(750);
    }

    [Fact]
    public async Task One_iteration_per_sample_samples_after_every_iteration()
    {
        var source = new ScriptedSampleSource();

        var report = await source.RunAsync(new LeakOptions { CaptureHeapSummary = false, IterationsPerSample = 1 });

        SampledIterations(report).ShouldBe(Enumerable.Range(0, 51));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task One_object_every_fourth_iteration_is_a_leak_whatever_its_phase_against_the_samples(int phase)
    {
        // A 24-byte object at every fourth iteration, starting at iteration 4 - phase: 6 B/iteration.
        var report = await new ScriptedSampleSource()
            .With(LeakMetric.ManagedHeap, (i, _) => 24.0 * ((i + phase) / 4))
            .RunAsync(new LeakOptions { CaptureHeapSummary = false });

        var managed = report.Metrics[(int)LeakMetric.ManagedHeap];
        managed.Verdict.ShouldBe(MetricVerdict.Leak, report.ToString());
        managed.Slope.PerIteration.ShouldBe(6, 0.1);
    }

    [Theory]
    [InlineData(LeakMetric.NativeHeap, 1024)] // 1 KiB per iteration, over the 512 B budget
    [InlineData(LeakMetric.Handles, 1)]
    [InlineData(LeakMetric.Threads, 1)]
    public async Task The_readme_sensitivity_figures_hold_with_spaced_samples(LeakMetric metric, double perIteration)
    {
        var report = await new ScriptedSampleSource().With(metric, (i, _) => perIteration * i).RunAsync(new LeakOptions { CaptureHeapSummary = false });

        var judged = report.Metrics[(int)metric];
        judged.Verdict.ShouldBe(MetricVerdict.Leak, report.ToString());
        judged.Slope.PerIteration.ShouldBe(perIteration);
    }

    [Fact]
    public async Task Half_the_native_budget_per_iteration_passes()
    {
        var report = await new ScriptedSampleSource().With(LeakMetric.NativeHeap, (i, _) => 256.0 * i).RunAsync(new LeakOptions { CaptureHeapSummary = false });

        report.Metrics[(int)LeakMetric.NativeHeap].Verdict.ShouldBe(MetricVerdict.Pass, report.ToString());
    }
}
