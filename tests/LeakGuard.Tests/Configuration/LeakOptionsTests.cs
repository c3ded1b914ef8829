using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Configuration;

public class LeakOptionsTests
{
    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = LeakOptions.Default;

        options.Iterations.ShouldBe(50);
        options.WarmupIterations.ShouldBe(5);
        options.EffectiveMaxIterations.ShouldBe(800);
        options.IterationsPerSample.ShouldBeNull();
        options.EffectiveIterationsPerSample.ShouldBe(4);
        options.MaxManagedBytesPerIteration.ShouldBe(0);
        options.MaxNativeBytesPerIteration.ShouldBe(512);
        options.MaxHandlesPerIteration.ShouldBe(0);
        options.MaxThreadsPerIteration.ShouldBe(0);
        options.ConfidenceLevel.ShouldBe(0.95);
        options.CaptureHeapSummary.ShouldBeTrue();
        options.Timeout.ShouldBeNull();
        options.TestName.ShouldBeNull();
        options.Artifacts.ShouldBe(ArtifactPolicy.OnFailure);
        options.ArtifactsDirectory.ShouldBeNull();
        Should.NotThrow(options.Validate);
    }

    public static TheoryData<LeakOptions, string, string> InvalidOptions =>
        new()
        {
            {
                new LeakOptions { Iterations = 0 },
                "Iterations",
                "0"
            },
            {
                new LeakOptions { Iterations = -5 },
                "Iterations",
                "-5"
            },
            {
                new LeakOptions { WarmupIterations = -1 },
                "WarmupIterations",
                "-1"
            },
            {
                new LeakOptions { Iterations = 50, MaxIterations = 10 },
                "MaxIterations",
                "10"
            },
            {
                new LeakOptions { MaxManagedBytesPerIteration = -1 },
                "MaxManagedBytesPerIteration",
                "-1"
            },
            {
                new LeakOptions { MaxNativeBytesPerIteration = double.NaN },
                "MaxNativeBytesPerIteration",
                "NaN"
            },
            {
                new LeakOptions { MaxHandlesPerIteration = -0.5 },
                "MaxHandlesPerIteration",
                "-0.5"
            },
            {
                new LeakOptions { IterationsPerSample = 0 },
                "IterationsPerSample",
                "0"
            },
            {
                new LeakOptions { Iterations = 20, IterationsPerSample = 21 },
                "IterationsPerSample",
                "21"
            },
            {
                new LeakOptions { MaxThreadsPerIteration = -2 },
                "MaxThreadsPerIteration",
                "-2"
            },
            {
                new LeakOptions { Timeout = TimeSpan.Zero },
                "Timeout",
                "00:00:00"
            },
            {
                new LeakOptions { ConfidenceLevel = 1.5 },
                "ConfidenceLevel",
                "1.5"
            },
            {
                new LeakOptions { TopTypes = 0 },
                "TopTypes",
                "0"
            },
            {
                new LeakOptions { Artifacts = (ArtifactPolicy)7 },
                "Artifacts",
                "7"
            },
            {
                new LeakOptions { ArtifactsDirectory = "" },
                "ArtifactsDirectory",
                "''"
            },
            {
                new LeakOptions { ArtifactsDirectory = "  " },
                "ArtifactsDirectory",
                "'  '"
            },
            {
                new LeakOptions { ArtifactsDirectory = "out\0dir" },
                "ArtifactsDirectory",
                "'out\0dir'"
            },
        };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_name_the_property_and_the_value(LeakOptions options, string property, string value)
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(options.Validate);

        error.ParamName.ShouldBe(property);
        error.Message.ShouldStartWith($"LeakOptions.{property} ");
        error.Message.ShouldContain($"but was {value}.");
    }

    [Fact]
    public void Invalid_options_fail_the_run_before_the_operation_runs()
    {
        var calls = 0;

        Should.Throw<ArgumentOutOfRangeException>(() => LeakTest.Run(() => calls++, new LeakOptions { Iterations = 0 }));

        calls.ShouldBe(0);
    }

    [Fact]
    public void Budgets_are_looked_up_per_metric()
    {
        var options = new LeakOptions
        {
            MaxManagedBytesPerIteration = 1,
            MaxNativeBytesPerIteration = 2,
            MaxHandlesPerIteration = 3,
            MaxThreadsPerIteration = 4,
        };

        options.GetBudget(LeakMetric.ManagedHeap).ShouldBe(1);
        options.GetBudget(LeakMetric.NativeHeap).ShouldBe(2);
        options.GetBudget(LeakMetric.Handles).ShouldBe(3);
        options.GetBudget(LeakMetric.Threads).ShouldBe(4);
    }
}

