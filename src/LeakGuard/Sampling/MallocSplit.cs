using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakGuard.Sampling;

/// <summary>
/// glibc's malloc statistics split by where the bytes live, read at the first and at the last sample of a run for
/// <see cref="NativeAttribution"/>. The native probe reads the sum of the first two.
/// </summary>
/// <param name="ArenaBytes">Bytes in use in malloc's arenas, main (brk heap) and others (<c>uordblks</c>).</param>
/// <param name="MmappedBytes">Bytes in chunks malloc mapped one by one with mmap: large allocations (<c>hblkhd</c>).</param>
/// <param name="ArenaSystemBytes">Bytes the arenas took from the system, in use or free (<c>arena</c>).</param>
internal readonly record struct MallocSplit(long ArenaBytes, long MmappedBytes, long ArenaSystemBytes);

/// <summary>
/// Reads <see cref="MallocSplit"/> through glibc's <c>mallinfo2</c> (2.33+) or, on older glibc, <c>mallinfo</c>
/// (32-bit counters that wrap above 2 GiB). No managed allocation: a function pointer call returning a struct.
/// </summary>
internal static unsafe class GlibcMalloc
{
    private static readonly nint Mallinfo2 = Resolve("mallinfo2");
    private static readonly nint Mallinfo = Mallinfo2 == 0 ? Resolve("mallinfo") : 0;

    /// <summary>The function the split comes from (its fields: <c>uordblks</c>, <c>hblkhd</c>), or null when this C
    /// library has neither (musl, not Linux).</summary>
    public static string? Source =>
        Mallinfo2 != 0 ? "glibc mallinfo2"
        : Mallinfo != 0 ? "glibc mallinfo, 32-bit counters"
        : null;

    /// <summary>Reads the split; false when the C library offers no mallinfo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(out MallocSplit split)
    {
        if (Mallinfo2 != 0)
        {
            var info = ((delegate* unmanaged<NativeMethods.MallInfo2>)Mallinfo2)();
            split = new MallocSplit((long)info.Uordblks, (long)info.Hblkhd, (long)info.Arena);
            return true;
        }
        if (Mallinfo != 0)
        {
            var info = ((delegate* unmanaged<NativeMethods.MallInfo>)Mallinfo)();
            split = new MallocSplit((uint)info.Uordblks, (uint)info.Hblkhd, (uint)info.Arena);
            return true;
        }
        split = default;
        return false;
    }

    private static nint Resolve(string name)
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        foreach (var lib in (string[])["libc.so.6", "libc"])
        {
            if (NativeLibrary.TryLoad(lib, out var handle) && NativeLibrary.TryGetExport(handle, name, out var address))
                return address;
        }
        return 0;
    }
}
