using LeakGuard.Xunit.V3.Tests.Pipeline;

namespace LeakGuard.Xunit.V3.Tests;

/// <summary>
/// Leak tests get their settings from every layer of LeakGuard's configuration: [LeakSettings] on the class under the
/// method's attribute, a skip from the class, the allocation budget, and a clear failure for an invalid layer.
/// </summary>
[Collection(TestDataRunCollection.Name)]
public sealed class ConfigurationTests(TestDataRun fixture)
{
    private const string Scenario = "ClassSettingsScenario";

    [Fact]
    public void LeakSettings_on_the_class_set_the_options_and_the_report_names_their_source()
    {
        var result = fixture.Run.Single(Scenario, "IterationsFromTheClass");

        result.ShouldPassWithReportInOutput();
        result.Output.ShouldContain("  Iterations = 12 ([LeakSettings] on LeakGuard.Xunit.V3.TestData.ClassSettingsScenario)", Case.Sensitive, result.Output);
    }

    [Fact]
    public void The_methods_attribute_overrides_the_class()
    {
        var result = fixture.Run.Single(Scenario, "IterationsFromTheMethod");

        result.ShouldPassWithReportInOutput();
        result.Output.ShouldContain("  Iterations = 15 ([NoLeak] on IterationsFromTheMethod)", Case.Sensitive, result.Output);
        result.Output.ShouldNotContain("Iterations = 12", Case.Sensitive, result.Output);
    }

    [Fact]
    public void Allocation_traffic_over_its_budget_fails_the_test_with_the_report() =>
        fixture
            .Run.Single(Scenario, "AllocatesOverItsBudget")
            .ShouldFailWith(
                Expect.LeakException,
                "LeakGuard: allocation budget exceeded in LeakGuard.Xunit.V3.TestData.ClassSettingsScenario.AllocatesOverItsBudget."
            );

    [Fact]
    public void An_invalid_layer_fails_the_test_naming_it() =>
        fixture
            .Run.Single(Scenario, "InvalidIgnoreRule")
            .ShouldFailWith("LeakGuard.LeakConfigurationException", "[LeakIgnore] on InvalidIgnoreRule: LeakIgnoreRule pattern must be");

    [Fact]
    public void A_skip_from_the_class_skips_the_test_without_creating_the_class()
    {
        var result = fixture.Run.Single("ClassSkipScenario", "SkippedByTheClassSettings");

        result.ShouldBeSkipped("leak tests of this class are switched off");
        result.Output.ShouldBeEmpty();
    }
}
