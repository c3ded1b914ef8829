namespace LeakGuard.Xunit;

/// <summary>The settings <see cref="NoLeakAttribute"/> and <see cref="NoLeakTheoryAttribute"/> share.</summary>
internal interface INoLeakAttribute
{
    int Iterations { get; }

    int WarmupIterations { get; }

    int MaxIterations { get; }

    double MaxManagedBytesPerIteration { get; }

    double MaxNativeBytesPerIteration { get; }

    double MaxHandlesPerIteration { get; }

    double MaxThreadsPerIteration { get; }

    double ConfidenceLevel { get; }

    bool CaptureHeapSummary { get; }

    int TopTypes { get; }

    string? SnapshotDirectory { get; }
}
