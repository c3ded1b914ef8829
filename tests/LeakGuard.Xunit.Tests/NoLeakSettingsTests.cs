using LeakGuard.Xunit.Sdk;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Tests;

/// <summary>From the attribute to the engine's options.</summary>
public sealed class NoLeakSettingsTests
{
    [Fact]
    public void Attribute_defaults_are_the_engine_defaults()
    {
        var options = NoLeakSettings.FromAttribute(Reflected(new NoLeakAttribute())).ToOptions(timeoutMilliseconds: 0);

        options.ShouldBe(LeakOptions.Default);
    }

    [Fact]
    public void Theory_attribute_defaults_are_the_engine_defaults() =>
        NoLeakSettings.FromAttribute(Reflected(new NoLeakTheoryAttribute())).ToOptions(0).ShouldBe(LeakOptions.Default);

    [Fact]
    public void Every_property_maps_to_the_option_of_the_same_name()
    {
        var attribute = new NoLeakAttribute
        {
            Iterations = 12,
            WarmupIterations = 3,
            MaxIterations = 96,
            MaxManagedBytesPerIteration = 1.5,
            MaxNativeBytesPerIteration = 2.5,
            MaxHandlesPerIteration = 0.25,
            MaxThreadsPerIteration = 0.5,
            ConfidenceLevel = 0.99,
            CaptureHeapSummary = false,
            TopTypes = 4,
            SnapshotDirectory = "/tmp/dumps",
            Artifacts = ArtifactPolicy.Always,
            ArtifactsDirectory = "/tmp/artifacts",
            Timeout = 1500,
        };

        var options = NoLeakSettings.FromAttribute(Reflected(attribute)).ToOptions(attribute.Timeout);

        options.ShouldBe(
            new LeakOptions
            {
                Iterations = 12,
                WarmupIterations = 3,
                MaxIterations = 96,
                MaxManagedBytesPerIteration = 1.5,
                MaxNativeBytesPerIteration = 2.5,
                MaxHandlesPerIteration = 0.25,
                MaxThreadsPerIteration = 0.5,
                ConfidenceLevel = 0.99,
                CaptureHeapSummary = false,
                TopTypes = 4,
                SnapshotDirectory = "/tmp/dumps",
                Artifacts = ArtifactPolicy.Always,
                ArtifactsDirectory = "/tmp/artifacts",
                Timeout = TimeSpan.FromMilliseconds(1500),
            }
        );
    }

    [Fact]
    public void Attribute_info_that_is_not_reflection_based_keeps_engine_defaults_for_absent_arguments()
    {
        var settings = NoLeakSettings.FromAttribute(
            new NamedArguments(
                new()
                {
                    ["Iterations"] = 0,
                    ["CaptureHeapSummary"] = false,
                    ["Artifacts"] = 2,
                }
            )
        );

        settings.Iterations.ShouldBe(0);
        settings.CaptureHeapSummary.ShouldBeFalse();
        settings.WarmupIterations.ShouldBe(LeakOptions.Default.WarmupIterations);
        settings.ConfidenceLevel.ShouldBe(LeakOptions.Default.ConfidenceLevel);
        settings.TopTypes.ShouldBe(LeakOptions.Default.TopTypes);
        settings.Artifacts.ShouldBe(ArtifactPolicy.Never); // an enum argument given as its int
        settings.ArtifactsDirectory.ShouldBeNull();
    }

    [Fact]
    public void Test_case_serialization_keeps_every_setting()
    {
        var settings = new NoLeakSettings
        {
            Iterations = 0,
            WarmupIterations = 7,
            MaxIterations = 70,
            MaxManagedBytesPerIteration = -1,
            MaxNativeBytesPerIteration = 0.1,
            MaxHandlesPerIteration = 0.2,
            MaxThreadsPerIteration = 0.3,
            ConfidenceLevel = 0.9,
            CaptureHeapSummary = false,
            TopTypes = 3,
            SnapshotDirectory = "C:\\dumps: here",
            Artifacts = ArtifactPolicy.Never,
            ArtifactsDirectory = "D:\\ci results",
        };
        var testMethod = TestMethodOf(typeof(TestData.SameInstanceScenario), nameof(TestData.SameInstanceScenario.CountCalls));
        var testCase = new LeakTestCase(new NullMessageSink(), TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, testMethod, settings);

        var copy = SerializationHelper.Deserialize<LeakTestCase>(SerializationHelper.Serialize(testCase));

        copy.Settings.ShouldBe(settings);
        new NoLeakSettings().ShouldBe(NoLeakSettings.Default);
    }

    private static IReflectionAttributeInfo Reflected(Attribute attribute) => new ReflectedAttribute(attribute);

    private static ITestMethod TestMethodOf(Type type, string method)
    {
        var assembly = new TestAssembly(Reflector.Wrap(type.Assembly));
        var collection = new TestCollection(assembly, null, "collection");
        var testClass = new TestClass(collection, Reflector.Wrap(type));
        return new TestMethod(testClass, testClass.Class.GetMethod(method, includePrivateMethod: false));
    }

    /// <summary>A reflection-based attribute info over a given instance (as xUnit's own, at run time).</summary>
    private sealed class ReflectedAttribute(Attribute attribute) : LongLivedMarshalByRefObject, IReflectionAttributeInfo
    {
        public Attribute Attribute => attribute;

        public IEnumerable<object> GetConstructorArguments() => [];

        public IEnumerable<IAttributeInfo> GetCustomAttributes(string assemblyQualifiedAttributeTypeName) => [];

        public TValue GetNamedArgument<TValue>(string argumentName) => default!;
    }

    /// <summary>An attribute info that only knows named arguments (as a non-reflection discoverer's would).</summary>
    private sealed class NamedArguments(Dictionary<string, object> values) : LongLivedMarshalByRefObject, IAttributeInfo
    {
        public IEnumerable<object> GetConstructorArguments() => [];

        public IEnumerable<IAttributeInfo> GetCustomAttributes(string assemblyQualifiedAttributeTypeName) => [];

        public TValue GetNamedArgument<TValue>(string argumentName) => values.TryGetValue(argumentName, out var value) ? (TValue)value : default!;
    }
}
