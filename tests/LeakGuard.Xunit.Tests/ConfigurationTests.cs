using LeakGuard.Xunit.TestData;
using LeakGuard.Xunit.Tests.Pipeline;

namespace LeakGuard.Xunit.Tests;

/// <summary>Layered settings, skips, allocation budgets and ignore rules through the real xUnit pipeline.</summary>
public sealed class ConfigurationTests(ConfigurationTests.Run fixture) : IClassFixture<ConfigurationTests.Run>
{
    public sealed class Run : ScenarioFixture
    {
        private protected override Task<InProcessRun> RunAsync() =>
            XunitPipeline.RunAsync(typeof(ClassSettingsScenario), typeof(ClassSkipScenario), typeof(AllocationScenario), typeof(IgnoreScenario));
    }

    [Fact]
    public void Class_settings_apply_and_the_report_says_where_they_came_from()
    {
        var result = fixture.Run.Single(nameof(ClassSettingsScenario.LeaksWithClassSettings));
        result.ShouldFailWith(typeof(LeakDetectedException), "managed heap grew");
        var message = result.Message.ShouldNotBeNull();
        message.ShouldContain("over 12 iterations");
        message.ShouldContain("Settings set explicitly (by a file, an attribute or the environment; the rest are the defaults):");
        message.ShouldContain("Iterations = 12 ([LeakSettings] on LeakGuard.Xunit.TestData.ClassSettingsScenario)");
    }

    [Fact]
    public void The_method_attribute_overrides_the_class()
    {
        var result = fixture.Run.Single(nameof(ClassSettingsScenario.LeaksWithMethodOverride));
        result.ShouldFailWith(typeof(LeakDetectedException), "managed heap grew");
        var message = result.Message.ShouldNotBeNull();
        message.ShouldContain("Iterations = 10 ([NoLeak] on LeaksWithMethodOverride)");
        message.ShouldContain("WarmupIterations = 1 ([LeakSettings] on LeakGuard.Xunit.TestData.ClassSettingsScenario)");
    }

    [Fact]
    public void A_class_skip_skips_without_running()
    {
        var result = fixture.Run.Single(nameof(ClassSkipScenario.Skipped));
        result.Outcome.ShouldBe(Outcome.Skipped);
        result.Message.ShouldBe("leaks tracked in #1234");
        ClassSkipScenario.BodyCalls.ShouldBe(0);
    }

    [Fact]
    public void Allocation_over_budget_fails_with_the_figure() =>
        fixture
            .Run.Single(nameof(AllocationScenario.Allocates4KB))
            .ShouldFailWith(
                typeof(LeakDetectedException),
                "LeakGuard: allocation budget exceeded in LeakGuard.Xunit.TestData.AllocationScenario.Allocates4KB."
            );

    [Fact]
    public void No_allocation_passes_the_budget() => fixture.Run.Single(nameof(AllocationScenario.AllocatesNothing)).Outcome.ShouldBe(Outcome.Passed);

    [Fact]
    public void Growth_of_an_ignored_cache_passes() => fixture.Run.Single(nameof(IgnoreScenario.CacheGrowthIsIgnored)).Outcome.ShouldBe(Outcome.Passed);
}
