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
}
