namespace LeakGuard;

/// <summary>
/// Leak test settings for every <c>[NoLeak]</c> test of a test assembly (<c>[assembly: LeakSettings(...)]</c>) or of a
/// test class (and the classes deriving from it). Only the properties you set count: each one overrides the same setting
/// of <c>.config/leakguard.json</c> (for the assembly) or of the assembly attribute (for a class), and is overridden by
/// a class attribute (for the assembly), the method's <c>[NoLeak(...)]</c> and the environment variables. See
/// <see cref="LeakConfiguration"/> for the layers and <c>docs/configuration.md</c>.
/// </summary>
/// <remarks>Invalid values fail the tests they apply to when they run, with a message naming the property and the value.</remarks>
/// <example>
/// <code>
/// [assembly: LeakSettings(Iterations = 100, MaxNativeBytesPerIteration = 1024)]
///
/// [LeakSettings(Skip = "Leaks tracked in #1234")]
/// public class LegacyImporterTests { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class LeakSettingsAttribute : Attribute
{
    /// <summary>See <see cref="LeakOptions.Iterations"/>.</summary>
    public int Iterations { get; set; } = LeakOptions.Default.Iterations;

    /// <summary>See <see cref="LeakOptions.WarmupIterations"/>.</summary>
    public int WarmupIterations { get; set; } = LeakOptions.Default.WarmupIterations;

    /// <summary>See <see cref="LeakOptions.MaxIterations"/>; 0 means the default (16 × <see cref="Iterations"/>).</summary>
    public int MaxIterations { get; set; }

    /// <summary>See <see cref="LeakOptions.MaxManagedBytesPerIteration"/> (bytes per iteration).</summary>
    public double MaxManagedBytesPerIteration { get; set; } = LeakOptions.Default.MaxManagedBytesPerIteration;

    /// <summary>See <see cref="LeakOptions.MaxNativeBytesPerIteration"/> (bytes per iteration).</summary>
    public double MaxNativeBytesPerIteration { get; set; } = LeakOptions.Default.MaxNativeBytesPerIteration;

    /// <summary>See <see cref="LeakOptions.MaxHandlesPerIteration"/> (handles per iteration).</summary>
    public double MaxHandlesPerIteration { get; set; } = LeakOptions.Default.MaxHandlesPerIteration;

    /// <summary>See <see cref="LeakOptions.MaxThreadsPerIteration"/> (threads per iteration).</summary>
    public double MaxThreadsPerIteration { get; set; } = LeakOptions.Default.MaxThreadsPerIteration;

    /// <summary>See <see cref="LeakOptions.MaxAllocatedBytesPerIteration"/> (bytes allocated per iteration); <see cref="double.PositiveInfinity"/> (the default) means no budget.</summary>
    public double MaxAllocatedBytesPerIteration { get; set; } = double.PositiveInfinity;

    /// <summary>See <see cref="LeakOptions.ConfidenceLevel"/>.</summary>
    public double ConfidenceLevel { get; set; } = LeakOptions.Default.ConfidenceLevel;

    /// <summary>See <see cref="LeakOptions.CaptureHeapSummary"/>.</summary>
    public bool CaptureHeapSummary { get; set; } = LeakOptions.Default.CaptureHeapSummary;

    /// <summary>See <see cref="LeakOptions.TopTypes"/>.</summary>
    public int TopTypes { get; set; } = LeakOptions.Default.TopTypes;

    /// <summary>See <see cref="LeakOptions.RetentionPathTypes"/>.</summary>
    public int RetentionPathTypes { get; set; } = LeakOptions.Default.RetentionPathTypes;

    /// <summary>See <see cref="LeakOptions.KeepHeapDump"/>.</summary>
    public bool KeepHeapDump { get; set; }

    /// <summary>See <see cref="LeakOptions.Timeout"/>, in milliseconds; 0 means no limit.</summary>
    public int Timeout { get; set; }

    /// <summary>See <see cref="LeakOptions.SnapshotDirectory"/>.</summary>
    public string? SnapshotDirectory { get; set; }

    /// <summary>See <see cref="LeakOptions.Artifacts"/>.</summary>
    public ArtifactPolicy Artifacts { get; set; } = LeakOptions.Default.Artifacts;

    /// <summary>See <see cref="LeakOptions.ArtifactsDirectory"/>.</summary>
    public string? ArtifactsDirectory { get; set; }

    /// <summary>See <see cref="LeakOptions.BaselineTolerance"/> (relative: 0.25 is 25 %).</summary>
    public double BaselineTolerance { get; set; } = LeakOptions.Default.BaselineTolerance;

    /// <summary>When set (not empty), the leak tests it applies to are skipped with this reason.</summary>
    public string? Skip { get; set; }
}
