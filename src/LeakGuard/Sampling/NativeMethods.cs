using System.Runtime.InteropServices;

namespace LeakGuard.Sampling;

/// <summary>Platform calls used by the probes. None of them allocates on the managed heap.</summary>
internal static unsafe class NativeMethods
{
    // ---- Linux / glibc ----

    /// <summary>glibc's <c>struct mallinfo2</c> (glibc 2.33+): ten <c>size_t</c> fields.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MallInfo2
    {
        public nuint Arena,
            Ordblks,
            Smblks,
            Hblks,
            Hblkhd,
            Usmblks,
            Fsmblks,
            Uordblks,
            Fordblks,
            Keepcost;
    }

    /// <summary>glibc's older <c>struct mallinfo</c>: ten <c>int</c> fields that wrap above 2 GiB.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MallInfo
    {
        public int Arena,
            Ordblks,
            Smblks,
            Hblks,
            Hblkhd,
            Usmblks,
            Fsmblks,
            Uordblks,
            Fordblks,
            Keepcost;
    }

    [DllImport("libc", EntryPoint = "opendir", SetLastError = true)]
    internal static extern nint OpenDir(byte* path);

    [DllImport("libc", EntryPoint = "readdir")]
    internal static extern byte* ReadDir(nint dir);

    [DllImport("libc", EntryPoint = "closedir")]
    internal static extern int CloseDir(nint dir);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    internal static extern int Open(byte* path, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static extern nint Read(int fd, byte* buffer, nint count);

    [DllImport("libc", EntryPoint = "close")]
    internal static extern int Close(int fd);

    /// <summary>Offset of <c>d_name</c> in <c>struct dirent</c> on 64-bit Linux (glibc and musl): d_ino, d_off, d_reclen, d_type.</summary>
    internal const int DirentNameOffset = 19;

    // ---- Windows ----

    [StructLayout(LayoutKind.Sequential)]
    internal struct HeapSummaryInfo
    {
        public uint Cb;
        public nuint CbAllocated,
            CbCommitted,
            CbReserved,
            CbMaxReserve;
    }

    [DllImport("kernel32.dll", SetLastError = true)]
    internal static extern int GetProcessHandleCount(nint process, out uint handleCount);

    [DllImport("kernel32.dll")]
    internal static extern nint GetCurrentProcess();

    [DllImport("kernel32.dll", SetLastError = true)]
    internal static extern uint GetProcessHeaps(uint numberOfHeaps, nint* heaps);

    [DllImport("kernel32.dll", SetLastError = true)]
    internal static extern int HeapSummary(nint heap, uint flags, HeapSummaryInfo* summary);

    // ---- macOS ----

    [StructLayout(LayoutKind.Sequential)]
    internal struct MallocStatistics
    {
        public uint BlocksInUse;
        public nuint SizeInUse,
            MaxSizeInUse,
            SizeAllocated;
    }

    [DllImport("libSystem.dylib", EntryPoint = "malloc_zone_statistics")]
    internal static extern void MallocZoneStatistics(nint zone, MallocStatistics* statistics);

    [DllImport("libSystem.dylib", EntryPoint = "proc_pidinfo")]
    internal static extern int ProcPidInfo(int pid, int flavor, ulong arg, void* buffer, int bufferSize);

    internal const int ProcPidListFds = 1;
    internal const int ProcPidTaskInfo = 4;
    internal const int ProcFdInfoSize = 8; // struct proc_fdinfo { int32 fd; uint32 type; }
    internal const int ProcTaskInfoSize = 96; // struct proc_taskinfo
    internal const int ProcTaskInfoThreadNumOffset = 84; // int32 pti_threadnum
}
