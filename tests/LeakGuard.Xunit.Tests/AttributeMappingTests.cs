using System.Reflection;

namespace LeakGuard.Xunit.Tests;

/// <summary>From the attribute to the engine's options, through <see cref="LeakConfiguration"/> as the invoker does it.</summary>
public sealed class AttributeMappingTests
{
    /// <summary>Abstract: xUnit does not run these methods; they only carry attributes.</summary>
    public abstract class Holder
    {
        [NoLeak]
        public void Defaults() { }

        [NoLeakTheory]
        [InlineData(1)]
        public void TheoryDefaults(int row) => GC.KeepAlive(row);

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
            DisplayName = "not a LeakGuard setting"
        )]
        public void Everything() { }
    }

    // Without the environment layer: CI sets LEAKGUARD_ARTIFACTS_DIRECTORY, which overrides the attributes.
    private static LeakSettings Resolve(string method) => LeakConfiguration.Resolve(typeof(Holder).GetMethod(method)!, typeof(Holder), _ => null);

    [Fact]
    public void Attribute_defaults_are_the_engine_defaults()
    {
        Resolve(nameof(Holder.Defaults)).Options.ShouldBe(LeakOptions.Default);
        Resolve(nameof(Holder.TheoryDefaults)).Options.ShouldBe(LeakOptions.Default);
    }

    [Fact]
    public void Every_property_maps_to_the_option_of_the_same_name()
    {
        var options = Resolve(nameof(Holder.Everything)).Options;

        (options with { Sources = [] }).ShouldBe(
            new LeakOptions
            {
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
                Timeout = TimeSpan.FromMilliseconds(1500),
                IgnoreRules = options.IgnoreRules,
            }
        );
        options.Sources.Count.ShouldBe(15);
        options.Sources.ShouldAllBe(s => s.Source == "[NoLeak] on Everything");
    }

    [Fact]
    public void Every_settable_property_of_the_attributes_is_mapped()
    {
        // A property added to the attributes but unknown to LeakConfiguration would be silently ignored.
        var mapped = Resolve(nameof(Holder.Everything)).Options.Sources.Select(s => s.Name).Append("Skip").ToHashSet();
        foreach (var attribute in new[] { typeof(NoLeakAttribute), typeof(NoLeakTheoryAttribute) })
        {
            var own = attribute
                .GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.DeclaringType != typeof(FactAttribute) && p.DeclaringType != typeof(TheoryAttribute));
            foreach (var property in own.Where(p => p.Name != nameof(FactAttribute.Timeout)))
                mapped.ShouldContain(property.Name, $"{attribute.Name}.{property.Name}");
        }
    }
}
