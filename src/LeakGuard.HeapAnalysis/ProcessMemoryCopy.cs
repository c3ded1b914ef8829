using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;
using Microsoft.Diagnostics.Runtime.DataReaders.Implementation;

namespace LeakGuard.HeapAnalysis;

/// <summary>
/// A heap snapshot without a dump: every readable mapping of a stopped process copied into this process's memory in
/// bulk, with its threads' registers, so that ClrMD reads the copy (through <see cref="IDataReader"/>) while the
/// process runs on. Linux, 64-bit only.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Take"/> stops every thread of the target with ClrMD's live reader
/// (<see cref="DataTarget.AttachToProcess(int, bool, DataTargetOptions?)"/> with <c>suspend: true</c>: ptrace), reads
/// their registers, copies each readable mapping of <c>/proc/PID/maps</c> with one <c>process_vm_readv</c> call, and
/// lets the threads go. The target is stopped only for the copy: at 10M live objects (a 600 MiB address space) about
/// one full GC's time (0.1-0.17 s for 545 MiB), where <c>createdump</c> takes six to nine (docs/performance.md B). What ClrMD later reads
/// comes from the copy, so the copy is as consistent as a dump taken at that moment.
/// </para>
/// <para>
/// Needs ptrace access to the target: the same user and a Yama <c>ptrace_scope</c> that allows it (0, or 1 when the
/// target has named this process its tracer with <c>prctl(PR_SET_PTRACER)</c>). The copy holds about as many bytes of
/// this process's native memory as the dump would have on disk; <see cref="Dispose"/> frees them.
/// </para>
/// </remarks>
internal sealed unsafe class ProcessMemoryCopy : IDataReader, IThreadReader, IDisposable
{
    /// <summary>Room for any architecture's thread context (AMD64's CONTEXT is 1,232 bytes).</summary>
    private const int ContextBytes = 4096;

    /// <summary>ClrMD's flags for a full AMD64/ARM64 context: its live reader copies every register whatever is asked.</summary>
    private const uint FullContext = 0x10001F;

    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly nint[] _memory;
    private readonly Arena? _arena;
    private Action<Arena>? _returnArena;
    private readonly Dictionary<uint, byte[]> _contexts;
    private readonly List<(ulong Start, string Path)> _images;
    private ModuleInfo[] _modules = [];
    private bool _disposed;

    private ProcessMemoryCopy(
        int processId,
        List<(ulong Start, ulong End, nint Memory)> ranges,
        Dictionary<uint, byte[]> contexts,
        List<(ulong, string)> images,
        Arena? arena
    )
    {
        ProcessId = processId;
        _arena = arena;
        _starts = ranges.Select(r => r.Start).ToArray();
        _ends = ranges.Select(r => r.End).ToArray();
        _memory = ranges.Select(r => r.Memory).ToArray();
        _contexts = contexts;
        _images = images;
        CopiedBytes = ranges.Sum(r => (long)(r.End - r.Start));
    }

    /// <summary>Whether this platform can take a copy: Linux, a 64-bit process.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Bytes copied from the target (the sum of its readable mappings).</summary>
    public long CopiedBytes { get; }

    /// <summary>Threads of the target whose registers were copied.</summary>
    public int ThreadCount => _contexts.Count;

    /// <summary>How long the target's threads were stopped.</summary>
    public TimeSpan Pause { get; private init; }

