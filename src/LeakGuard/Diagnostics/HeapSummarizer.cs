using System.Diagnostics;
using LeakGuard.Running;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace LeakGuard.Diagnostics;

/// <summary>The heap summary, or why there is none.</summary>
internal readonly record struct HeapSummaryOutcome(HeapSummary? Summary, string? UnavailableReason);

/// <summary>
/// Takes two heap snapshots of the current process <see cref="LeakOptions.Iterations"/> iterations apart and diffs
/// their per-type histograms.
/// </summary>
/// <remarks>
/// Both dumps are written before either is read, so nothing the analysis allocates is on the heap of the second
/// snapshot. Dumps go through the runtime's diagnostics server (<see cref="DiagnosticsClient.WriteDump(DumpType, string, bool)"/>,
/// which runs <c>createdump</c>), and are deleted after reading.
/// </remarks>
internal static class HeapSummarizer
{
    public static async Task<HeapSummaryOutcome> TryCaptureAsync(Func<ValueTask> operation, LeakOptions options, Action throwIfStopped)
    {
        var clock = Stopwatch.StartNew();
        var directory = options.SnapshotDirectory ?? Path.Combine(Path.GetTempPath(), "leakguard");
        string? before = null, after = null;
        try
        {
            LeakRunner.ForceFullCollection();
            if (!TryWriteDump(directory, out before, out var error))
                return new(null, error);
            for (var i = 0; i < options.Iterations; i++)
            {
                throwIfStopped();
                await operation().ConfigureAwait(false);
            }
            LeakRunner.ForceFullCollection();
            if (!TryWriteDump(directory, out after, out error))
                return new(null, error);

            HeapHistogram first, second;
            try
            {
                first = HeapHistogram.Read(before!);
                second = HeapHistogram.Read(after!);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new(null, $"the heap snapshots could not be read with ClrMD ({e.GetType().Name}: {e.Message}).");
            }
            var types = HeapHistogram.Diff(first, second, options.Iterations, options.TopTypes);
            return new(new HeapSummary(options.Iterations, types, first.TotalBytes, second.TotalBytes, clock.Elapsed), null);
        }
        finally
        {
            TryDelete(before);
            TryDelete(after);
        }
    }

    /// <summary>Writes a dump with the managed heap of this process; false with a reason when it cannot.</summary>
    internal static bool TryWriteDump(string directory, out string? path, out string? error)
    {
        path = null;
        try
        {
            Directory.CreateDirectory(directory);
            path = Path.Combine(directory, $"leakguard-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
            new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
            if (!File.Exists(path) || new FileInfo(path).Length == 0)
            {
                error = $"no dump was written to '{path}' (createdump produced no file; is there disk space?).";
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
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Live objects of one heap snapshot, counted and summed per type.</summary>
internal sealed class HeapHistogram
{
    private HeapHistogram(Dictionary<string, (long Count, long Bytes)> types, long totalBytes, long objects)
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
        long total = 0, objects = 0;
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

    /// <summary>The types that grew in bytes from <paramref name="before"/> to <paramref name="after"/>, most bytes first.</summary>
    public static IReadOnlyList<TypeGrowth> Diff(HeapHistogram before, HeapHistogram after, int iterations, int top)
    {
        var growth = new List<TypeGrowth>();
        foreach (var (name, now) in after.Types)
        {
            before.Types.TryGetValue(name, out var then);
            if (now.Bytes > then.Bytes || now.Count > then.Count)
                growth.Add(new TypeGrowth(name, then.Count, now.Count, then.Bytes, now.Bytes, iterations));
        }
        return growth
            .OrderByDescending(g => g.BytesAfter - g.BytesBefore)
            .ThenByDescending(g => g.CountAfter - g.CountBefore)
            .ThenBy(g => g.TypeName, StringComparer.Ordinal)
            .Take(top)
            .ToList();
    }
}
