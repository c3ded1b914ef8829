using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakGuard.Sampling;

/// <summary>
/// Reads one metric of the current process. A probe is created once per run and read at every sample point,
/// right after the forced GCs. Reading must not leave live objects on the managed heap or blocks on the native heap.
/// </summary>
internal abstract class MetricProbe
{
    /// <summary>The metric this probe reads.</summary>
    public abstract LeakMetric Metric { get; }

    /// <summary>Where the figure comes from, for the report (e.g. "glibc mallinfo2: uordblks + hblkhd").</summary>
    public abstract string Source { get; }

    /// <summary>False where the platform offers no way to read the metric; <see cref="Read"/> then returns NaN.</summary>
    public virtual bool IsMeasured => true;

    /// <summary>The current value, in bytes, handles or threads.</summary>
    public abstract double Read();

    /// <summary>The probes for this platform, one per <see cref="LeakMetric"/>, in enum order.</summary>
    public static MetricProbe[] CreateAll() => [new ManagedHeapProbe(), NativeHeapProbe.Create(), HandleProbe.Create(), ThreadProbe.Create()];

    /// <summary>
    /// <paramref name="probe"/> when a first read returns a number; otherwise an <see cref="UnmeasuredProbe"/> whose
    /// source says why, so that a report reads "not measured on this platform (…)" instead of the run failing.
    /// </summary>
    /// <remarks>
    /// Used for the Windows and macOS probes: an entry point missing from an older OS version
    /// (<see cref="EntryPointNotFoundException"/>), a library that does not load (<see cref="DllNotFoundException"/>),
    /// or a call the system refuses (NaN) then costs the metric, not the test. The Linux probes are not wrapped.
    /// </remarks>
    internal static MetricProbe Verified(MetricProbe probe)
    {
        try
        {
            return double.IsNaN(probe.Read()) ? new UnmeasuredProbe(probe.Metric, $"{probe.Source} returned no value") : probe;
        }
        catch (Exception e)
            when (e
                    is DllNotFoundException
                        or EntryPointNotFoundException
                        or BadImageFormatException
                        or System.ComponentModel.Win32Exception
                        or InvalidOperationException
                        or PlatformNotSupportedException
            )
        {
            return new UnmeasuredProbe(probe.Metric, $"{probe.Source} failed: {e.GetType().Name}");
        }
    }
}

/// <summary>
/// Managed heap bytes: live bytes at the end of the last full blocking GC, as that GC recorded them
/// (<see cref="GC.GetGCMemoryInfo(GCKind)"/>: the generations' <c>SizeAfterBytes</c> minus <c>FragmentationAfterBytes</c>).
/// </summary>
/// <remarks>
/// <see cref="GC.GetTotalMemory(bool)"/> read after the GC also counts the allocation context (about 8 KiB) that any
/// other thread takes when it allocates between the GC and the read (a runner's timer, say), which shows up as
/// ±8 KiB noise from sample to sample. The GC's own record of the collection is not raced by other threads.
/// </remarks>
internal sealed class ManagedHeapProbe : MetricProbe
{
    public override LeakMetric Metric => LeakMetric.ManagedHeap;
    public override string Source => "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Read()
    {
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        double live = 0;
        foreach (var generation in info.GenerationInfo)
            live += generation.SizeAfterBytes - generation.FragmentationAfterBytes;
        return live;
    }
}

/// <summary>A metric this platform cannot read: reported as "not measured on this platform".</summary>
internal sealed class UnmeasuredProbe(LeakMetric metric, string reason) : MetricProbe
{
    public override LeakMetric Metric => metric;
    public override string Source => reason;
    public override bool IsMeasured => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Read() => double.NaN;
}

/// <summary>Native heap bytes in use, from the platform's allocator statistics.</summary>
internal abstract unsafe class NativeHeapProbe : MetricProbe
{
    public override LeakMetric Metric => LeakMetric.NativeHeap;

    public static MetricProbe Create()
    {
        if (OperatingSystem.IsLinux())
        {
            if (TryGetLibcExport("mallinfo2", out var mallinfo2))
                return new Mallinfo2Probe(mallinfo2);
            if (TryGetLibcExport("mallinfo", out var mallinfo))
                return new MallinfoProbe(mallinfo);
            return new RssAnonProbe();
        }
        if (OperatingSystem.IsWindows())
            return Verified(new WindowsHeapProbe());
        if (OperatingSystem.IsMacOS())
            return Verified(new MacMallocZoneProbe());
        return new UnmeasuredProbe(LeakMetric.NativeHeap, "not measured on this platform");
    }

    private static bool TryGetLibcExport(string name, out nint address)
    {
        address = 0;
        foreach (var lib in (string[])["libc.so.6", "libc"])
        {
            if (NativeLibrary.TryLoad(lib, out var handle) && NativeLibrary.TryGetExport(handle, name, out address))
                return true;
        }
        return false;
    }

