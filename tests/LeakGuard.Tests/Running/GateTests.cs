using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Running;

/// <summary>Allocation budgets and ignore rules through the real engine.</summary>
public sealed class GateTests
{
    // Short runs of operations that touch only the managed heap. Native memory is not what these tests are about, and a
    // short run cannot tell another thread's mallocs from a leak (a loaded run with 8 processors once saw the test host's
    // malloc arenas grow 3.2 MiB during a 36-iteration run of `new byte[4000]`: "98,353 B/iteration"): its budget here is
    // 1 MiB per iteration. Native leaks are the corpus's and the attribution tests' business.
    private static readonly LeakOptions Quick = new()
    {
        Iterations = 12,
        WarmupIterations = 2,
        MaxIterations = 48,
        MaxNativeBytesPerIteration = 1024 * 1024,
    };

    [Fact]
    public void An_operation_allocating_over_its_budget_fails_with_the_figure()
    {
        var report = LeakTest.Run(() => GC.KeepAlive(new byte[4000]), Quick with { MaxAllocatedBytesPerIteration = 1024 });

        var text = report.ToString();
        report.HasLeak.ShouldBeFalse(text);
        report.Failed.ShouldBeTrue(text);
        report.Allocations.IsOverBudget.ShouldBeTrue(text);
        report.Allocations.BytesPerIteration.ShouldBeInRange(4000, 4100, text); // a byte[4000] is 4,024 B on 64-bit
        report.Allocations.Source.ShouldBe("GC.GetAllocatedBytesForCurrentThread");
        text.ShouldStartWith("LeakGuard: allocation budget exceeded.");
        text.ShouldContain("allocated 4,024 B/iteration exceeds maximum of 1,024 B/iteration");
        Should.Throw<LeakDetectedException>(() =>
            LeakTest.AssertNoLeak(() => GC.KeepAlive(new byte[4000]), Quick with { MaxAllocatedBytesPerIteration = 1024 })
        );
    }

    [Fact]
    public void An_operation_that_does_not_allocate_meets_a_zero_budget()
    {
        var report = LeakTest.Run(static () => { }, Quick with { MaxAllocatedBytesPerIteration = 0 });

        report.Allocations.TotalBytes.ShouldBe(0, report.ToString());
        report.Failed.ShouldBeFalse(report.ToString());
        report.ToString().ShouldContain("allocated 0 B/iteration within budget of 0 B/iteration");
    }

    [Fact]
    public async Task Asynchronous_runs_count_the_whole_process()
    {
        var report = await LeakTest.RunAsync(
            async () =>
            {
                await Task.Yield();
                GC.KeepAlive(new byte[8000]);
            },
            Quick with
            {
                MaxAllocatedBytesPerIteration = 2048,
            }
        );

        report.Allocations.Source.ShouldBe("GC.GetTotalAllocatedBytes(precise: true)");
        report.Allocations.BytesPerIteration.ShouldBeGreaterThan(8000, report.ToString());
        report.Failed.ShouldBeTrue(report.ToString());
    }

    [Fact]
    public void Without_a_budget_the_traffic_is_reported_and_does_not_fail()
    {
        var report = LeakTest.Run(() => GC.KeepAlive(new byte[4000]), Quick);

        report.Allocations.BudgetPerIteration.ShouldBeNull();
        report.Failed.ShouldBeFalse(report.ToString());
        report.ToJson().ShouldContain("\"bytesPerIteration\": 4024");
    }

    [Fact]
    public void Growth_of_ignored_types_is_set_aside_and_the_rule_is_listed()
    {
        KnownCache.Clear();
        try
        {
            var rule = new LeakIgnoreRule("LeakGuard.Tests.Running.GateTests+KnownCache+Entry", "bounded in production", "test");
            var report = LeakTest.Run(KnownCache.Add, Quick with { Iterations = 20, MaxManagedBytesPerIteration = 256, IgnoreRules = [rule] });

            var text = report.ToString();
            report.Failed.ShouldBeFalse(text);
            report[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Ignored, text);
            report.IgnoredGrowth.ShouldHaveSingleItem(text).Types.ShouldBe(["LeakGuard.Tests.Running.GateTests+KnownCache+Entry"]);
            text.ShouldContain("Ignore rules that matched (growth set aside):");
            text.ShouldContain("'LeakGuard.Tests.Running.GateTests+KnownCache+Entry' (bounded in production) from test: 1 type, 1,040 B/iteration");
        }
        finally
        {
            KnownCache.Clear();
        }
    }

