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

    /// <summary>Abstract: NUnit does not run it; it only carries the attribute.</summary>
    public abstract class Holder
    {
        [NoLeak(
            Iterations = 12,
            WarmupIterations = 3,
            MaxIterations = 96,
            MaxManagedBytesPerIteration = 1.5,
            MaxNativeBytesPerIteration = 2.5,
            MaxHandlesPerIteration = 0.25,
            MaxThreadsPerIteration = 0.5,
            MaxAllocatedBytesPerIteration = 4096,
            ConfidenceLevel = 0.99,
            CaptureHeapSummary = false,
            TopTypes = 4,
            SnapshotDirectory = "/tmp/dumps",
            Artifacts = ArtifactPolicy.Always,
            ArtifactsDirectory = "/tmp/artifacts",
            Timeout = 1500,
            Skip = "skip"
        )]
        public void Everything() { }
    }

    [Test]
    public void Every_settable_property_of_the_attribute_maps_to_the_option_of_the_same_name()
    {
        // Without the environment layer: CI sets LEAKGUARD_ARTIFACTS_DIRECTORY, which overrides the attributes.
        var settings = LeakConfiguration.Resolve(typeof(Holder).GetMethod(nameof(Holder.Everything))!, typeof(Holder), _ => null);

        settings.SkipReason.ShouldBe("skip");
        var sources = settings.Options.Sources.Select(s => s.Name).ToList();
        var properties = typeof(NoLeakAttribute).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToList();
        sources.ShouldBe(properties, ignoreOrder: true);
        settings.Options.MaxAllocatedBytesPerIteration.ShouldBe(4096);
        settings.Options.Timeout.ShouldBe(TimeSpan.FromMilliseconds(1500));
        settings.Options.ArtifactsDirectory.ShouldBe("/tmp/artifacts");
    }
}