    private sealed class Mallinfo2Probe(nint function) : NativeHeapProbe
    {
        public override string Source => "glibc mallinfo2: uordblks + hblkhd";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            var info = ((delegate* unmanaged<NativeMethods.MallInfo2>)function)();
            return (double)info.Uordblks + info.Hblkhd;
        }
    }

    private sealed class MallinfoProbe(nint function) : NativeHeapProbe
    {
        public override string Source => "glibc mallinfo: uordblks + hblkhd (32-bit counters)";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            var info = ((delegate* unmanaged<NativeMethods.MallInfo>)function)();
            return (double)(uint)info.Uordblks + (uint)info.Hblkhd;
        }
    }

    /// <summary>Fallback for Linux without glibc (musl): anonymous resident memory minus the managed heap; page-granular.</summary>
    private sealed class RssAnonProbe : NativeHeapProbe
    {
        public override string Source => "/proc/self/status RssAnon minus GC committed bytes (no mallinfo2: page-granular, noisier)";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            var kib = ProcFs.ReadStatusField("RssAnon:");
            return kib < 0 ? double.NaN : kib * 1024.0 - GC.GetGCMemoryInfo().TotalCommittedBytes;
        }
    }

    private sealed class WindowsHeapProbe : NativeHeapProbe
    {
        public override string Source => "Windows HeapSummary over GetProcessHeaps: cbAllocated";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            const int MaxHeaps = 256;
            var heaps = stackalloc nint[MaxHeaps];
            var count = Math.Min(NativeMethods.GetProcessHeaps(MaxHeaps, heaps), MaxHeaps);
            double total = 0;
            var summarized = 0;
            for (var i = 0; i < count; i++)
            {
                NativeMethods.HeapSummaryInfo summary = default;
                summary.Cb = (uint)sizeof(NativeMethods.HeapSummaryInfo);
                if (NativeMethods.HeapSummary(heaps[i], 0, &summary) != 0)
                {
                    total += summary.CbAllocated;
                    summarized++;
                }
            }
            // No heap listed or none summarized: unreadable, not 0 bytes.
            return summarized == 0 ? double.NaN : total;
        }
    }

    private sealed class MacMallocZoneProbe : NativeHeapProbe
    {
        public override string Source => "macOS malloc_zone_statistics (all zones): size_in_use";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            NativeMethods.MallocStatistics stats = default;
            NativeMethods.MallocZoneStatistics(0, &stats);
            return stats.SizeInUse;
        }
    }
}

/// <summary>Open OS handles.</summary>
internal abstract unsafe class HandleProbe : MetricProbe
{
    public override LeakMetric Metric => LeakMetric.Handles;

    public static MetricProbe Create()
    {
        if (OperatingSystem.IsLinux() && IntPtr.Size == 8 && Directory.Exists("/proc/self/fd"))
            return new ProcFdProbe();
        if (OperatingSystem.IsWindows())
            return Verified(new WindowsHandleProbe());
        if (OperatingSystem.IsMacOS())
            return Verified(new MacFdProbe());
        return new UnmeasuredProbe(LeakMetric.Handles, "not measured on this platform");
    }

    private sealed class ProcFdProbe : HandleProbe
    {
        public override string Source => "entries of /proc/self/fd";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read() => ProcFs.CountEntries("/proc/self/fd");
    }

    private sealed class WindowsHandleProbe : HandleProbe
    {
        public override string Source => "Windows GetProcessHandleCount";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read() => NativeMethods.GetProcessHandleCount(NativeMethods.GetCurrentProcess(), out var count) != 0 ? count : double.NaN;
    }

    private sealed class MacFdProbe : HandleProbe
    {
        public override string Source => "macOS proc_pidinfo(PROC_PIDLISTFDS)";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            var bytes = NativeMethods.ProcPidInfo(Environment.ProcessId, NativeMethods.ProcPidListFds, 0, null, 0);
            if (bytes <= 0)
                return double.NaN;
            // The first call returns an upper bound; a second call into a buffer returns the exact size.
            var buffer = NativeMemory.Alloc((nuint)bytes);
            try
            {
                var used = NativeMethods.ProcPidInfo(Environment.ProcessId, NativeMethods.ProcPidListFds, 0, buffer, bytes);
                return used <= 0 ? double.NaN : used / sizeof(NativeMethods.ProcFdInfo);
            }
            finally
            {
                NativeMemory.Free(buffer);
            }
        }
    }
}

/// <summary>OS threads of the process.</summary>
internal abstract unsafe class ThreadProbe : MetricProbe
{
    public override LeakMetric Metric => LeakMetric.Threads;