    [Fact]
    public void A_rule_on_the_class_holding_the_static_field_matches_what_it_roots_and_other_growth_still_fails()
    {
        KnownCache.Clear();
        OtherLeak.Clear();
        try
        {
            var rule = new LeakIgnoreRule("LeakGuard.Tests.Running.GateTests+KnownCache", source: "test");
            var ignored = LeakTest.Run(KnownCache.Add, Quick with { Iterations = 20, MaxManagedBytesPerIteration = 256, IgnoreRules = [rule] });
            ignored[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Ignored, ignored.ToString());

            var both = LeakTest.Run(
                () =>
                {
                    KnownCache.Add();
                    OtherLeak.Add();
                },
                Quick with
                {
                    Iterations = 20,
                    MaxManagedBytesPerIteration = 256,
                    IgnoreRules = [rule],
                }
            );
            both[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Leak, both.ToString());
            both.IgnoredGrowth.ShouldHaveSingleItem(both.ToString());
        }
        finally
        {
            KnownCache.Clear();
            OtherLeak.Clear();
        }
    }

    [Fact]
    public void Without_a_heap_summary_the_rules_cannot_apply_and_the_leak_stands()
    {
        KnownCache.Clear();
        try
        {
            var rule = new LeakIgnoreRule("LeakGuard.Tests.Running.GateTests+KnownCache+Entry");
            var report = LeakTest.Run(
                KnownCache.Add,
                Quick with
                {
                    Iterations = 20,
                    MaxManagedBytesPerIteration = 256,
                    CaptureHeapSummary = false,
                    IgnoreRules = [rule],
                }
            );

            report.HasLeak.ShouldBeTrue(report.ToString());
            report.IgnoreRulesNote.ShouldBe(
                "Ignore rules not applied: they match types of the heap summary, and there is none (CaptureHeapSummary is off). The verdict above stands."
            );
            report.ToString().ShouldContain(report.IgnoreRulesNote!);
        }
        finally
        {
            KnownCache.Clear();
        }
    }

    [Fact]
    public void A_baseline_tightens_the_budget_of_a_test_that_met_it_and_accepts_a_recorded_leak()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("leakguard-baseline-").FullName, "leakguard.baseline.json");
        File.WriteAllText(
            file,
            """
            {
              "schemaVersion": 1,
              "tests": {
                "Gate.Recorded_clean": { "managedHeap": 0 },
                "Gate.Recorded_leak": { "managedHeap": 1040 }
              }
            }
            """
        );
        KnownCache.Clear();
        try
        {
            // Under its absolute budget of 4 KiB, but the baseline recorded 0: the budget is 0 + 64 B floor.
            var regressed = LeakTest.Run(
                KnownCache.Add,
                Quick with
                {
                    Iterations = 20,
                    MaxManagedBytesPerIteration = 4096,
                    BaselineFile = file,
                    TestName = "Gate.Recorded_clean",
                }
            );
            var text = regressed.ToString();
            regressed.HasLeak.ShouldBeTrue(text);
            regressed[LeakMetric.ManagedHeap].BaselinePerIteration.ShouldBe(0);
            regressed[LeakMetric.ManagedHeap].BudgetPerIteration.ShouldBe(64);
            text.ShouldContain("budget 64.0 B/iteration (baseline 0 + 25%)");

            // Over its absolute budget of 0, but the leak is recorded at 1,040 B: with a tolerance of 100% the budget is
            // 2,080 B (wide enough that a test host's own growth during a short run cannot push it over).
            KnownCache.Clear();
            var accepted = LeakTest.Run(
                KnownCache.Add,
                Quick with
                {
                    Iterations = 20,
                    BaselineFile = file,
                    BaselineTolerance = 1,
                    TestName = "Gate.Recorded_leak",
                }
            );
            accepted.HasLeak.ShouldBeFalse(accepted.ToString());
            accepted[LeakMetric.ManagedHeap].BudgetPerIteration.ShouldBe(2080);
            accepted.ToString().ShouldContain("(baseline 1,040 + 100%)");
            accepted.ToJson().ShouldContain("\"baselinePerIteration\": 1040");
        }
        finally
        {
            KnownCache.Clear();
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    // Leaks of about 1 KiB per iteration, so that a test host's own growth (its serializer reporting results, ~100–250 B
    // per iteration in a short run) neither hides nor fakes them against the 256 B budget of these tests.
    [System.Runtime.CompilerServices.InlineArray(128)]
    private struct KiB
    {
        private long _element;
    }

    // static KnownCache.Entries (List<Entry>, preallocated) → _items[] → Entry (1,040 B: header, method table, 1 KiB)
    private static class KnownCache
    {
        private static readonly List<Entry> Entries = new(100_000);

        public static void Add() => Entries.Add(new Entry());

        public static void Clear() => Entries.Clear();

        public sealed class Entry
        {
            public KiB Payload = default;
        }
    }

    // static OtherLeak.Items (List<Item>, preallocated) → _items[] → Item (1,040 B)
    private static class OtherLeak
    {
        private static readonly List<Item> Items = new(100_000);

        public static void Add() => Items.Add(new Item());

        public static void Clear() => Items.Clear();

        public sealed class Item
        {
            public KiB Payload = default;
        }
    }
}
