namespace LeakGuard;

/// <summary>
/// The difference between heap snapshots of the process, taken after full GCs, some iterations apart:
/// the types whose live instances grew between every pair of consecutive snapshots, by bytes per iteration.
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

    /// <summary>Heap snapshots taken (3: growth must repeat in both intervals to be listed).</summary>
    public int SnapshotCount => Diagnostics.HeapSummarizer.SnapshotCount;

    /// <summary>Iterations run from the first to the last snapshot; per-iteration figures divide by it.</summary>
    public int IterationsBetweenSnapshots { get; }

    /// <summary>The top growing types (at most <see cref="LeakOptions.TopTypes"/>): application types first, then framework types over application types, then framework types; most bytes per iteration first within each.</summary>
    public IReadOnlyList<TypeGrowth> Types { get; }

    /// <summary>Bytes of all live objects in the first snapshot (sum of object sizes as ClrMD reports them).</summary>
    public long TotalBytesBefore { get; }

    /// <summary>Bytes of all live objects in the last snapshot.</summary>
    public long TotalBytesAfter { get; }

    /// <summary>
    /// True when <see cref="Types"/> lists types that grew in every interval between snapshots; false when none did
    /// and it lists the types that grew from the first to the last snapshot instead.
    /// </summary>
    public bool GrewInEveryInterval { get; internal init; } = true;

    /// <summary>Wall time to take, read and diff the snapshots, iterations between them included.</summary>
    public TimeSpan Elapsed { get; }
}

/// <summary>Growth of one type from the first to the last heap snapshot.</summary>
/// <param name="TypeName">Full type name as the runtime names it, e.g. <c>System.Collections.Generic.List&lt;System.Object&gt;</c>.</param>
/// <param name="CountBefore">Live instances in the first snapshot.</param>
/// <param name="CountAfter">Live instances in the last snapshot.</param>
/// <param name="BytesBefore">Bytes of those instances (shallow size) in the first snapshot.</param>
/// <param name="BytesAfter">Bytes of those instances (shallow size) in the last snapshot.</param>
/// <param name="Iterations">Iterations from the first to the last snapshot.</param>
public readonly record struct TypeGrowth(string TypeName, long CountBefore, long CountAfter, long BytesBefore, long BytesAfter, int Iterations)
{
    /// <summary>Instances added per iteration (may be 0 when a single object grows in size, e.g. an array).</summary>
    public double InstancesPerIteration => (double)(CountAfter - CountBefore) / Math.Max(1, Iterations);

    /// <summary>Shallow bytes added per iteration.</summary>
    public double BytesPerIteration => (double)(BytesAfter - BytesBefore) / Math.Max(1, Iterations);
}
