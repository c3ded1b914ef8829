using LeakGuard.Xunit.V3.Tests.Pipeline;

namespace LeakGuard.Xunit.V3.Tests;

/// <summary>
/// Leak tests run in test collections with parallelization disabled, which xUnit v3 runs after the parallel ones, one
/// at a time: ordinary tests running in parallel (the interference scenario grows the managed heap, native memory,
/// handles and threads for two seconds) cannot make a clean leak test fail or hide a leak.
/// </summary>
[Collection(TestDataRunCollection.Name)]
public sealed class ParallelTests(TestDataRun fixture)
{
    /// <summary>The [Fact] tests of the test executable; every other test is a leak test.</summary>
    private static readonly string[] OrdinaryTests =
    [
        "InterferenceManagedHeap.Builds50MegabytesOverTwoSeconds",
        "InterferenceSmallObjects.ManySmallObjects",
        "InterferenceThreads.SpinsUpThreads",
        "InterferenceNativeAndHandles.AllocatesNativeMemoryAndOpensFiles",
        "InterferenceLeakTests.OrdinaryTestOfTheSameClass",
        "SerialCollectionScenario.OrdinaryTestInSerialCollection",
        "FixtureCollectionScenario.OrdinaryTestWithCollectionFixture",
    ];

    private const string SerialCollection = "LeakGuard serial collection";

    private IEnumerable<TestResult> Ordinary => fixture.Run.Results.Where(IsOrdinary);

    private IEnumerable<TestResult> LeakTests => fixture.Run.Results.Where(r => !IsOrdinary(r));

    [Fact]
    public void Every_leak_test_starts_after_every_ordinary_test_of_a_parallel_collection_has_finished()
    {
        var parallelOrdinary = Ordinary.Where(r => r.CollectionName != SerialCollection).ToList();
        parallelOrdinary.Count.ShouldBe(OrdinaryTests.Length - 1);
        var lastOrdinaryFinish = parallelOrdinary.Max(r => r.Finished);

        var early = LeakTests.Where(r => r.Outcome != Outcome.Skipped && r.Started < lastOrdinaryFinish).ToList();
        early.ShouldBeEmpty($"leak tests that started before the last ordinary test finished at {lastOrdinaryFinish:O}");
    }

    /// <summary>The control: the ordinary tests did run in parallel with each other, so they would have overlapped leak tests that ran with them.</summary>
    [Fact]
    public void The_ordinary_tests_of_the_interference_scenario_run_in_parallel()
    {
        var interference = Ordinary.Where(r => r.ClassName.Contains(".Interference", StringComparison.Ordinal)).OrderBy(r => r.Started).ToList();
        interference.Count.ShouldBe(5);
        var overlapping = interference.Zip(interference.Skip(1)).Count(pair => pair.Second.Started < pair.First.Finished);
        overlapping.ShouldBeGreaterThan(0, string.Join(Environment.NewLine, interference.Select(r => $"{r.DisplayName} {r.Started:O} → {r.Finished:O}")));
    }

    [Fact]
    public void Under_interference_a_clean_leak_test_passes_and_a_leaking_one_fails()
    {
        Ordinary.ShouldAllBe(r => r.Outcome == Outcome.Passed);
        fixture.Run.Single("InterferenceLeakTests", "Clean").ShouldPassWithReportInOutput();
        fixture.Run.Single("InterferenceLeakTests", "Leaking").ShouldFailWithLeak("managed heap");
    }

    [Fact]
    public void Leak_tests_of_parallel_collections_run_in_a_non_parallel_companion_collection()
    {
        foreach (var result in LeakTests.Where(r => !r.ClassName.EndsWith(".SerialCollectionScenario", StringComparison.Ordinal)))
            result.CollectionName.ShouldEndWith(Expect.CompanionSuffix, Case.Sensitive, result.ToString());
        foreach (var result in Ordinary)
            result.CollectionName.ShouldNotEndWith(Expect.CompanionSuffix, result.ToString());
    }

    [Fact]
    public void A_leak_test_of_a_non_parallel_collection_stays_in_it() =>
        fixture.Run.Single("SerialCollectionScenario", "LeakTestInSerialCollection").CollectionName.ShouldBe(SerialCollection);

    [Fact]
    public void The_companion_collection_keeps_the_collection_fixtures()
    {
        var result = fixture.Run.Single("FixtureCollectionScenario", "LeakTestWithCollectionFixture");

        result.ShouldPassWithReportInOutput();
        result.CollectionName.ShouldBe("LeakGuard fixture collection" + Expect.CompanionSuffix);
        fixture.Run.Single("FixtureCollectionScenario", "OrdinaryTestWithCollectionFixture").CollectionName.ShouldBe("LeakGuard fixture collection");
    }

    [Fact]
    public void Every_test_of_the_executable_has_one_result()
    {
        fixture.Run.ShouldHaveOneResultPerTest(46);
        fixture.Run.ExitCode.ShouldNotBe(0, "leaking tests fail by design");
        fixture.Run.Totals["failed"].ShouldBe(fixture.Run.Results.Count(r => r.Outcome == Outcome.Failed));
    }

    private static bool IsOrdinary(TestResult result) => OrdinaryTests.Any(name => result.DisplayName == V3Runner.TestDataNamespace + "." + name);
}
