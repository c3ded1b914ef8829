namespace LeakGuard.Diagnostics;

/// <summary>
/// The diagnoser that explains (and, for an ambiguous managed heap verdict, decides) a judgement with per-type heap
/// growth: <see cref="HeapSnapshotDiagnoser"/> on the real process, a scripted one in tests.
/// </summary>
internal interface IHeapDiagnoser
{
    /// <summary>Runs the operation further between heap snapshots and returns the summary, or why there is none. Never throws for a failed snapshot.</summary>
    /// <param name="operation">The operation under test; it runs between the snapshots.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="throwIfStopped">Throws when the run's time limit or cancellation stops it.</param>
    /// <param name="cancellationToken">Stops the analysis.</param>
    /// <param name="managedBytesPerIteration">The managed heap slope the run measured, when it leaked.</param>
    /// <param name="progress">Told when a stage starts (after the last snapshot: the analysis); never between snapshots.</param>
    Task<HeapSummaryOutcome> CaptureAsync(
        Func<ValueTask> operation,
        LeakOptions options,
        Action throwIfStopped,
        CancellationToken cancellationToken,
        double? managedBytesPerIteration,
        Action<LeakStage, string>? progress = null
    );
}

/// <summary>Heap snapshots of this process, diffed in a child process (<see cref="HeapSummarizer"/>).</summary>
internal sealed class HeapSnapshotDiagnoser : IHeapDiagnoser
{
    /// <summary>The one instance.</summary>
    public static HeapSnapshotDiagnoser Instance { get; } = new();

    /// <inheritdoc />
    public Task<HeapSummaryOutcome> CaptureAsync(
        Func<ValueTask> operation,
        LeakOptions options,
        Action throwIfStopped,
        CancellationToken cancellationToken,
        double? managedBytesPerIteration,
        Action<LeakStage, string>? progress = null
    ) => HeapSummarizer.TryCaptureAsync(operation, options, throwIfStopped, cancellationToken, managedBytesPerIteration, progress);
}