    /// <summary>Stops process <paramref name="processId"/>, copies its readable memory and its threads' registers, and lets it run on.</summary>
    /// <param name="processId">The process to copy.</param>
    /// <param name="arena">
    /// Memory prepared for the copy before the process is stopped (<see cref="Arena.TryPrepare"/>), so that the pause
    /// does not include the first touch of every page; the copy owns it from here. Null: memory is allocated while the
    /// process is stopped.
    /// </param>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or a 32-bit process (<see cref="IsSupported"/>).</exception>
    /// <exception cref="ClrDiagnosticsException">No thread of the target could be stopped (no ptrace access, or it has exited).</exception>
    /// <exception cref="IOException">The target's <c>/proc</c> entries could not be read (it has exited).</exception>
    public static ProcessMemoryCopy Take(int processId, Arena? arena = null)
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("a copy of a process's memory is taken on Linux, by a 64-bit process, only");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ranges = new List<(ulong Start, ulong End, nint Memory)>();
        var contexts = new Dictionary<uint, byte[]>();
        var images = new List<(ulong, string)>();
        try
        {
            using (var live = DataTarget.AttachToProcess(processId, suspend: true))
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var line in File.ReadLines($"/proc/{processId}/maps"))
                {
                    if (!TryParseMapping(line, out var start, out var end, out var readable, out var path))
                        continue;
                    // A module's base is its first mapping (ClrMD's live reader does the same).
                    if (path.Length > 0 && path[0] == '/' && seen.Add(path))
                        images.Add((start, path));
                    if (readable && !IsSpecial(path) && Copy(processId, start, end, arena) is { } copied)
                        ranges.Add(copied);
                }
                var buffer = new byte[ContextBytes];
                foreach (var thread in ((IThreadReader)live.DataReader).EnumerateOSThreadIds())
                {
                    Array.Clear(buffer);
                    if (live.DataReader.GetThreadContext(thread, FullContext, buffer))
                        contexts[thread] = (byte[])buffer.Clone();
                }
            }
        }
        catch
        {
            foreach (var range in ranges)
            {
                if (arena?.Holds(range.Memory) != true)
                    NativeMemory.Free((void*)range.Memory);
            }
            arena?.Dispose();
            throw;
        }
        var pause = clock.Elapsed;
        arena?.TrimUnused();
        var copy = new ProcessMemoryCopy(processId, ranges, contexts, images, arena) { Pause = pause };
        copy._modules = copy.CreateModules();
        return copy;
    }

    /// <summary>One line of <c>/proc/PID/maps</c>: <c>start-end perms offset dev inode [path]</c>.</summary>
    internal static bool TryParseMapping(string line, out ulong start, out ulong end, out bool readable, out string path)
    {
        start = end = 0;
        readable = false;
        path = "";
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5)
            return false;
        var dash = fields[0].IndexOf('-', StringComparison.Ordinal);
        if (
            dash <= 0
            || !ulong.TryParse(fields[0].AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out start)
            || !ulong.TryParse(fields[0].AsSpan(dash + 1), System.Globalization.NumberStyles.HexNumber, null, out end)
            || end <= start
        )
            return false;
        readable = fields[1].Length > 0 && fields[1][0] == 'r';
        path = fields.Length == 6 ? fields[5].Trim() : "";
        return true;
    }

    /// <summary>Kernel pages whose reads fail or mean nothing in a copy (<c>[vvar]</c>, <c>[vsyscall]</c>) and device mappings.</summary>
    private static bool IsSpecial(string path) =>
        path.StartsWith("[vvar", StringComparison.Ordinal) || path == "[vsyscall]" || path.StartsWith("/dev/", StringComparison.Ordinal);

    /// <summary>Copies <c>[start, end)</c> of the target; what could be read, or null when nothing could.</summary>
    private static (ulong Start, ulong End, nint Memory)? Copy(int processId, ulong start, ulong end, Arena? arena)
    {
        var length = end - start;
        var fromArena = arena?.TryTake(length) ?? 0;
        var memory = fromArena != 0 ? (byte*)fromArena : (byte*)NativeMemory.Alloc((nuint)length);
        var local = new IoVector { Base = memory, Length = (nint)length };
        var remote = new IoVector { Base = (void*)start, Length = (nint)length };
        var read = process_vm_readv(processId, &local, 1, &remote, 1, 0);
        if (read <= 0)
        {
            if (fromArena == 0)
                NativeMemory.Free(memory);
            return null;
        }
        // A partial read stops at the first page that could not be read: the rest is left out.
        return (start, start + (ulong)read, (nint)memory);
    }

    private ModuleInfo[] CreateModules()
    {
        var modules = new List<ModuleInfo>();
        foreach (var (start, path) in _images)
        {
            // Not every mapped file is a module (the runtime's double-mapped code, ICU data): those come back null.
            if (ModuleInfo.TryCreate(this, start, path) is { } module)
                modules.Add(module);
        }
        return modules.ToArray();
    }

    /// <inheritdoc/>
    public string DisplayName => $"copy of the memory of process {ProcessId}";

    /// <inheritdoc/>
    public bool IsThreadSafe => true;

    /// <inheritdoc/>
    public OSPlatform TargetPlatform => OSPlatform.Linux;

    /// <inheritdoc/>
    public Architecture Architecture => RuntimeInformation.ProcessArchitecture;

    /// <inheritdoc/>
    public int ProcessId { get; }

    /// <inheritdoc/>
    public int PointerSize => IntPtr.Size;

    /// <inheritdoc/>
    public IEnumerable<ModuleInfo> EnumerateModules() => _modules;

    /// <inheritdoc/>
    public bool GetThreadContext(uint threadID, uint contextFlags, Span<byte> context)
    {
        if (!_contexts.TryGetValue(threadID, out var saved))
            return false;
        saved.AsSpan(0, Math.Min(saved.Length, context.Length)).CopyTo(context);
        return true;
    }

    /// <inheritdoc/>
    public void FlushCachedData() { }

    /// <inheritdoc/>
    public IEnumerable<uint> EnumerateOSThreadIds() => _contexts.Keys;

    /// <inheritdoc/>
    public ulong GetThreadTeb(uint osThreadId) => 0;

    /// <summary>The copied bytes at <c>[address, address + length)</c>, when they lie in one copied mapping; null otherwise.</summary>
    internal byte* TryGetMemory(ulong address, ulong length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var i = Array.BinarySearch(_starts, address);
        if (i < 0)
            i = ~i - 1;
        if (i < 0 || address + length > _ends[i] || address + length < address)
            return null;
        return (byte*)_memory[i] + (address - _starts[i]);
    }

    /// <inheritdoc/>
    public int Read(ulong address, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var i = Array.BinarySearch(_starts, address);
        if (i < 0)
            i = ~i - 1;
        var done = 0;
        // A read may run across adjacent mappings; it stops at the first byte that was not copied.
        while (done < buffer.Length && i >= 0 && i < _starts.Length)
        {
            var at = address + (ulong)done;
            if (at < _starts[i] || at >= _ends[i])
                break;
            var take = (int)Math.Min((ulong)(buffer.Length - done), _ends[i] - at);
            new ReadOnlySpan<byte>((byte*)_memory[i] + (at - _starts[i]), take).CopyTo(buffer[done..]);
            done += take;
            i++;
        }
        return done;
    }

    /// <inheritdoc/>
    public bool Read<T>(ulong address, out T value)
        where T : unmanaged
    {
        T read = default;
        var complete = Read(address, new Span<byte>(&read, sizeof(T))) == sizeof(T);
        value = complete ? read : default;
        return complete;
    }

    /// <inheritdoc/>
    public T Read<T>(ulong address)
        where T : unmanaged
    {
        Read(address, out T value);
        return value;
    }

    /// <inheritdoc/>
    public bool ReadPointer(ulong address, out ulong value) => Read(address, out value);

    /// <inheritdoc/>
    public ulong ReadPointer(ulong address)
    {
        Read(address, out ulong value);
        return value;
    }

    /// <summary>
    /// Has <see cref="Dispose"/> hand the copy's arena to <paramref name="returnArena"/> (emptied, still mapped and
    /// populated) instead of unmapping it, for the next copy to reuse.
    /// </summary>
    public void ReturnArenaTo(Action<Arena> returnArena) => _returnArena = returnArena;

    /// <summary>Frees the copy; ClrMD's <see cref="DataTarget"/> calls this when it is disposed, and a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var memory in _memory)
        {
            if (_arena?.Holds(memory) != true)
                NativeMemory.Free((void*)memory);
        }
        if (_arena is not null && _returnArena is not null)
            _returnArena(_arena.Emptied());
        else
            _arena?.Dispose();
    }

    /// <summary>
    /// Anonymous memory mapped and populated (<c>MAP_POPULATE</c>) ahead of a copy, handed out in order; what is left
    /// after the copy is unmapped. Populating 600 MiB takes about as long as copying it: done before the target is
    /// stopped, it is not part of the pause.
    /// </summary>
    internal sealed class Arena : IDisposable
    {
        private const int ProtReadWrite = 0x3;
        private const int MapPrivateAnonymousPopulate = 0x02 | 0x20 | 0x8000;
        private const ulong Page = 4096;

        private readonly nint _base;
        private ulong _size;
        private ulong _used;
        private bool _disposed;

        private Arena(nint start, ulong size)
        {
            _base = start;
            _size = size;
        }

        /// <summary>
        /// Maps <paramref name="bytes"/> (rounded up to pages) of populated memory; null when it cannot (not Linux, or
        /// no memory: the copy then allocates as it goes).
        /// </summary>
        public static Arena? TryPrepare(long bytes)
        {
            if (!IsSupported || bytes <= 0)
                return null;
            var size = ((ulong)bytes + Page - 1) & ~(Page - 1);
            var start = mmap(0, (nuint)size, ProtReadWrite, MapPrivateAnonymousPopulate, -1, 0);
            return start == -1 ? null : new Arena(start, size);
        }

        /// <summary>The bytes of <paramref name="pid"/>'s readable mappings now, plus 64 MiB of room for growth: the size to prepare for its next copy.</summary>
        public static long Estimate(int pid)
        {
            long total = 64L * 1024 * 1024;
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
                {
                    if (TryParseMapping(line, out var start, out var end, out var readable, out var path) && readable && !IsSpecial(path))
                        total += (long)(end - start);
                }
            }
            catch (IOException)
            {
                return 0;
            }
            return total;
        }

        /// <summary>The next <paramref name="length"/> bytes (8-byte aligned), or 0 when the arena has no room for them.</summary>
        public nint TryTake(ulong length)
        {
            var aligned = (length + 7) & ~7UL;
            if (_disposed || _used + aligned > _size)
                return 0;
            var at = _base + (nint)_used;
            _used += aligned;
            return at;
        }

        public bool Holds(nint memory) => memory >= _base && (ulong)(memory - _base) < _size;

        /// <summary>This arena, with all of its memory free to be handed out again.</summary>
        public Arena Emptied()
        {
            _used = 0;
            return this;
        }

        /// <summary>Unmaps the pages after the last one handed out.</summary>
        public void TrimUnused()
        {
            var keep = (_used + Page - 1) & ~(Page - 1);
            if (keep < _size && munmap(_base + (nint)keep, (nuint)(_size - keep)) == 0)
                _size = keep;
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            if (_size > 0)
                munmap(_base, (nuint)_size);
        }

        [DllImport("libc", SetLastError = true)]
        private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        private static extern int munmap(nint address, nuint length);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nint Length;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint process_vm_readv(int pid, IoVector* local, nuint localCount, IoVector* remote, nuint remoteCount, nuint flags);
}
