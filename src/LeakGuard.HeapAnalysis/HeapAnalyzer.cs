using System.Diagnostics;
using Microsoft.Diagnostics.Runtime;

namespace LeakGuard.HeapAnalysis;

/// <summary>Options of <see cref="HeapAnalyzer.Compare(IReadOnlyList{string}, HeapComparisonOptions?, CancellationToken)"/>.</summary>
public sealed record HeapComparisonOptions
{
    /// <summary>Iterations (or any unit of work) between the two snapshots; per-iteration figures divide by it. Default 1. Must be at least 1.</summary>
    public int Iterations { get; init; } = 1;

    /// <summary>How many growing types to report. Default 10. Must be at least 1.</summary>
    public int TopTypes { get; init; } = 10;

    /// <summary>How many of the top types get retention paths (the search costs one walk of the reachable heap per snapshot at most). Default 5; 0 for none.</summary>
    public int PathTypes { get; init; } = 5;

    /// <summary>
    /// Managed heap growth the caller measured, in bytes per iteration (e.g. the leak run's slope), or null. When the
    /// growing types explain less than half of it, the largest array and string types are also searched for an object
    /// that grew in size (their totals can stay flat while one instance grows and others are freed).
    /// </summary>
    public double? ExpectedBytesPerIteration { get; init; }

    /// <summary>Whether thread stacks are searched as roots. Default true. Reading stack roots is where the diagnostics reader has been seen to crash (clrmd PR #1425, .NET 10 on Linux).</summary>
    public bool IncludeStackRoots { get; init; } = true;
}

/// <summary>The difference between two heap snapshots: the growing types, their retention paths, totals and timings.</summary>
public sealed record HeapComparison
{
    /// <summary>The top growing types: application types first, then framework types over application types, then framework types; most bytes added first within each.</summary>
    public required IReadOnlyList<TypeGrowth> Types { get; init; }

    /// <summary>
    /// True when <see cref="Types"/> lists types that grew in every interval between consecutive snapshots (always the
    /// case with two snapshots); false when none did and it lists the types that grew from the first to the last.
    /// </summary>
    public bool GrewInEveryInterval { get; init; } = true;

    /// <summary>Snapshots compared.</summary>
    public int SnapshotCount { get; init; } = 2;

    /// <summary>Types deriving from <c>System.Runtime.InteropServices.SafeHandle</c> whose instance count grew: managed handles that own native memory or OS handles.</summary>
    public required IReadOnlyList<TypeGrowth> SafeHandleTypes { get; init; }

    /// <summary>Bytes of all objects in the first snapshot (shallow sizes as ClrMD reports them).</summary>
    public long TotalBytesBefore { get; init; }

    /// <summary>Bytes of all objects in the last snapshot.</summary>
    public long TotalBytesAfter { get; init; }

    /// <summary>Objects in the first snapshot.</summary>
    public long ObjectsBefore { get; init; }

    /// <summary>Objects in the last snapshot.</summary>
    public long ObjectsAfter { get; init; }

    /// <summary>Objects the retention path search visited in the last snapshot (it stops once every instance of the path types is reached).</summary>
    public long ObjectsVisited { get; init; }

    /// <summary>Why some or all retention paths are missing (stack roots skipped, search failed); null when none are.</summary>
    public string? PathsNote { get; init; }

    /// <summary>
    /// Seconds spent reading the snapshots into histograms: the first and the last in parallel, or, in LeakGuard's
    /// analysis child, one after the other as they were written (time spent waiting for a snapshot not counted).
    /// </summary>
    public double HistogramSeconds { get; init; }

    /// <summary>Seconds spent searching retention paths in both snapshots (in parallel).</summary>
    public double PathSeconds { get; init; }
}

