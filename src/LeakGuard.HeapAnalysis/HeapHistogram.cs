using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace LeakGuard.HeapAnalysis;

/// <summary>Live objects of one heap snapshot, counted and summed per type. Memory is bounded by the number of types.</summary>
internal sealed class HeapHistogram
{
    internal HeapHistogram(Dictionary<string, TypeTotals> types, long totalBytes, long objects)
    {
        Types = types;
        TotalBytes = totalBytes;
        Objects = objects;
    }

    /// <summary>Per full type name (instantiations loaded more than once are merged).</summary>
    public Dictionary<string, TypeTotals> Types { get; }

    /// <summary>Bytes of all objects walked (shallow sizes).</summary>
    public long TotalBytes { get; }

    /// <summary>Objects walked.</summary>
    public long Objects { get; }

    /// <summary>Walks the heap of an open snapshot and counts its objects per type.</summary>
    /// <param name="heap">The snapshot's heap.</param>
    /// <param name="path">The dump's path, for messages and its size (a copy of a process's memory: its name, for messages).</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <exception cref="InvalidOperationException">
    /// The heap cannot be walked: ClrMD says so (a dump taken in the middle of a GC), the dump has no GC heap segments,
    /// a segment is unreadable or larger than the dump, the segments yield no objects, or the walk meets objects without
    /// a valid type — a damaged dump, which must not read as an empty or smaller heap (a diff of it would show no growth).
    /// </exception>
    public static HeapHistogram Read(ClrHeap heap, string path, CancellationToken cancellationToken = default)
    {
        if (!heap.CanWalkHeap)
            throw new InvalidOperationException($"the heap in the snapshot '{path}' cannot be walked (the dump was taken in the middle of a GC?)");
        CheckSegments(heap, path);
        var byMethodTable = new Dictionary<ulong, (ClrType Type, TypeTotals Totals)>();
        long total = 0,
            objects = 0,
            invalid = 0;
        // A copy of a process's memory is walked in place (CopyWalk); where that walk meets what it does not know,
        // the heap is walked by ClrMD, as a dump is.
        if (
            heap.Runtime.DataTarget.DataReader is ProcessMemoryCopy copy
            && CopyWalk.TryCount(heap, copy, byMethodTable, out total, out objects, cancellationToken)
        )
            return Build(byMethodTable, total, objects, path);
        byMethodTable.Clear();
        foreach (var obj in heap.EnumerateObjects())
        {
            if (((objects + invalid) & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (obj.IsFree)
                continue;
            if (!obj.IsValid || obj.Type is not { } type)
            {
                // A heap walk of a sound dump meets no object without a valid method table: garbage where objects
                // should be is a damaged dump, whose partial heap would read as shrinking (a diff showing no growth).
                invalid++;
                continue;
            }
            var size = (long)obj.Size;
            total += size;
            objects++;
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byMethodTable, type.MethodTable, out var exists);
            if (!exists)
                entry.Type = type;
            entry.Totals.Count++;
            entry.Totals.Bytes += size;
        }
        if (objects == 0)
            throw Damaged(path, $"its {heap.Segments.Length} GC heap segments yield no objects");
        if (invalid > 0)
            throw Damaged(path, $"{invalid:#,0} of the {objects + invalid:#,0} objects its heap walk met have no valid type");
        return Build(byMethodTable, total, objects, path);
    }

    /// <summary>The histogram by type name from the counts by method table.</summary>
    private static HeapHistogram Build(Dictionary<ulong, (ClrType Type, TypeTotals Totals)> byMethodTable, long total, long objects, string path)
    {
        if (objects == 0)
            throw Damaged(path, "its GC heap segments yield no objects");
        var byName = new Dictionary<string, TypeTotals>(byMethodTable.Count);
        foreach (var (methodTable, (type, totals)) in byMethodTable)
        {
            var name = type.Name ?? $"<unknown type 0x{methodTable:x}>";
            ref var merged = ref CollectionsMarshal.GetValueRefOrAddDefault(byName, name, out var exists);
            if (!exists)
            {
                merged = totals;
                merged.MethodTables = [methodTable];
                merged.IsSafeHandle = DerivesFrom(type, "System.Runtime.InteropServices.SafeHandle");
                continue;
            }
            merged.Count += totals.Count;
            merged.Bytes += totals.Bytes;
            merged.MethodTables = [.. merged.MethodTables, methodTable];
        }
        return new HeapHistogram(byName, total, objects);
    }

    /// <summary>Every GC heap segment must lie in memory the dump holds: readable at its first object, and no longer than the dump file.</summary>
    private static void CheckSegments(ClrHeap heap, string path)
    {
        if (heap.Segments.Length == 0)
            throw Damaged(path, "it has no GC heap segments");
        var reader = heap.Runtime.DataTarget.DataReader;
        var dumpBytes = reader is ProcessMemoryCopy copied ? copied.CopiedBytes : new FileInfo(path).Length;
        Span<byte> word = stackalloc byte[8];
        foreach (var segment in heap.Segments)
        {
            var range = segment.ObjectRange;
            if (range.Length == 0)
                continue;
            if (range.Length > (ulong)dumpBytes)
                throw Damaged(path, $"its GC heap segment at 0x{range.Start:x} claims {range.Length:#,0} B of objects, more than the dump's {dumpBytes:#,0} B");
            if (reader.Read(range.Start, word[..reader.PointerSize]) < reader.PointerSize)
                throw Damaged(path, $"its GC heap segment at 0x{range.Start:x} cannot be read");
        }
    }

    private static InvalidOperationException Damaged(string path, string what) =>
        new($"the snapshot '{path}' is damaged or truncated: {what}. Take the dump again.");

    /// <summary>True when <paramref name="baseName"/> is among the base types of <paramref name="type"/> (full names).</summary>
    internal static bool DerivesFrom(ClrType type, string baseName)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.Name == baseName)
                return true;
        }
        return false;
    }
}

/// <summary>Totals of one type in one snapshot.</summary>
internal struct TypeTotals
{
    /// <summary>Live instances.</summary>
    public long Count;

    /// <summary>Their shallow bytes.</summary>
    public long Bytes;

    /// <summary>The method tables of this type name (more than one when loaded in several contexts).</summary>
    public ulong[] MethodTables;

    /// <summary>The type derives from <c>System.Runtime.InteropServices.SafeHandle</c> (owns a native resource).</summary>
    public bool IsSafeHandle;
}