public class LeakOptionsFromAttributeTests
{
    private sealed class Attribute : ILeakAttributeOptions
    {
        public int Iterations { get; init; } = 30;
        public int WarmupIterations { get; init; } = 2;
        public int MaxIterations { get; init; }
        public double MaxManagedBytesPerIteration { get; init; } = 1;
        public double MaxNativeBytesPerIteration { get; init; } = 2;
        public double MaxHandlesPerIteration { get; init; } = 3;
        public double MaxThreadsPerIteration { get; init; } = 4;
        public double ConfidenceLevel { get; init; } = 0.9;
        public bool CaptureHeapSummary { get; init; }
        public int TopTypes { get; init; } = 7;
        public string? SnapshotDirectory { get; init; } = "/tmp/dumps";
    }

    [Fact]
    public void Every_attribute_value_is_carried_over()
    {
        var options = LeakOptions.FromAttribute(new Attribute(), timeoutMilliseconds: 1500);

        options.ShouldBe(
            new LeakOptions
            {
                Iterations = 30,
                WarmupIterations = 2,
                MaxIterations = null,
                MaxManagedBytesPerIteration = 1,
                MaxNativeBytesPerIteration = 2,
                MaxHandlesPerIteration = 3,
                MaxThreadsPerIteration = 4,
                ConfidenceLevel = 0.9,
                CaptureHeapSummary = false,
                TopTypes = 7,
                SnapshotDirectory = "/tmp/dumps",
                Timeout = TimeSpan.FromMilliseconds(1500),
            }
        );
    }

    [Fact]
    public void Artifact_settings_are_carried_over_and_default_when_an_attribute_does_not_implement_them()
    {
        var options = LeakOptions.FromAttribute(new ArtifactAttribute());

        options.Artifacts.ShouldBe(ArtifactPolicy.Always);
        options.ArtifactsDirectory.ShouldBe("/tmp/artifacts");
        LeakOptions.FromAttribute(new Attribute()).Artifacts.ShouldBe(ArtifactPolicy.OnFailure); // interface defaults
        LeakOptions.FromAttribute(new Attribute()).ArtifactsDirectory.ShouldBeNull();
    }

    private sealed class ArtifactAttribute : ILeakAttributeOptions
    {
        public int Iterations => 50;
        public int WarmupIterations => 5;
        public int MaxIterations => 0;
        public double MaxManagedBytesPerIteration => 0;
        public double MaxNativeBytesPerIteration => 512;
        public double MaxHandlesPerIteration => 0;
        public double MaxThreadsPerIteration => 0;
        public double ConfidenceLevel => 0.95;
        public bool CaptureHeapSummary => true;
        public int TopTypes => 10;
        public string? SnapshotDirectory => null;
        public ArtifactPolicy Artifacts => ArtifactPolicy.Always;
        public string? ArtifactsDirectory => "/tmp/artifacts";
    }

    [Fact]
    public void MaxIterations_zero_and_timeout_zero_mean_the_defaults()
    {
        var options = LeakOptions.FromAttribute(new Attribute { MaxIterations = 0 });

        options.MaxIterations.ShouldBeNull();
        options.Timeout.ShouldBeNull();
        LeakOptions.FromAttribute(new Attribute { MaxIterations = 90 }).MaxIterations.ShouldBe(90);
    }

    [Fact]
    public void A_negative_timeout_is_not_swallowed_but_fails_validation()
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(LeakOptions.FromAttribute(new Attribute(), timeoutMilliseconds: -5).Validate);

        error.ParamName.ShouldBe("Timeout");
    }
}
