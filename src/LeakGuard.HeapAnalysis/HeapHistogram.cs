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
    /// <exception cref="InvalidOperationException">The heap cannot be walked.</exception>
    public static HeapHistogram Read(ClrHeap heap, CancellationToken cancellationToken = default)
    {
        if (!heap.CanWalkHeap)
            throw new InvalidOperationException("the heap in the snapshot cannot be walked (the dump was taken in the middle of a GC?)");
        var byMethodTable = new Dictionary<ulong, (ClrType Type, TypeTotals Totals)>();
        long total = 0,
            objects = 0;
        foreach (var obj in heap.EnumerateObjects())
        {
            if ((objects & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (!obj.IsValid || obj.IsFree || obj.Type is not { } type)
                continue;
            var size = (long)obj.Size;
            total += size;
            objects++;
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byMethodTable, type.MethodTable, out var exists);
            if (!exists)
                entry.Type = type;
            entry.Totals.Count++;
            entry.Totals.Bytes += size;
        }
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