/// <summary>
/// Reads .NET heap snapshots (dumps written with the heap, e.g. by <c>createdump</c>, <c>dotnet-dump</c> or
/// <c>DiagnosticsClient.WriteDump</c>) with ClrMD, and compares them.
/// </summary>
/// <remarks>
/// Reports carry type names, field names, counts and sizes — never the contents of strings or buffers.
/// </remarks>
public static partial class HeapAnalyzer
{
    /// <summary>
    /// Compares two snapshots of the same process: per-type growth from <paramref name="beforeDump"/> to
    /// <paramref name="afterDump"/>, and for the top growing types the shortest retention paths of their instances,
    /// grouped by path shape, the groups that grew first.
    /// </summary>
    /// <param name="beforeDump">Path of the earlier dump.</param>
    /// <param name="afterDump">Path of the later dump, of the same process.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the reads and the search.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="FileNotFoundException">A dump does not exist.</exception>
    /// <exception cref="InvalidOperationException">A dump holds no .NET runtime, or its heap cannot be walked.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static HeapComparison Compare(
        string beforeDump,
        string afterDump,
        HeapComparisonOptions? options = null,
        CancellationToken cancellationToken = default
    ) => Compare([beforeDump, afterDump], options, cancellationToken);

    /// <summary>
    /// Compares three or more snapshots of the same process taken in order: a type is reported when it grew in
    /// <em>every</em> interval between consecutive snapshots, so that one-time growth (lazy initialisation, a cache
    /// filled once, another component's first use of something) is left out; when no type did, the types that grew
    /// from the first to the last snapshot are reported instead (<see cref="HeapComparison.GrewInEveryInterval"/> is
    /// then false). Retention paths are searched in the first and the last snapshot.
    /// </summary>
    /// <param name="snapshots">Paths of two or more dumps of one process, in the order they were taken.</param>
    /// <param name="options">Options; null for the defaults. <see cref="HeapComparisonOptions.Iterations"/> counts from the first to the last snapshot.</param>
    /// <param name="cancellationToken">Stops the reads and the search.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentException">Fewer than two snapshots.</exception>
    /// <exception cref="FileNotFoundException">A dump does not exist.</exception>
    /// <exception cref="InvalidOperationException">A dump holds no .NET runtime, or its heap cannot be walked.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static HeapComparison Compare(IReadOnlyList<string> snapshots, HeapComparisonOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = Validate(snapshots, options);
        foreach (var path in snapshots)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"No heap snapshot at '{path}'.", path);
        }

        var clock = Stopwatch.StartNew();
        using var before = Snapshot.Open(snapshots[0]);
        using var after = Snapshot.Open(snapshots[^1]);
        // The snapshots in between are needed for their histograms only: read on the calling thread while another
        // thread reads the first, then the last.
        var middle = new HeapHistogram[snapshots.Count - 2];
        var (first, last) = Parallel(
            () => HeapHistogram.Read(before.Heap, snapshots[0], cancellationToken),
            () =>
            {
                for (var i = 0; i < middle.Length; i++)
                {
                    using var snapshot = Snapshot.Open(snapshots[i + 1]);
                    middle[i] = HeapHistogram.Read(snapshot.Heap, snapshots[i + 1], cancellationToken);
                }
                return HeapHistogram.Read(after.Heap, snapshots[^1], cancellationToken);
            }
        );
        var histograms = new List<HeapHistogram> { first };
        histograms.AddRange(middle);
        histograms.Add(last);
        return Diff(before, after, histograms, clock.Elapsed.TotalSeconds, options, cancellationToken);
    }

    /// <summary>
    /// <see cref="Compare(IReadOnlyList{string}, HeapComparisonOptions?, CancellationToken)"/> on snapshots that are
    /// still being written: each is read into its histogram as soon as <paramref name="waitForSnapshot"/> returns for
    /// it, in order, while the next is written; the diff and the retention path search follow the last, as there.
    /// </summary>
    /// <param name="snapshots">Paths of two or more dumps of one process, in the order they are written (they need not exist yet).</param>
    /// <param name="options">As there.</param>
    /// <param name="waitForSnapshot">
    /// Returns when the snapshot at the given index is complete: null when it is the dump at that path, or a copy of the
    /// process's memory taken in place of the dump (<see cref="ProcessMemoryCopy"/>, then owned and disposed here).
    /// Throws to stop the analysis.
    /// </param>
    /// <param name="cancellationToken">Stops the reads and the search.</param>
    /// <remarks>
    /// The snapshots are read one after the other (the first and the last are kept open for the path search), not
    /// two at a time: while they are written, reading one takes less time than writing the next.
    /// <see cref="HeapComparison.HistogramSeconds"/> counts the reads, not the waits.
    /// </remarks>
    /// <exception cref="FileNotFoundException">A dump does not exist once it is announced complete.</exception>
    internal static HeapComparison CompareAsWritten(
        IReadOnlyList<string> snapshots,
        HeapComparisonOptions? options,
        Func<int, ProcessMemoryCopy?> waitForSnapshot,
        CancellationToken cancellationToken = default
    )
    {
        options = Validate(snapshots, options);
        ArgumentNullException.ThrowIfNull(waitForSnapshot);
        Snapshot? before = null;
        Snapshot? after = null;
        try
        {
            var histograms = new List<HeapHistogram>(snapshots.Count);
            var reading = new Stopwatch();
            for (var i = 0; i < snapshots.Count; i++)
            {
                var copy = waitForSnapshot(i);
                var path = copy is null ? snapshots[i] : copy.DisplayName;
                if (copy is null && !File.Exists(path))
                    throw new FileNotFoundException($"No heap snapshot at '{path}'.", path);
                reading.Start();
                var snapshot = copy is null ? Snapshot.Open(path) : Snapshot.Open(copy);
                try
                {
                    histograms.Add(HeapHistogram.Read(snapshot.Heap, path, cancellationToken));
                }
                finally
                {
                    // The first and the last are kept for the retention path search; those in between are closed at once.
                    if (i == 0)
                        before = snapshot;
                    else if (i == snapshots.Count - 1)
                        after = snapshot;
                    else
                        snapshot.Dispose();
                }
                reading.Stop();
            }
            return Diff(before!, after!, histograms, reading.Elapsed.TotalSeconds, options, cancellationToken);
        }
        finally
        {
            before?.Dispose();
            after?.Dispose();
        }
    }

    private static HeapComparisonOptions Validate(IReadOnlyList<string> snapshots, HeapComparisonOptions? options)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count < 2)
            throw new ArgumentException($"At least two snapshots are needed, but {snapshots.Count} were given.", nameof(snapshots));
        options ??= new HeapComparisonOptions();
        if (options.Iterations < 1)
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.Iterations,
                $"HeapComparisonOptions.Iterations must be at least 1, but was {options.Iterations}."
            );
        if (options.TopTypes < 1)
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.TopTypes,
                $"HeapComparisonOptions.TopTypes must be at least 1, but was {options.TopTypes}."
            );
        if (options.PathTypes < 0)
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.PathTypes,
                $"HeapComparisonOptions.PathTypes must be 0 or more, but was {options.PathTypes}."
            );
        return options;
    }

    /// <summary>The growing types of the histograms (one per snapshot, in order) and their retention paths in the first and the last snapshot.</summary>
    private static HeapComparison Diff(
        Snapshot before,
        Snapshot after,
        List<HeapHistogram> histograms,
        double histogramSeconds,
        HeapComparisonOptions options,
        CancellationToken cancellationToken
    )
    {
        var first = histograms[0];
        var last = histograms[^1];
        var grown = new List<(TypeGrowth Growth, TypeTotals Before, TypeTotals After)>();
        var steady = new List<(TypeGrowth Growth, TypeTotals Before, TypeTotals After)>();
        foreach (var (name, now) in last.Types)
        {
            first.Types.TryGetValue(name, out var then);
            if (now.Bytes <= then.Bytes && now.Count <= then.Count)
                continue;
            var entry = (new TypeGrowth(name, then.Count, now.Count, then.Bytes, now.Bytes, options.Iterations), then, now);
            grown.Add(entry);
            var everyInterval = true;
            for (var i = 1; i < histograms.Count && everyInterval; i++)
            {
                histograms[i - 1].Types.TryGetValue(name, out var earlier);
                histograms[i].Types.TryGetValue(name, out var later);
                everyInterval = later.Bytes > earlier.Bytes || later.Count > earlier.Count;
            }
            if (everyInterval)
                steady.Add(entry);
        }
        var grewInEveryInterval = steady.Count > 0;
        var top = (grewInEveryInterval ? steady : grown)
            .OrderBy(g => TypeNames.Ownership(g.Growth.TypeName))
            .ThenByDescending(g => g.Growth.BytesAfter - g.Growth.BytesBefore)
            .ThenByDescending(g => g.Growth.CountAfter - g.Growth.CountBefore)
            .ThenBy(g => g.Growth.TypeName, StringComparer.Ordinal)
            .Take(options.TopTypes)
            .ToList();
        var safeHandles = grown
            .Where(g => g.After.IsSafeHandle && g.Growth.CountAfter > g.Growth.CountBefore)
            .OrderByDescending(g => g.Growth.CountAfter - g.Growth.CountBefore)
            .Select(g => g.Growth)
            .ToList();

        // Retention paths for the first PathTypes types, searched in both snapshots so that the groups that grew are told
        // from the ones that were already there (a legitimate cache of the same type, say).
        var clock = Stopwatch.StartNew();
        var pathTypes = top.Take(options.PathTypes).ToList();
        var types = top.Select(t => t.Growth).ToList();
        // When the growing types explain less than half of the managed growth the run measured (or none grew in every
        // interval, so the list is other components' churn), the rest may be an
        // array or string growing in size while other instances of its type were freed (the type's total did not grow):
        // the five largest array and string types are searched too, and kept when one of their paths grew in size.
        var sizeProbes = 0;
        if (options.ExpectedBytesPerIteration is { } expected && expected > 0 && options.PathTypes > 0)
        {
            var explained = types.Sum(t => Math.Max(0, t.BytesPerIteration));
            if (explained < expected / 2 || !grewInEveryInterval)
            {
                var listed = top.Select(t => t.Growth.TypeName).ToHashSet(StringComparer.Ordinal);
                foreach (
                    var (name, now) in last.Types.Where(t => IsArrayOrString(t.Key) && !listed.Contains(t.Key)).OrderByDescending(t => t.Value.Bytes).Take(5)
                )
                {
                    first.Types.TryGetValue(name, out var then);
                    pathTypes.Add((new TypeGrowth(name, then.Count, now.Count, then.Bytes, now.Bytes, options.Iterations), then, now));
                    sizeProbes++;
                }
            }
        }
        string? note = null;
        long visited = 0;
        RetentionPathFinder? finderForStatics = null;
        Dictionary<string, (int Root, string TypeName, long Bytes)>? staticsBefore = null;
        if (pathTypes.Count > 0)
        {
            var targetsBefore = new PathTargets();
            var targetsAfter = new PathTargets();
            foreach (var (growth, then, now) in pathTypes)
            {
                targetsBefore.AddType(then.MethodTables ?? [], then.Count);
                targetsAfter.AddType(now.MethodTables ?? [], now.Count);
            }
            var finder = new RetentionPathFinder(after.Runtime);
            var finderBefore = new RetentionPathFinder(before.Runtime);
            var (searchBefore, searchAfter) = Parallel(
                () => finderBefore.Find(targetsBefore, options.IncludeStackRoots, cancellationToken),
                () => finder.Find(targetsAfter, options.IncludeStackRoots, cancellationToken)
            );
            visited = searchAfter.Visited;
            note = searchAfter.StackRootsSkippedReason;
            finderForStatics = finder;
            staticsBefore = finderBefore.StaticArrays();
            for (var i = 0; i < pathTypes.Count; i++)
            {
                var (growth, then, now) = pathTypes[i];
                var probe = i >= pathTypes.Count - sizeProbes;
                // Growth in size of at least a byte per iteration at one path; smaller changes are noise (a builder's chunk).
                var grewInSize = GrewInSize(searchBefore.TypeShapes[i], searchAfter.TypeShapes[i], finder, minimumBytes: options.Iterations);
                if (probe)
                {
                    if (grewInSize is not null)
                        types.Add(growth with { SizeGrowth = grewInSize });
                    continue;
                }
                var paths = GrowingGroups(searchBefore.TypeShapes[i], searchAfter.TypeShapes[i], grewInSize is not null)
                    .Select(g => finder.Build(g.Group) with { InstancesBefore = g.Before })
                    .ToList();
                var unreached = now.Count - searchAfter.Reached[i];
                types[i] = growth with
                {
                    Paths = paths,
                    PathsUnavailableReason =
                        searchAfter.Reached[i] == 0
                            ? $"none of its {now.Count:#,0} instances is reachable from a GC root in the last snapshot (garbage not yet collected?)"
                        : unreached > 0 ? $"{unreached:#,0} of {now.Count:#,0} instances are not reachable from a GC root"
                        : null,
                    SizeGrowth = grewInSize,
                };
            }
        }

        // Probing: a static field's array or string that grew in size, compared directly, in case the path search missed
        // it (its type's instances are many and their shapes churn).
        if (sizeProbes > 0 && finderForStatics is { } f && staticsBefore is { } staticsThen)
        {
            var best = f.StaticArrays()
                .Where(s =>
                    staticsThen.TryGetValue(s.Key, out var then) && s.Value.TypeName == then.TypeName && s.Value.Bytes - then.Bytes >= options.Iterations
                )
                .Where(s => !types.Any(t => t.SizeGrowth is { } g && g.Path.Root == s.Key))
                .OrderByDescending(s => s.Value.Bytes - staticsThen[s.Key].Bytes)
                .FirstOrDefault();
            if (best.Key is not null)
            {
                last.Types.TryGetValue(best.Value.TypeName, out var now);
                first.Types.TryGetValue(best.Value.TypeName, out var then);
                var growth = new TypeGrowth(best.Value.TypeName, then.Count, now.Count, then.Bytes, now.Bytes, options.Iterations);
                types.RemoveAll(t => t.TypeName == best.Value.TypeName && t.SizeGrowth is null);
                types.Add(growth with { SizeGrowth = new SizeGrowth(staticsThen[best.Key].Bytes, best.Value.Bytes, f.BuildRoot(best.Value.Root)) });
            }
        }

        return new HeapComparison
        {
            Types = types,
            GrewInEveryInterval = grewInEveryInterval,
            SnapshotCount = histograms.Count,
            SafeHandleTypes = safeHandles,
            TotalBytesBefore = first.TotalBytes,
            TotalBytesAfter = last.TotalBytes,
            ObjectsBefore = first.Objects,
            ObjectsAfter = last.Objects,
            ObjectsVisited = visited,
            PathsNote = note,
            HistogramSeconds = histogramSeconds,
            PathSeconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static bool IsArrayOrString(string typeName) => typeName.EndsWith("[]", StringComparison.Ordinal) || typeName == "System.String";

    /// <summary>
    /// The path group whose instances grew in size without growing in number (matched by shape between the snapshots:
    /// a group that did not exist before counts from 0 bytes), the one that gained most bytes; null when none did.
    /// </summary>
    private static SizeGrowth? GrewInSize(
        IReadOnlyList<RetentionPathFinder.ShapeGroup> before,
        IReadOnlyList<RetentionPathFinder.ShapeGroup> after,
        RetentionPathFinder finder,
        long minimumBytes
    )
    {
        var earlier = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        foreach (var group in before)
            earlier[group.Key] = (group.Count, group.Bytes);
        RetentionPathFinder.ShapeGroup? best = null;
        long bestBefore = 0;
        foreach (var group in after)
        {
            var then = earlier.GetValueOrDefault(group.Key);
            if (group.Count > then.Count || group.Bytes - then.Bytes < Math.Max(1, minimumBytes))
                continue;
            if (best is null || group.Bytes - then.Bytes > best.Value.Bytes - bestBefore)
            {
                best = group;
                bestBefore = then.Bytes;
            }
        }
        return best is { } grown ? new SizeGrowth(bestBefore, grown.Bytes, finder.Build(grown)) : null;
    }

    /// <summary>
    /// Path groups of the last snapshot with the instances they gained since the first (matched by shape: root and
    /// types along the path): the groups that gained instances, most first (at most
    /// <see cref="RetentionPathFinder.GroupsPerType"/>); when none did, the largest group, or none when the type grew in size.
    /// </summary>
    internal static List<(RetentionPathFinder.ShapeGroup Group, long Before)> GrowingGroups(
        IReadOnlyList<RetentionPathFinder.ShapeGroup> before,
        IReadOnlyList<RetentionPathFinder.ShapeGroup> after,
        bool sizeGrowthExplains
    )
    {
        var earlier = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in before)
            earlier[group.Key] = group.Count;
        var groups = after.Select(group => (Group: group, Before: earlier.GetValueOrDefault(group.Key))).ToList();
        var growing = groups.Where(g => g.Group.Count > g.Before).ToList();
        // The groups that gained instances explain the growth; when none did (a type that grew in size, or whose
        // instances were replaced), the largest group is shown, or none when a size growth explains it.
        if (growing.Count > 0)
            return [.. growing.OrderByDescending(g => g.Group.Count - g.Before).ThenByDescending(g => g.Group.Count).Take(RetentionPathFinder.GroupsPerType)];
        return sizeGrowthExplains ? [] : [.. groups.OrderByDescending(g => g.Group.Count).Take(1)];
    }

    private static (T1, T2) Parallel<T1, T2>(Func<T1> first, Func<T2> second)
    {
        var task = Task.Run(first);
        T2 result;
        try
        {
            result = second();
        }
        catch
        {
            // The first still reads its snapshot: it must finish before the caller disposes the snapshots (reading a
            // disposed dump crashes the process), whatever it throws in turn.
            try
            {
                task.Wait();
            }
            catch (AggregateException) { }
            throw;
        }
        return (task.GetAwaiter().GetResult(), result);
    }

    /// <summary>An open dump and its runtime.</summary>
    private sealed class Snapshot : IDisposable
    {
        private readonly DataTarget _target;

        private Snapshot(DataTarget target, ClrRuntime runtime)
        {
            _target = target;
            Runtime = runtime;
        }

        public ClrRuntime Runtime { get; }

        public ClrHeap Heap => Runtime.Heap;

        public static Snapshot Open(string path) =>
            // ClrMD's memory-mapped reader: no lock and no stream seek per read (the path search over 10M objects
            // takes 1.1-1.2 s instead of 1.4-2.0 s). It maps the whole dump, which a 32-bit process may not have room for.
            Open(DataTarget.LoadDump(path, new DataTargetOptions { UseLockFreeMemoryMapReader = Environment.Is64BitProcess }), $"the snapshot '{path}'");

        /// <summary>Opens a copy of a process's memory; the snapshot owns the copy from here and frees it when disposed.</summary>
        public static Snapshot Open(ProcessMemoryCopy copy) => Open(new DataTarget(copy, new DataTargetOptions()), $"the {copy.DisplayName}");

        private static Snapshot Open(DataTarget target, string what)
        {
            try
            {
                if (target.ClrVersions.Length == 0)
                    throw new InvalidOperationException($"{what} holds no .NET runtime");
                return new Snapshot(target, target.ClrVersions[0].CreateRuntime());
            }
            catch
            {
                target.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Runtime.Dispose();
            _target.Dispose();
        }
    }
}
