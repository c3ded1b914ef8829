using System.Runtime.InteropServices;

namespace LeakGuard.Sampling;

/// <summary>Platform calls used by the probes. None of them allocates on the managed heap.</summary>
internal static unsafe class NativeMethods
{
    // ---- Linux / glibc ----

    /// <summary><c>PR_SET_PTRACER</c> (Yama): lets the given process ptrace this one under <c>ptrace_scope</c> 1.</summary>
    internal const int PrSetPtracer = 0x59616d61;

    /// <summary><c>prctl(2)</c>; -1 with errno set on failure (<c>EINVAL</c> for <see cref="PrSetPtracer"/> where Yama is not built in).</summary>
    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    internal static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

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

    /// <summary>
    /// <c>HEAP_SUMMARY</c> (heapapi.h): <c>DWORD cb</c>, then four <c>SIZE_T</c>; on 64-bit <c>cbAllocated</c> is at
    /// offset 8 and the struct is 40 bytes. <c>cb</c> must be set to the struct's size before the call.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct HeapSummaryInfo
    {
        public uint Cb;
        public nuint CbAllocated,
            CbCommitted,
            CbReserved,
            CbMaxReserve;
    }

    /// <summary><c>BOOL GetProcessHandleCount(HANDLE hProcess, PDWORD pdwHandleCount)</c>: nonzero on success.</summary>
    [DllImport("kernel32.dll", SetLastError = true)]
    internal static extern int GetProcessHandleCount(nint process, out uint handleCount);

    /// <summary><c>HANDLE GetCurrentProcess(void)</c>: a pseudo-handle, nothing to close.</summary>
    [DllImport("kernel32.dll")]
    internal static extern nint GetCurrentProcess();

    /// <summary>
    /// <c>DWORD GetProcessHeaps(DWORD NumberOfHeaps, PHANDLE ProcessHeaps)</c>: the number of heaps of the process,
    /// which may exceed <paramref name="numberOfHeaps"/> (then only that many handles were written).
    /// </summary>
    [DllImport("kernel32.dll", SetLastError = true)]
    internal static extern uint GetProcessHeaps(uint numberOfHeaps, nint* heaps);

    /// <summary>
    /// <c>BOOL HeapSummary(HANDLE hHeap, DWORD dwFlags, LPHEAP_SUMMARY lpSummary)</c>: nonzero on success. Documented
    /// from Windows 10 build 20348 (Windows Server 2022) on; where kernel32 does not export it, the first read throws
    /// <see cref="EntryPointNotFoundException"/> and the probe is reported as not measured.
    /// </summary>
    [DllImport("kernel32.dll", SetLastError = true)]
    internal static extern int HeapSummary(nint heap, uint flags, HeapSummaryInfo* summary);

    // ---- macOS ----

    /// <summary>
    /// <c>malloc_statistics_t</c> (malloc/malloc.h): <c>unsigned blocks_in_use</c>, then three <c>size_t</c>;
    /// <c>size_in_use</c> is at offset 8 and the struct is 32 bytes on 64-bit.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MallocStatistics
    {
        public uint BlocksInUse;
        public nuint SizeInUse,
            MaxSizeInUse,
            SizeAllocated;
    }

    /// <summary>
    /// <c>struct proc_taskinfo</c> (sys/proc_info.h): six <c>uint64_t</c>, then twelve <c>int32_t</c>; 96 bytes,
    /// <c>pti_threadnum</c> at offset 84. Only <see cref="ThreadNum"/> is read.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ProcTaskInfo
    {
        public ulong VirtualSize,
            ResidentSize,
            TotalUser,
            TotalSystem,
            ThreadsUser,
            ThreadsSystem;
        public int Policy,
            Faults,
            Pageins,
            CowFaults,
            MessagesSent,
            MessagesReceived,
            SyscallsMach,
            SyscallsUnix,
            Csw,
            ThreadNum,
            NumRunning,
            Priority;
    }

    /// <summary><c>struct proc_fdinfo</c> (sys/proc_info.h): <c>int32_t proc_fd; uint32_t proc_fdtype;</c> — 8 bytes, one per open descriptor.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ProcFdInfo
    {
        public int Fd;
        public uint FdType;
    }

    /// <summary><c>void malloc_zone_statistics(malloc_zone_t *zone, malloc_statistics_t *stats)</c>; a null zone sums every registered zone.</summary>
    [DllImport("libSystem.dylib", EntryPoint = "malloc_zone_statistics")]
    internal static extern void MallocZoneStatistics(nint zone, MallocStatistics* statistics);

    /// <summary>
    /// <c>int proc_pidinfo(int pid, int flavor, uint64_t arg, void *buffer, int buffersize)</c>: the number of bytes
    /// written, or (for <see cref="ProcPidListFds"/> with a null buffer) an upper bound of the bytes needed; 0 or less on failure.
    /// </summary>
    [DllImport("libSystem.dylib", EntryPoint = "proc_pidinfo")]
    internal static extern int ProcPidInfo(int pid, int flavor, ulong arg, void* buffer, int bufferSize);

    /// <summary><c>PROC_PIDLISTFDS</c>: an array of <see cref="ProcFdInfo"/>, one per open descriptor.</summary>
    internal const int ProcPidListFds = 1;

    /// <summary><c>PROC_PIDTASKINFO</c>: one <see cref="ProcTaskInfo"/>.</summary>
    internal const int ProcPidTaskInfo = 4;
}
