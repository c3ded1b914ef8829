using LeakGuard.Xunit.V3.Tests.Pipeline;

namespace LeakGuard.Xunit.V3.Tests;

/// <summary>
/// Runners (dotnet test, IDEs) discover test cases, keep their serializations, and run a selection by passing them back
/// (<c>-run</c>): leak test cases survive the round trip with their collection, arguments and Timeout.
/// </summary>
public sealed class SerializationTests
{
    [Fact]
    public async Task Serialized_leak_test_cases_run_with_their_verdicts_collection_and_timeout()
    {
        var discovered = await V3Runner.DiscoverAsync("-class", "*.TheoryScenario", "-class", "*.TimeoutScenario", "-class", "*.FixtureCollectionScenario");
        string[] selected =
        [
            "LeakGuard.Xunit.V3.TestData.TheoryScenario.InlineRow(leak: True)",
            "LeakGuard.Xunit.V3.TestData.TheoryScenario.InlineRow(leak: False)",
            "LeakGuard.Xunit.V3.TestData.TimeoutScenario.SlowBody",
            "LeakGuard.Xunit.V3.TestData.FixtureCollectionScenario.LeakTestWithCollectionFixture",
        ];
        var testCases = selected.Select(name => discovered.Single(d => d.DisplayName == name)).ToList();

        var run = await V3Runner.RunAsync([.. testCases.SelectMany(t => new[] { "-run", t.Serialization })]);

        run.ShouldHaveOneResultPerTest(selected.Length);
        run.Row("TheoryScenario", "InlineRow", "leak: True").ShouldFailWithLeak("managed heap");
        run.Row("TheoryScenario", "InlineRow", "leak: False").ShouldPassWithReportInOutput();
        run.Single("TimeoutScenario", "SlowBody").ShouldFailWith("System.TimeoutException", "The leak run exceeded its Timeout of 0.3 s");
        run.Single("FixtureCollectionScenario", "LeakTestWithCollectionFixture").ShouldPassWithReportInOutput();
        run.Results.ShouldAllBe(r => r.CollectionName.EndsWith(Expect.CompanionSuffix));
    }

    [Fact]
    public async Task Serializable_rows_are_test_cases_of_their_own_and_other_rows_are_enumerated_when_run()
    {
        var discovered = await V3Runner.DiscoverAsync("-class", "*.TheoryScenario");

        discovered
            .Where(d => d.MethodName == "InlineRow")
            .Select(d => d.TypeName)
            .ShouldBe(["LeakGuard.Xunit.Sdk.LeakTestCase,LeakGuard.Xunit.V3", "LeakGuard.Xunit.Sdk.LeakTestCase,LeakGuard.Xunit.V3"]);
        discovered.Where(d => d.MethodName == "MemberRow").Select(d => d.TypeName).ShouldBe(["LeakGuard.Xunit.Sdk.LeakTheoryTestCase,LeakGuard.Xunit.V3"]);
    }
}
