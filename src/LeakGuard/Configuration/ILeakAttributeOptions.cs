namespace LeakGuard;

/// <summary>
/// The options of a <c>[NoLeak]</c>-style attribute, in attribute form: what the xUnit and NUnit adapters' attributes
/// expose, so that one mapping (<see cref="LeakOptions.FromAttribute(ILeakAttributeOptions, int)"/>) serves them all.
/// Implement it to write an attribute for another test framework.
/// </summary>
/// <remarks>
/// Attribute arguments cannot be nullable or <see cref="TimeSpan"/>, hence the conventions: <see cref="MaxIterations"/>
/// 0 means the engine default, and the time limit is passed separately in milliseconds.
/// </remarks>
public interface ILeakAttributeOptions
{
    /// <summary>See <see cref="LeakOptions.Iterations"/>.</summary>
    int Iterations { get; }

    /// <summary>See <see cref="LeakOptions.WarmupIterations"/>.</summary>
    int WarmupIterations { get; }

    /// <summary>See <see cref="LeakOptions.MaxIterations"/>; 0 means the default (16 × <see cref="Iterations"/>).</summary>
    int MaxIterations { get; }

    /// <summary>See <see cref="LeakOptions.MaxManagedBytesPerIteration"/> (bytes per iteration).</summary>
    double MaxManagedBytesPerIteration { get; }

    /// <summary>See <see cref="LeakOptions.MaxNativeBytesPerIteration"/> (bytes per iteration).</summary>
    double MaxNativeBytesPerIteration { get; }

    /// <summary>See <see cref="LeakOptions.MaxHandlesPerIteration"/> (handles per iteration).</summary>
    double MaxHandlesPerIteration { get; }

    /// <summary>See <see cref="LeakOptions.MaxThreadsPerIteration"/> (threads per iteration).</summary>
    double MaxThreadsPerIteration { get; }

    /// <summary>See <see cref="LeakOptions.ConfidenceLevel"/>.</summary>
    double ConfidenceLevel { get; }

    /// <summary>See <see cref="LeakOptions.CaptureHeapSummary"/>.</summary>
    bool CaptureHeapSummary { get; }

    /// <summary>See <see cref="LeakOptions.TopTypes"/>.</summary>
    int TopTypes { get; }

    /// <summary>See <see cref="LeakOptions.SnapshotDirectory"/>.</summary>
    string? SnapshotDirectory { get; }

    /// <summary>See <see cref="LeakOptions.Artifacts"/>. The default implementation answers <see cref="ArtifactPolicy.OnFailure"/>.</summary>
    ArtifactPolicy Artifacts => ArtifactPolicy.OnFailure;

    /// <summary>See <see cref="LeakOptions.ArtifactsDirectory"/>; <see langword="null"/> means the default folder. The default implementation answers <see langword="null"/>.</summary>
    string? ArtifactsDirectory => null;

    /// <summary>
    /// See <see cref="LeakOptions.MaxAllocatedBytesPerIteration"/> (bytes allocated per iteration);
    /// <see cref="double.PositiveInfinity"/> means no budget. The default implementation answers
    /// <see cref="double.PositiveInfinity"/>.
    /// </summary>
    double MaxAllocatedBytesPerIteration => double.PositiveInfinity;
}
