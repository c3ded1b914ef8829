using System.Diagnostics;
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
    public static MetricProbe[] CreateAll() =>
    [
        new ManagedHeapProbe(),
        NativeHeapProbe.Create(),
        HandleProbe.Create(),
        ThreadProbe.Create(),
    ];
}

/// <summary>Managed heap bytes: <see cref="GC.GetTotalMemory(bool)"/> without forcing, read right after the full GCs.</summary>
internal sealed class ManagedHeapProbe : MetricProbe
{
    public override LeakMetric Metric => LeakMetric.ManagedHeap;
    public override string Source => "GC.GetTotalMemory after full blocking compacting GC + finalizers + GC";
    public override double Read() => GC.GetTotalMemory(forceFullCollection: false);
}

/// <summary>A metric this platform cannot read: reported as "not measured on this platform".</summary>
internal sealed class UnmeasuredProbe(LeakMetric metric, string reason) : MetricProbe
{
    public override LeakMetric Metric => metric;
    public override string Source => reason;
    public override bool IsMeasured => false;
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
            return new WindowsHeapProbe();
        if (OperatingSystem.IsMacOS())
            return new MacMallocZoneProbe();
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
        public override double Read()
        {
            var info = ((delegate* unmanaged<NativeMethods.MallInfo2>)function)();
            return (double)info.Uordblks + info.Hblkhd;
        }
    }

    private sealed class MallinfoProbe(nint function) : NativeHeapProbe
    {
        public override string Source => "glibc mallinfo: uordblks + hblkhd (32-bit counters)";
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
        public override double Read()
        {
            var kib = ProcFs.ReadStatusField("RssAnon:");
            return kib < 0 ? double.NaN : kib * 1024.0 - GC.GetGCMemoryInfo().TotalCommittedBytes;
        }
    }

    private sealed class WindowsHeapProbe : NativeHeapProbe
    {
        public override string Source => "Windows HeapSummary over GetProcessHeaps: cbAllocated";
        public override double Read()
        {
            const int MaxHeaps = 256;
            var heaps = stackalloc nint[MaxHeaps];
            var count = Math.Min(NativeMethods.GetProcessHeaps(MaxHeaps, heaps), MaxHeaps);
            double total = 0;
            for (var i = 0; i < count; i++)
            {
                NativeMethods.HeapSummaryInfo summary = default;
                summary.Cb = (uint)sizeof(NativeMethods.HeapSummaryInfo);
                if (NativeMethods.HeapSummary(heaps[i], 0, &summary) != 0)
                    total += summary.CbAllocated;
            }
            return total;
        }
    }

    private sealed class MacMallocZoneProbe : NativeHeapProbe
    {
        public override string Source => "macOS malloc_zone_statistics (all zones): size_in_use";
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
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd"))
            return new ProcFdProbe();
        if (OperatingSystem.IsWindows())
            return new WindowsHandleProbe();
        if (OperatingSystem.IsMacOS())
            return new MacFdProbe();
        return new UnmeasuredProbe(LeakMetric.Handles, "not measured on this platform");
    }

    private sealed class ProcFdProbe : HandleProbe
    {
        public override string Source => "entries of /proc/self/fd";
        public override double Read() => ProcFs.CountEntries("/proc/self/fd");
    }

    private sealed class WindowsHandleProbe : HandleProbe
    {
        public override string Source => "Windows GetProcessHandleCount";
        public override double Read() =>
            NativeMethods.GetProcessHandleCount(NativeMethods.GetCurrentProcess(), out var count) != 0 ? count : double.NaN;
    }

    private sealed class MacFdProbe : HandleProbe
    {
        public override string Source => "macOS proc_pidinfo(PROC_PIDLISTFDS)";
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
                return used <= 0 ? double.NaN : used / NativeMethods.ProcFdInfoSize;
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
            return new MacTaskInfoProbe();
        return new ProcessThreadsProbe();
    }

    private sealed class ProcStatusProbe : ThreadProbe
    {
        public override string Source => "/proc/self/status Threads";
        public override double Read() => ProcFs.ReadStatusField("Threads:");
    }

    private sealed class MacTaskInfoProbe : ThreadProbe
    {
        public override string Source => "macOS proc_pidinfo(PROC_PIDTASKINFO): pti_threadnum";
        public override double Read()
        {
            var info = stackalloc byte[NativeMethods.ProcTaskInfoSize];
            var size = NativeMethods.ProcPidInfo(Environment.ProcessId, NativeMethods.ProcPidTaskInfo, 0, info, NativeMethods.ProcTaskInfoSize);
            return size < NativeMethods.ProcTaskInfoSize ? double.NaN : *(int*)(info + NativeMethods.ProcTaskInfoThreadNumOffset);
        }
    }

    private sealed class ProcessThreadsProbe : ThreadProbe
    {
        public override string Source => "Process.Threads.Count";
        public override double Read()
        {
            using var process = Process.GetCurrentProcess();
            return process.Threads.Count;
        }
    }
}

/// <summary>Small readers of Linux /proc files that leave nothing alive behind.</summary>
internal static class ProcFs
{
    /// <summary>Counts the entries of a directory (e.g. /proc/self/fd); the directory's own descriptor is included, consistently.</summary>
    public static double CountEntries(string path)
    {
        var count = 0;
        foreach (var _ in Directory.EnumerateFileSystemEntries(path))
            count++;
        return count;
    }

    /// <summary>The number after <paramref name="field"/> in /proc/self/status, or -1 if absent.</summary>
    public static double ReadStatusField(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var span = line.AsSpan(field.Length).Trim();
                var end = span.IndexOf(' ');
                if (end >= 0)
                    span = span[..end];
                return double.TryParse(span, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1;
            }
        }
        return -1;
    }
}
