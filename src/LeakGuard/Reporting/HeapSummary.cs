namespace LeakGuard;

/// <summary>
/// The difference between heap snapshots of the process, taken after full GCs some iterations apart: the types whose
/// live instances grew between every pair of consecutive snapshots, by bytes per iteration, and for the top ones the
/// retention paths that keep them alive.
/// </summary>
public sealed class HeapSummary
{
    internal HeapSummary(int iterationsBetweenSnapshots, IReadOnlyList<TypeGrowth> types, long totalBytesBefore, long totalBytesAfter, TimeSpan elapsed)
    {
        IterationsBetweenSnapshots = iterationsBetweenSnapshots;
        Types = types;
        TotalBytesBefore = totalBytesBefore;
        TotalBytesAfter = totalBytesAfter;
        Elapsed = elapsed;
    }

    /// <summary>Heap snapshots taken: 3, so that growth must repeat in both intervals to be listed.</summary>
    public int SnapshotCount => Diagnostics.HeapSummarizer.SnapshotCount;

    /// <summary>Iterations run from the first to the last snapshot; per-iteration figures divide by it.</summary>
    public int IterationsBetweenSnapshots { get; }

    /// <summary>
    /// The top growing types (at most <see cref="LeakOptions.TopTypes"/>): application types first, then framework
    /// types over application types, then framework types; most bytes per iteration first within each. The first
    /// <see cref="LeakOptions.RetentionPathTypes"/> carry their retention paths (<see cref="TypeGrowth.Paths"/>).
    /// </summary>
    public IReadOnlyList<TypeGrowth> Types { get; }

    /// <summary>
    /// True when <see cref="Types"/> lists types that grew in every interval between snapshots; false when none did
    /// and it lists the types that grew from the first to the last snapshot instead.
    /// </summary>
    public bool GrewInEveryInterval { get; internal init; } = true;

    /// <summary>
    /// Types deriving from <c>System.Runtime.InteropServices.SafeHandle</c> whose instance count grew between the
    /// snapshots: managed handles that own native memory or OS handles (named in the native attribution).
    /// </summary>
    public IReadOnlyList<TypeGrowth> SafeHandleTypes { get; internal init; } = [];

    /// <summary>Bytes of all live objects in the first snapshot (sum of object sizes as ClrMD reports them).</summary>
    public long TotalBytesBefore { get; }

    /// <summary>Bytes of all live objects in the last snapshot.</summary>
    public long TotalBytesAfter { get; }

    /// <summary>Why some retention paths are missing (e.g. stack roots were skipped after the reader crashed on them); null when none are.</summary>
    public string? PathsNote { get; internal init; }

    /// <summary>Full path of the last heap snapshot kept in the artifacts folder (<see cref="LeakOptions.KeepHeapDump"/>); null when none was kept.</summary>
    public string? KeptDumpPath { get; internal init; }

    /// <summary>Why a heap dump that <see cref="LeakOptions.KeepHeapDump"/> asked for was not kept (over the size cap, not writable); null otherwise.</summary>
    public string? KeptDumpNote { get; internal init; }

    /// <summary>Wall time to take, read and diff the snapshots and search the paths, iterations between them included.</summary>
    public TimeSpan Elapsed { get; }
}
