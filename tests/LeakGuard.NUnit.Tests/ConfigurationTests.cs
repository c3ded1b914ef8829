using LeakGuard.NUnit.TestData;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using Shouldly;

namespace LeakGuard.NUnit.Tests;

/// <summary>Layered settings, skips and allocation budgets through the real NUnit pipeline.</summary>
public class ConfigurationTests
{
    [Test]
    public void Fixture_settings_apply_and_the_report_says_where_they_came_from()
    {
        var run = NUnitPipeline.Run(typeof(FixtureSettingsFixture));

        var message = run[nameof(FixtureSettingsFixture.LeaksWithFixtureSettings)].ShouldHaveFailed(ResultState.Failure);
        message.ShouldContain("managed heap grew");
        message.ShouldContain("over 12 iterations");
        message.ShouldContain("Iterations = 12 ([LeakSettings] on LeakGuard.NUnit.TestData.FixtureSettingsFixture)");
    }

    [Test]
    public void Skips_from_the_method_and_the_fixture_ignore_the_test_without_running_it()
    {
        MethodSkipFixture.Calls = 0;
        var method = NUnitPipeline.Run(typeof(MethodSkipFixture))[nameof(MethodSkipFixture.Skipped)];
        var fixture = NUnitPipeline.Run(typeof(FixtureSkipFixture))[nameof(FixtureSkipFixture.Skipped)];

        method.ResultState.Status.ShouldBe(TestStatus.Skipped);
        method.Message.ShouldBe("skipped by the method");
        fixture.ResultState.Status.ShouldBe(TestStatus.Skipped);
        fixture.Message.ShouldBe("leaks tracked in #1234");
        MethodSkipFixture.Calls.ShouldBe(0);
    }

    [Test]
    public void Allocation_over_budget_fails_and_no_allocation_passes()
    {
        var run = NUnitPipeline.Run(typeof(AllocationFixture));

        run[nameof(AllocationFixture.Allocates4KB)].ShouldHaveFailed(ResultState.Failure).ShouldContain("LeakGuard: allocation budget exceeded");
        run[nameof(AllocationFixture.AllocatesNothing)].ShouldHavePassed();
    }
}
