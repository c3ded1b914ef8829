using LeakGuard.Diagnostics;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Analysis;

/// <summary>The ignore rules, the analyser after the judge: they change a metric's verdict and keep the rest of it.</summary>
public class IgnoreRuleStageTests
{
    [Fact]
    public async Task An_ignored_leak_keeps_its_baseline_budget_and_tolerance()
    {
        var file = Path.Combine(Path.GetTempPath(), $"leakguard-ignore-baseline-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "schemaVersion": 1, "tests": { "Stage.Test": { "managedHeap": 100 } } }""");
        try
        {
            // 400 B/iteration over a baseline budget of 100 + max(25%, 64 B floor) = 164; all of it in an ignored type.
            var heap = new ScriptedHeapDiagnoser(
                ScriptedHeapDiagnoser.Summary(grewInEveryInterval: true, new TypeGrowth("Vendor.Cache+Entry", 100, 150, 10_000, 30_000, 50))
            );
            var options = new LeakOptions
            {
                BaselineFile = file,
                TestName = "Stage.Test",
                IgnoreRules = [new LeakIgnoreRule("Vendor.*", "vendor cache")],
            };

            var report = await new ScriptedSampleSource().With(LeakMetric.ManagedHeap, (i, _) => 400.0 * i).RunAsync(options, heap);

            var managed = report[LeakMetric.ManagedHeap];
            managed.Verdict.ShouldBe(MetricVerdict.Ignored);
            managed.BaselinePerIteration.ShouldBe(100);
            managed.BaselineTolerance.ShouldBe(0.25);
            managed.BudgetPerIteration.ShouldBe(164);
            managed.Reason.ShouldBe(
                "kept growing through 750 iterations and did not level off; but 400 B/iteration of it is in types matched by ignore rules, and the rest is within budget"
            );
        }
        finally
        {
            File.Delete(file);
        }
    }

    // 2,400 B/iteration process-wide in a single round of 20 iterations, of which the snapshots find 1,040 B/iteration in
    // an ignored cache: the series of one CI run (the rest another thread's growth that no type repeated).
    private static Task<LeakReport> RunWithSummary(HeapSummary summary, int topTypes = 10) =>
        new ScriptedSampleSource()
            .With(LeakMetric.ManagedHeap, (i, _) => 2_400.0 * i)
            .RunAsync(
                new LeakOptions
                {
                    Iterations = 20,
                    MaxIterations = 20,
                    MaxManagedBytesPerIteration = 256,
                    TopTypes = topTypes,
                    IgnoreRules = [new LeakIgnoreRule("Vendor.*", "bounded in production")],
                },
                new ScriptedHeapDiagnoser(summary)
            );

    private static TypeGrowth Cache => new("Vendor.Cache+Entry", 22, 72, 22_880, 74_880, 50); // 1 instance, 1,040 B per iteration

    [Fact]
    public async Task When_only_ignored_types_grew_in_every_interval_the_rest_of_the_growth_is_not_the_operations()
    {
        var report = await RunWithSummary(ScriptedHeapDiagnoser.Summary(grewInEveryInterval: true, Cache));

        var managed = report[LeakMetric.ManagedHeap];
        managed.Verdict.ShouldBe(MetricVerdict.Ignored, report.ToString());
        managed.Reason.ShouldBe(
            "kept growing through 20 iterations and did not level off; but 1,040 B/iteration of it is in types matched by ignore rules, and the heap snapshots show no other type growing in every interval (the rest is not the operation's repeated growth)"
        );
        report.Failed.ShouldBeFalse();
        report.IgnoredGrowth.ShouldHaveSingleItem().BytesPerIteration.ShouldBe(1_040);
    }

    [Fact]
    public async Task Another_type_growing_in_every_interval_keeps_the_leak()
    {
        var report = await RunWithSummary(ScriptedHeapDiagnoser.Summary(grewInEveryInterval: true, Cache, new TypeGrowth("App.Order", 10, 60, 480, 2_880, 50)));

        report[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Leak, report.ToString());
        report.Failed.ShouldBeTrue();
    }

    [Fact]
    public async Task A_summary_of_types_that_did_not_grow_in_every_interval_keeps_the_leak()
    {
        // No type grew in every interval: the summary lists first-to-last growth, which says nothing about the rest.
        var report = await RunWithSummary(ScriptedHeapDiagnoser.Summary(grewInEveryInterval: false, Cache));

        report[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Leak, report.ToString());
    }

    [Fact]
    public async Task A_summary_cut_off_at_TopTypes_keeps_the_leak()
    {
        // One listed type with TopTypes = 1: a growing type after it may have been left out.
        var report = await RunWithSummary(ScriptedHeapDiagnoser.Summary(grewInEveryInterval: true, Cache), topTypes: 1);

        report[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Leak, report.ToString());
    }
}
