using Xunit.Abstractions;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// The values of a <see cref="NoLeakAttribute"/> or <see cref="NoLeakTheoryAttribute"/>, read at discovery, carried by
/// the test case through xUnit's serialization, and turned into <see cref="LeakOptions"/> when the test runs.
/// </summary>
/// <remarks>
/// Kept as the attribute's raw values (not as validated options) so that an invalid value fails the test when it runs,
/// with the engine's message, instead of failing discovery.
/// </remarks>
internal sealed record NoLeakSettings : ILeakAttributeOptions
{
    public static NoLeakSettings Default { get; } = new();

    public int Iterations { get; init; } = LeakOptions.Default.Iterations;

    public int WarmupIterations { get; init; } = LeakOptions.Default.WarmupIterations;

    /// <summary>0 means the engine's default (16 × <see cref="Iterations"/>).</summary>
    public int MaxIterations { get; init; }

    public double MaxManagedBytesPerIteration { get; init; } = LeakOptions.Default.MaxManagedBytesPerIteration;

    public double MaxNativeBytesPerIteration { get; init; } = LeakOptions.Default.MaxNativeBytesPerIteration;

    public double MaxHandlesPerIteration { get; init; } = LeakOptions.Default.MaxHandlesPerIteration;

    public double MaxThreadsPerIteration { get; init; } = LeakOptions.Default.MaxThreadsPerIteration;

    public double ConfidenceLevel { get; init; } = LeakOptions.Default.ConfidenceLevel;

    public bool CaptureHeapSummary { get; init; } = LeakOptions.Default.CaptureHeapSummary;

    public int TopTypes { get; init; } = LeakOptions.Default.TopTypes;

    public string? SnapshotDirectory { get; init; }

    public ArtifactPolicy Artifacts { get; init; } = LeakOptions.Default.Artifacts;

    public string? ArtifactsDirectory { get; init; }

    /// <summary>Reads the settings of a <c>[NoLeak]</c> or <c>[NoLeakTheory]</c> attribute.</summary>
    /// <remarks>
    /// xUnit's <see cref="IAttributeInfo.GetNamedArgument{TValue}"/> answers <c>default(T)</c> for a property the user
    /// did not set, which is not the engine's default (Iterations would read 0). So the attribute instance is used
    /// whenever the attribute info is reflection-based (always, when tests run); otherwise a named argument counts only
    /// when present, and an absent one keeps the engine's default.
    /// </remarks>
    public static NoLeakSettings FromAttribute(IAttributeInfo attributeInfo)
    {
        ArgumentNullException.ThrowIfNull(attributeInfo);
        if ((attributeInfo as IReflectionAttributeInfo)?.Attribute is ILeakAttributeOptions attribute)
        {
            return new NoLeakSettings
            {
                Iterations = attribute.Iterations,
                WarmupIterations = attribute.WarmupIterations,
                MaxIterations = attribute.MaxIterations,
                MaxManagedBytesPerIteration = attribute.MaxManagedBytesPerIteration,
                MaxNativeBytesPerIteration = attribute.MaxNativeBytesPerIteration,
                MaxHandlesPerIteration = attribute.MaxHandlesPerIteration,
                MaxThreadsPerIteration = attribute.MaxThreadsPerIteration,
                ConfidenceLevel = attribute.ConfidenceLevel,
                CaptureHeapSummary = attribute.CaptureHeapSummary,
                TopTypes = attribute.TopTypes,
                SnapshotDirectory = attribute.SnapshotDirectory,
                Artifacts = attribute.Artifacts,
                ArtifactsDirectory = attribute.ArtifactsDirectory,
            };
        }

        var defaults = Default;
        return new NoLeakSettings
        {
            Iterations = Named(attributeInfo, nameof(Iterations), defaults.Iterations),
            WarmupIterations = Named(attributeInfo, nameof(WarmupIterations), defaults.WarmupIterations),
            MaxIterations = Named(attributeInfo, nameof(MaxIterations), defaults.MaxIterations),
            MaxManagedBytesPerIteration = Named(attributeInfo, nameof(MaxManagedBytesPerIteration), defaults.MaxManagedBytesPerIteration),
            MaxNativeBytesPerIteration = Named(attributeInfo, nameof(MaxNativeBytesPerIteration), defaults.MaxNativeBytesPerIteration),
            MaxHandlesPerIteration = Named(attributeInfo, nameof(MaxHandlesPerIteration), defaults.MaxHandlesPerIteration),
            MaxThreadsPerIteration = Named(attributeInfo, nameof(MaxThreadsPerIteration), defaults.MaxThreadsPerIteration),
            ConfidenceLevel = Named(attributeInfo, nameof(ConfidenceLevel), defaults.ConfidenceLevel),
            CaptureHeapSummary = Named(attributeInfo, nameof(CaptureHeapSummary), defaults.CaptureHeapSummary),
            TopTypes = Named(attributeInfo, nameof(TopTypes), defaults.TopTypes),
            SnapshotDirectory = Named<string?>(attributeInfo, nameof(SnapshotDirectory), defaults.SnapshotDirectory),
            // An enum argument may come as the enum or as its underlying int.
            Artifacts = attributeInfo.GetNamedArgument<object?>(nameof(Artifacts)) is { } policy and (ArtifactPolicy or int)
                ? (ArtifactPolicy)Convert.ToInt32(policy, System.Globalization.CultureInfo.InvariantCulture)
                : defaults.Artifacts,
            ArtifactsDirectory = Named<string?>(attributeInfo, nameof(ArtifactsDirectory), defaults.ArtifactsDirectory),
        };
    }

