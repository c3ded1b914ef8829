using System.Diagnostics;
using LeakGuard.Running;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace LeakGuard.Diagnostics;

/// <summary>The heap summary, or why there is none.</summary>
internal readonly record struct HeapSummaryOutcome(HeapSummary? Summary, string? UnavailableReason);

/// <summary>
/// Takes three heap snapshots of the current process, <c>K = max(1, Iterations / 2)</c> iterations apart, and diffs
/// their per-type histograms. A type is reported only when it grew in both intervals: one-time growth (lazy
/// initialisation, including the dump machinery's own) grows once and is left out.
/// </summary>
/// <remarks>
/// All dumps are written before any is read, so nothing the analysis allocates is on the heap of a later snapshot.
/// Dumps go through the runtime's diagnostics server (<see cref="DiagnosticsClient.WriteDump(DumpType, string, bool)"/>,
/// which runs <c>createdump</c>) into files created with mode 0600, and are deleted after reading.
/// </remarks>
internal static class HeapSummarizer
{
    public const int SnapshotCount = 3;

    public static async Task<HeapSummaryOutcome> TryCaptureAsync(Func<ValueTask> operation, LeakOptions options, Action throwIfStopped)
    {
        var clock = Stopwatch.StartNew();
        var directory = options.SnapshotDirectory ?? Path.Combine(Path.GetTempPath(), "leakguard");
        var interval = Math.Max(1, options.Iterations / 2);
        // Every path is made before the first snapshot: a string created between snapshots would show up as growth.
        var dumps = new string[SnapshotCount];
        for (var snapshot = 0; snapshot < SnapshotCount; snapshot++)
            dumps[snapshot] = Path.Combine(directory, $"leakguard-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
        try
        {
            for (var snapshot = 0; snapshot < SnapshotCount; snapshot++)
            {
                if (snapshot > 0)
                {
                    for (var i = 0; i < interval; i++)
                    {
                        throwIfStopped();
                        await operation().ConfigureAwait(false);
                    }
                }
                LeakRunner.ForceFullCollection();
                if (!TryWriteDump(dumps[snapshot], out var error))
                    return new(null, error);
            }

            var histograms = new HeapHistogram[SnapshotCount];
            try
            {
                for (var snapshot = 0; snapshot < SnapshotCount; snapshot++)
                    histograms[snapshot] = HeapHistogram.Read(dumps[snapshot]);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new(null, $"the heap snapshots could not be read with ClrMD ({e.GetType().Name}: {e.Message}).");
            }
            var iterations = interval * (SnapshotCount - 1);
            var types = HeapHistogram.Diff(histograms, iterations, options.TopTypes, out var steady);
            return new(
                new HeapSummary(iterations, types, histograms[0].TotalBytes, histograms[^1].TotalBytes, clock.Elapsed) { GrewInEveryInterval = steady },
                null
            );
        }
        finally
        {
            foreach (var dump in dumps)
                TryDelete(dump);
        }
    }

    /// <summary>Writes a dump with the managed heap of this process to <paramref name="path"/>; false with a reason when it cannot.</summary>
    internal static bool TryWriteDump(string path, out string? error)
    {
        var directory = Path.GetDirectoryName(path) ?? ".";
        try
        {
            Directory.CreateDirectory(directory);
            // A dump holds everything in memory, secrets included: create it readable by the owner only.
            using (File.Create(path)) { }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
            if (new FileInfo(path).Length == 0)
            {
                error = $"no dump was written to '{path}' (createdump produced an empty file; is there disk space?).";
                return false;
            }
            error = null;
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = $"a heap snapshot could not be taken: writing a dump to '{directory}' failed ({e.GetType().Name}: {e.Message.Trim()}).";
            return false;
        }
    }

    private static void TryDelete(string? path)
    {
        if (path is null)
            return;
        try
        {
            File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Live objects of one heap snapshot, counted and summed per type.</summary>
internal sealed class HeapHistogram
{
    internal HeapHistogram(Dictionary<string, (long Count, long Bytes)> types, long totalBytes, long objects)
    {
        Types = types;
        TotalBytes = totalBytes;
        Objects = objects;
    }

    public Dictionary<string, (long Count, long Bytes)> Types { get; }

    public long TotalBytes { get; }

    public long Objects { get; }

    /// <summary>Reads a dump with ClrMD and counts its objects per type. Memory is bounded by the number of types.</summary>
    public static HeapHistogram Read(string dumpPath)
    {
        using var target = DataTarget.LoadDump(dumpPath);
        if (target.ClrVersions.Length == 0)
            throw new InvalidOperationException("the dump holds no .NET runtime");
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var heap = runtime.Heap;
        if (!heap.CanWalkHeap)
            throw new InvalidOperationException("the heap in the dump cannot be walked");
        var byMethodTable = new Dictionary<ulong, (ClrType Type, long Count, long Bytes)>();
        long total = 0,
            objects = 0;
        foreach (var obj in heap.EnumerateObjects())
        {
            if (!obj.IsValid || obj.IsFree || obj.Type is not { } type)
                continue;
            var size = (long)obj.Size;
            total += size;
            objects++;
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(byMethodTable, type.MethodTable, out var exists);
            if (!exists)
                entry.Type = type;
            entry.Count++;
            entry.Bytes += size;
        }
        var byName = new Dictionary<string, (long Count, long Bytes)>(byMethodTable.Count);
        foreach (var (_, (type, count, bytes)) in byMethodTable)
        {
            var name = type.Name ?? $"<unknown type 0x{type.MethodTable:x}>";
            byName.TryGetValue(name, out var existing);
            byName[name] = (existing.Count + count, existing.Bytes + bytes);
        }
        return new HeapHistogram(byName, total, objects);
    }

    /// <summary>
    /// The types that grew in every interval between consecutive histograms (in bytes, or in count): application
    /// types first, then by bytes per iteration from the first to the last histogram.
    /// </summary>
    /// <param name="histograms">Two or more histograms in snapshot order.</param>
    /// <param name="iterations">Iterations from the first to the last snapshot.</param>
    /// <param name="top">How many types to return at most.</param>
    public static IReadOnlyList<TypeGrowth> Diff(IReadOnlyList<HeapHistogram> histograms, int iterations, int top) => Diff(histograms, iterations, top, out _);

    /// <inheritdoc cref="Diff(IReadOnlyList{HeapHistogram}, int, int)"/>
    /// <param name="histograms">Two or more histograms in snapshot order.</param>
    /// <param name="iterations">Iterations from the first to the last snapshot.</param>
    /// <param name="top">How many types to return at most.</param>
    /// <param name="grewInEveryInterval">False when no type grew in every interval and the list holds the types that
    /// grew from the first to the last snapshot instead (another component's churn in a common type such as
    /// <c>System.Byte[]</c> can hide a steady growth in one interval).</param>
    public static IReadOnlyList<TypeGrowth> Diff(IReadOnlyList<HeapHistogram> histograms, int iterations, int top, out bool grewInEveryInterval)
    {
        var first = histograms[0];
        var last = histograms[^1];
        var steady = new List<TypeGrowth>();
        var overall = new List<TypeGrowth>();
        foreach (var (name, now) in last.Types)
        {
            first.Types.TryGetValue(name, out var then);
            if (now.Bytes <= then.Bytes && now.Count <= then.Count)
                continue;
            var growth = new TypeGrowth(name, then.Count, now.Count, then.Bytes, now.Bytes, iterations);
            overall.Add(growth);
            var grewEveryInterval = true;
            for (var i = 1; i < histograms.Count && grewEveryInterval; i++)
            {
                histograms[i - 1].Types.TryGetValue(name, out var before);
                histograms[i].Types.TryGetValue(name, out var after);
                grewEveryInterval = after.Bytes > before.Bytes || after.Count > before.Count;
            }
            if (grewEveryInterval)
                steady.Add(growth);
        }
        grewInEveryInterval = steady.Count > 0;
        return Rank(grewInEveryInterval ? steady : overall, top);
    }

    private static List<TypeGrowth> Rank(List<TypeGrowth> growth, int top) =>
        growth
            .OrderBy(g => Ownership(g.TypeName))
            .ThenByDescending(g => g.BytesAfter - g.BytesBefore)
            .ThenByDescending(g => g.CountAfter - g.CountBefore)
            .ThenBy(g => g.TypeName, StringComparer.Ordinal)
            .Take(top)
            .ToList();

    /// <summary>
    /// 0 for an application type, 1 for a framework type over application types (e.g.
    /// <c>System.EventHandler&lt;Contoso.Quote&gt;</c>), 2 for a framework type. The developer's own types come first:
    /// the leaked object is usually one of them, while the framework containers holding it are larger.
    /// </summary>
    internal static int Ownership(string typeName)
    {
        var names = typeName.Split(['<', '>', ',', ' ', '[', ']', '+'], StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0 || !IsFramework(names[0]))
            return 0;
        return names.Skip(1).Any(n => n.Contains('.') && !IsFramework(n)) ? 1 : 2;
    }

    private static bool IsFramework(string name) =>
        name.StartsWith("System.", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name.StartsWith("Internal.", StringComparison.Ordinal)
        || name.StartsWith("Interop", StringComparison.Ordinal)
        || name == "System"
        || !name.Contains('.');
}