    public static MetricProbe Create()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/self/status"))
            return new ProcStatusProbe();
        if (OperatingSystem.IsMacOS())
            return Verified(new MacTaskInfoProbe());
        if (OperatingSystem.IsWindows())
            return Verified(new ProcessThreadsProbe());
        return new ProcessThreadsProbe();
    }

    private sealed class ProcStatusProbe : ThreadProbe
    {
        public override string Source => "/proc/self/status Threads";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read() => ProcFs.ReadStatusField("Threads:");
    }

    private sealed class MacTaskInfoProbe : ThreadProbe
    {
        public override string Source => "macOS proc_pidinfo(PROC_PIDTASKINFO): pti_threadnum";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            NativeMethods.ProcTaskInfo info = default;
            var size = NativeMethods.ProcPidInfo(Environment.ProcessId, NativeMethods.ProcPidTaskInfo, 0, &info, sizeof(NativeMethods.ProcTaskInfo));
            return size < sizeof(NativeMethods.ProcTaskInfo) ? double.NaN : info.ThreadNum;
        }
    }

    private sealed class ProcessThreadsProbe : ThreadProbe
    {
        public override string Source => "Process.Threads.Count";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override double Read()
        {
            using var process = Process.GetCurrentProcess();
            return process.Threads.Count;
        }
    }
}

/// <summary>
/// Readers of Linux /proc files through libc with stack buffers: no managed allocation at all, not even a pooled
/// buffer (a buffer rented from ArrayPool and returned stays alive in a thread's pool slot and shows up as
/// ±8 KiB of managed heap noise from sample to sample).
/// </summary>
internal static unsafe class ProcFs
{
    /// <summary>Counts the entries of a directory (e.g. /proc/self/fd), "." and ".." excluded; the directory's own
    /// descriptor is included, consistently. NaN when the directory cannot be opened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CountEntries(string path)
    {
        var pathBytes = stackalloc byte[256];
        if (!ToNullTerminated(path, pathBytes, 256))
            return double.NaN;
        var dir = NativeMethods.OpenDir(pathBytes);
        if (dir == 0)
            return double.NaN;
        try
        {
            var count = 0;
            byte* entry;
            while ((entry = NativeMethods.ReadDir(dir)) != null)
            {
                var name = entry + NativeMethods.DirentNameOffset;
                var isDot = name[0] == (byte)'.' && (name[1] == 0 || (name[1] == (byte)'.' && name[2] == 0));
                if (!isDot)
                    count++;
            }
            return count;
        }
        finally
        {
            NativeMethods.CloseDir(dir);
        }
    }

    /// <summary>The number after <paramref name="field"/> (e.g. "Threads:") in /proc/self/status; -1 if absent or unreadable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ReadStatusField(string field)
    {
        const int Size = 8192;
        var buffer = stackalloc byte[Size];
        var path = stackalloc byte[32];
        ToNullTerminated("/proc/self/status", path, 32);
        var fd = NativeMethods.Open(
            path,
            0 /* O_RDONLY */
        );
        if (fd < 0)
            return -1;
        long length = 0;
        try
        {
            nint read;
            while (length < Size && (read = NativeMethods.Read(fd, buffer + length, (nint)(Size - length))) > 0)
                length += read;
        }
        finally
        {
            NativeMethods.Close(fd);
        }
        return ParseField(new ReadOnlySpan<byte>(buffer, (int)length), field);
    }

    /// <summary>Finds a line starting with <paramref name="field"/> and parses the integer after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double ParseField(ReadOnlySpan<byte> text, string field)
    {
        var position = 0;
        while (position < text.Length)
        {
            var line = text[position..];
            var end = line.IndexOf((byte)'\n');
            if (end >= 0)
                line = line[..end];
            if (StartsWith(line, field))
            {
                long value = 0;
                var digits = 0;
                foreach (var b in line[field.Length..])
                {
                    if (b is >= (byte)'0' and <= (byte)'9')
                    {
                        value = value * 10 + (b - '0');
                        digits++;
                    }
                    else if (digits > 0)
                    {
                        break;
                    }
                }
                return digits > 0 ? value : -1;
            }
            if (end < 0)
                break;
            position += end + 1;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool StartsWith(ReadOnlySpan<byte> line, string prefix)
    {
        if (line.Length < prefix.Length)
            return false;
        for (var i = 0; i < prefix.Length; i++)
        {
            if (line[i] != prefix[i])
                return false;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ToNullTerminated(string text, byte* buffer, int capacity)
    {
        if (text.Length + 1 > capacity)
            return false;
        for (var i = 0; i < text.Length; i++)
            buffer[i] = (byte)text[i];
        buffer[text.Length] = 0;
        return true;
    }
}