    /// <summary>The engine options; not validated here (the engine validates when the run starts).</summary>
    /// <param name="timeoutMilliseconds">The test's <c>Timeout</c> in milliseconds; 0 means no limit.</param>
    public LeakOptions ToOptions(int timeoutMilliseconds) => LeakOptions.FromAttribute(this, timeoutMilliseconds);

    public void Serialize(IXunitSerializationInfo data)
    {
        data.AddValue(Key(nameof(Iterations)), Iterations);
        data.AddValue(Key(nameof(WarmupIterations)), WarmupIterations);
        data.AddValue(Key(nameof(MaxIterations)), MaxIterations);
        data.AddValue(Key(nameof(MaxManagedBytesPerIteration)), MaxManagedBytesPerIteration);
        data.AddValue(Key(nameof(MaxNativeBytesPerIteration)), MaxNativeBytesPerIteration);
        data.AddValue(Key(nameof(MaxHandlesPerIteration)), MaxHandlesPerIteration);
        data.AddValue(Key(nameof(MaxThreadsPerIteration)), MaxThreadsPerIteration);
        data.AddValue(Key(nameof(ConfidenceLevel)), ConfidenceLevel);
        data.AddValue(Key(nameof(CaptureHeapSummary)), CaptureHeapSummary);
        data.AddValue(Key(nameof(TopTypes)), TopTypes);
        data.AddValue(Key(nameof(SnapshotDirectory)), SnapshotDirectory, typeof(string));
        data.AddValue(Key(nameof(Artifacts)), (int)Artifacts);
        data.AddValue(Key(nameof(ArtifactsDirectory)), ArtifactsDirectory, typeof(string));
    }

    public static NoLeakSettings Deserialize(IXunitSerializationInfo data) =>
        new()
        {
            Iterations = data.GetValue<int>(Key(nameof(Iterations))),
            WarmupIterations = data.GetValue<int>(Key(nameof(WarmupIterations))),
            MaxIterations = data.GetValue<int>(Key(nameof(MaxIterations))),
            MaxManagedBytesPerIteration = data.GetValue<double>(Key(nameof(MaxManagedBytesPerIteration))),
            MaxNativeBytesPerIteration = data.GetValue<double>(Key(nameof(MaxNativeBytesPerIteration))),
            MaxHandlesPerIteration = data.GetValue<double>(Key(nameof(MaxHandlesPerIteration))),
            MaxThreadsPerIteration = data.GetValue<double>(Key(nameof(MaxThreadsPerIteration))),
            ConfidenceLevel = data.GetValue<double>(Key(nameof(ConfidenceLevel))),
            CaptureHeapSummary = data.GetValue<bool>(Key(nameof(CaptureHeapSummary))),
            TopTypes = data.GetValue<int>(Key(nameof(TopTypes))),
            SnapshotDirectory = data.GetValue<string?>(Key(nameof(SnapshotDirectory))),
            Artifacts = (ArtifactPolicy)data.GetValue<int>(Key(nameof(Artifacts))),
            ArtifactsDirectory = data.GetValue<string?>(Key(nameof(ArtifactsDirectory))),
        };

    /// <summary>Prefixed so that no key collides with the ones of <c>XunitTestCase</c> (e.g. <c>Timeout</c>).</summary>
    private static string Key(string property) => "LeakGuard." + property;

    private static T Named<T>(IAttributeInfo attributeInfo, string name, T fallback) =>
        attributeInfo.GetNamedArgument<object?>(name) is T value ? value : fallback;
}
