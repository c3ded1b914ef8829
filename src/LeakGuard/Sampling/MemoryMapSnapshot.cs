using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace LeakGuard.Sampling;

/// <summary>What a mapping of the process's address space holds, as far as <c>/proc/self/smaps</c> tells.</summary>
internal enum MappingCategory
{
    /// <summary><c>[heap]</c>: the brk heap, which holds glibc malloc's main arena.</summary>
    Heap,

    /// <summary>glibc's other arenas: labelled <c>[anon: glibc: malloc arena]</c>, or (heuristic) an anonymous
    /// read-write mapping at a 64 MiB-aligned address that, with the no-access reserve after it, spans exactly 64 MiB.</summary>
    MallocArenas,

    /// <summary>Chunks malloc mapped one by one; only recognisable when glibc labels them (<c>[anon: glibc: malloc]</c>,
    /// <c>GLIBC_TUNABLES=glibc.mem.decorate_maps=1</c>, glibc 2.39+); otherwise they count as <see cref="OtherAnonymous"/>.</summary>
    MallocMmapped,

    /// <summary><c>[stack]</c>, <c>[stack:tid]</c> (kernels before 4.5), glibc's stack labels, or (heuristic) an anonymous
    /// read-write mapping of at least 64 KiB right above a no-access guard of at most 64 KiB, and that guard: two
    /// mappings per thread.</summary>
    ThreadStacks,

    /// <summary>Any other anonymous mapping: the GC heap and its bookkeeping, the runtime's and the JIT's own memory,
    /// unlabelled malloc mmapped chunks, and anything mapped by native libraries.</summary>
    OtherAnonymous,

    /// <summary>File-backed mappings (libraries, memory-mapped files, <c>/memfd:</c> regions, deleted files).</summary>
    Files,

    /// <summary><c>[vdso]</c>, <c>[vvar]</c>, <c>[vsyscall]</c> and the like: pages the kernel maps into every process.</summary>
    Kernel,
}

/// <summary>Totals of the mappings of one category or one file, in bytes (smaps reports kB; multiplied by 1024).</summary>
/// <param name="Count">Mappings (VMAs): a <c>/proc/self/smaps</c> entry each.</param>
/// <param name="SizeBytes">Address space mapped (<c>Size</c>).</param>
/// <param name="RssBytes">Resident bytes (<c>Rss</c>).</param>
/// <param name="AnonymousBytes">Resident bytes not backed by a file (<c>Anonymous</c>): for file mappings, pages written since.</param>
internal readonly record struct MappingTotals(int Count, long SizeBytes, long RssBytes, long AnonymousBytes)
{
    public MappingTotals Add(in Mapping mapping) =>
        new(Count + 1, SizeBytes + mapping.SizeBytes, RssBytes + mapping.RssBytes, AnonymousBytes + mapping.AnonymousBytes);
}

/// <summary>One entry of <c>/proc/self/smaps</c>: its address range, what it maps, and the kB fields we keep, in bytes.</summary>
internal struct Mapping
{
    public ulong Start;
    public ulong End;
    public string Path; // "" for an anonymous mapping
    public bool IsReadWrite; // permissions "rw.."
    public bool IsNoAccess; // permissions "---."
    public long SizeBytes;
    public long RssBytes;
    public long AnonymousBytes;
    public MappingCategory Category;

    public readonly bool IsAnonymous => Path.Length == 0;

    public readonly ulong Length => End - Start;
}

/// <summary>
/// The address space of this process from <c>/proc/self/smaps</c>, summed per <see cref="MappingCategory"/> and per
/// file. Reading costs a few milliseconds (the kernel walks every mapping's page tables; ~6 ms for ~750 mappings on a
/// 2-core machine) and allocates garbage, but it leaves nothing new on the managed heap: the totals go into containers
/// allocated with the snapshot, so that a runner can read it between samples without a step in its managed series.
/// </summary>
/// <remarks>
/// The kernel produces the file a page at a time, so a mapping that appears or moves while it is read can show up twice
/// or not at all; entries that overlap an earlier one are skipped (<see cref="SkippedEntries"/>). Files are keyed by a
/// 64-bit hash of their path (<see cref="PathKey"/>); the paths themselves are kept only when asked for.
/// </remarks>
internal sealed class MemoryMapSnapshot
{
    public const string SmapsPath = "/proc/self/smaps";

    /// <summary>glibc's <c>HEAP_MAX_SIZE</c> (2 × <c>DEFAULT_MMAP_THRESHOLD_MAX</c>): the size and alignment of a non-main arena's heap; 64 MiB on 64-bit.</summary>
    internal static readonly ulong ArenaHeapSize = IntPtr.Size == 8 ? 64UL << 20 : 1UL << 20;

    /// <summary>Largest no-access guard below a mapping that is still taken for a thread stack's guard (glibc's default is one page).</summary>
    internal const ulong MaxGuardBytes = 64 * 1024;

    /// <summary>Smallest mapping above a guard that is taken for a thread stack (glibc's PTHREAD_STACK_MIN is 16 KiB; real stacks are far larger).</summary>
    internal const ulong MinStackBytes = 64 * 1024;

    private static readonly string[] KernelMappings = ["[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]", "[vectors]", "[sigpage]", "[uprobes]"];

    private readonly MappingTotals[] _categories = new MappingTotals[Enum.GetValues<MappingCategory>().Length];
    private readonly Dictionary<ulong, MappingTotals> _byPath;
    private readonly Dictionary<ulong, string>? _paths;

    /// <param name="keepPaths">Keep the paths, for naming files (the snapshot after the run); without them only their keys.</param>
    /// <param name="pathCapacity">Distinct paths the snapshot can take without growing (and so allocating) while it is read.</param>
    public MemoryMapSnapshot(bool keepPaths, int pathCapacity = 1024)
    {
        _byPath = new Dictionary<ulong, MappingTotals>(pathCapacity);
        _paths = keepPaths ? new Dictionary<ulong, string>(pathCapacity) : null;
    }

    /// <summary>Totals of one category.</summary>
    public MappingTotals this[MappingCategory category] => _categories[(int)category];

    /// <summary>Totals per <see cref="PathKey"/> of the file mappings and of named anonymous mappings other than glibc's (<c>[anon:name]</c>).</summary>
    public IReadOnlyDictionary<ulong, MappingTotals> ByPath => _byPath;

    /// <summary>Mappings read.</summary>
    public int MappingCount { get; private set; }

    /// <summary>Entries skipped because they overlapped an earlier one (the map changed while it was read).</summary>
    public int SkippedEntries { get; private set; }

    /// <summary>The totals of one path.</summary>
    public MappingTotals GetFile(string path) => _byPath.GetValueOrDefault(PathKey(path));

    /// <summary>The path of a key; null when the snapshot keeps no paths or has no such key.</summary>
    public string? GetPath(ulong key) => _paths is not null && _paths.TryGetValue(key, out var path) ? path : null;

    /// <summary>A 64-bit FNV-1a hash of a path: files are told apart by it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong PathKey(ReadOnlySpan<char> path)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in path)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Reads <c>/proc/self/smaps</c> into this snapshot; false with the reason when it cannot be read (not Linux, no procfs, no permission). Never throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out string? unavailableReason)
    {
        Clear();
        if (!OperatingSystem.IsLinux())
        {
            unavailableReason = "memory mappings are read from /proc/self/smaps, which only Linux has";
            return false;
        }
        try
        {
            var parser = new SmapsParser();
            // Our own buffer, not File.ReadAllBytes: that rents from ArrayPool, whose per-thread slots keep the
            // buffer alive afterwards, on the managed heap the runner measures.
            var buffer = new byte[64 * 1024];
            using (var file = new FileStream(SmapsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
            {
                var filled = 0;
                int read;
                while ((read = file.Read(buffer, filled, buffer.Length - filled)) > 0)
                {
                    filled += read;
                    var consumed = parser.ParseLines(buffer.AsSpan(0, filled));
                    if (consumed == 0 && filled == buffer.Length)
                        consumed = filled; // a line longer than the buffer: cannot be an entry we need
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
                parser.ParseLines(buffer.AsSpan(0, filled), final: true);
            }
            Load(parser);
            if (MappingCount == 0)
            {
                unavailableReason = $"{SmapsPath} listed no mappings";
                return false;
            }
            unavailableReason = null;
            return true;
        }
        catch (Exception e)
        {
            Clear();
            unavailableReason = $"{SmapsPath} could not be read ({e.GetType().Name}: {e.Message})";
            return false;
        }
    }

    /// <summary>A snapshot of the text of an smaps file (tests: a fixture), with paths.</summary>
    public static MemoryMapSnapshot FromText(string text, int pathCapacity = 1024)
    {
        var snapshot = new MemoryMapSnapshot(keepPaths: true, pathCapacity);
        var parser = new SmapsParser();
        parser.ParseLines(Encoding.UTF8.GetBytes(text), final: true);
        snapshot.Load(parser);
        return snapshot;
    }

    /// <summary>The classified entries of an smaps text in address order (tests).</summary>
    internal static List<Mapping> Parse(string text, out int skipped)
    {
        var parser = new SmapsParser();
        parser.ParseLines(Encoding.UTF8.GetBytes(text), final: true);
        skipped = parser.Skipped;
        Classify(CollectionsMarshal.AsSpan(parser.Mappings));
        return parser.Mappings;
    }

    private void Clear()
    {
        Array.Clear(_categories);
        _byPath.Clear();
        _paths?.Clear();
        MappingCount = 0;
        SkippedEntries = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Load(SmapsParser parser)
    {
        Clear();
        var mappings = CollectionsMarshal.AsSpan(parser.Mappings);
        Classify(mappings);
        foreach (ref readonly var mapping in mappings)
        {
            _categories[(int)mapping.Category] = _categories[(int)mapping.Category].Add(mapping);
            if (mapping.Category == MappingCategory.Files || (mapping.Category == MappingCategory.OtherAnonymous && !mapping.IsAnonymous))
            {
                var key = PathKey(mapping.Path);
                _byPath[key] = _byPath.GetValueOrDefault(key).Add(mapping);
                _paths?.TryAdd(key, mapping.Path);
            }
        }
        MappingCount = mappings.Length;
        SkippedEntries = parser.Skipped;
    }

    /// <summary>Sets <see cref="Mapping.Category"/> of every mapping; the heuristics look at the neighbours.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Classify(Span<Mapping> mappings)
    {
        ulong arenaReserveEnd = 0;
        for (var i = 0; i < mappings.Length; i++)
        {
            ref var mapping = ref mappings[i];
            var path = mapping.Path;
            if (path.Length == 0)
            {
                if (mapping.IsNoAccess && mapping.Start < arenaReserveEnd && mapping.End == arenaReserveEnd)
                    mapping.Category = MappingCategory.MallocArenas; // the no-access rest of an arena's 64 MiB heap
                else if (IsArenaHeap(mappings, i))
                    mapping.Category = MappingCategory.MallocArenas;
                else if (IsThreadStack(mappings, i))
                    mapping.Category = MappingCategory.ThreadStacks;
                else
                    mapping.Category = MappingCategory.OtherAnonymous;
            }
            else if (path == "[heap]")
                mapping.Category = MappingCategory.Heap;
            else if (path.StartsWith("[stack", StringComparison.Ordinal))
                mapping.Category = MappingCategory.ThreadStacks;
            else if (path.StartsWith("[anon: glibc: malloc arena", StringComparison.Ordinal))
                mapping.Category = MappingCategory.MallocArenas;
            else if (path == "[anon: glibc: malloc]")
                mapping.Category = MappingCategory.MallocMmapped;
            else if (path.StartsWith("[anon: glibc: pthread", StringComparison.Ordinal) || path == "[anon: glibc: unused stack]")
                mapping.Category = MappingCategory.ThreadStacks;
            else if (Array.IndexOf(KernelMappings, path) >= 0)
                mapping.Category = MappingCategory.Kernel;
            else if (path[0] == '[')
                mapping.Category = MappingCategory.OtherAnonymous; // [anon:name] of other components, [anon_shmem:name]
            else
                mapping.Category = MappingCategory.Files;

            if (mapping.Category == MappingCategory.MallocArenas && mapping.Start % ArenaHeapSize == 0)
                arenaReserveEnd = mapping.Start + ArenaHeapSize;
            if (mapping.Category == MappingCategory.ThreadStacks && HasGuardBelow(mappings, i))
                mappings[i - 1].Category = MappingCategory.ThreadStacks; // the guard and the stack are one mmap
        }
    }

    /// <summary>
    /// A glibc non-main arena heap: mmapped at a <see cref="ArenaHeapSize"/>-aligned address with that size, of which
    /// the used part is read-write and the rest no-access, so that it is either one read-write mapping of exactly that
    /// size or a read-write one followed directly by a no-access one ending at the aligned end. A heuristic: any other
    /// mapping of that shape is taken for an arena too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsArenaHeap(ReadOnlySpan<Mapping> mappings, int i)
    {
        var mapping = mappings[i];
        if (mapping.Start % ArenaHeapSize != 0 || !mapping.IsReadWrite)
            return false;
        var heapEnd = mapping.Start + ArenaHeapSize;
        if (mapping.End == heapEnd)
            return true;
        if (mapping.End > heapEnd || i + 1 >= mappings.Length)
            return false;
        var next = mappings[i + 1];
        return next.IsAnonymous && next.IsNoAccess && next.Start == mapping.End && next.End == heapEnd;
    }

    /// <summary>
    /// A thread stack as glibc allocates it (one mapping, the lowest pages made no-access as a guard): a read-write
    /// anonymous mapping of at least <see cref="MinStackBytes"/> directly above a no-access anonymous mapping of at most
    /// <see cref="MaxGuardBytes"/>. A heuristic: the runtime's small per-thread alternate signal stacks are below the
    /// size floor and count as other anonymous memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsThreadStack(ReadOnlySpan<Mapping> mappings, int i) =>
        mappings[i].IsReadWrite && mappings[i].Length >= MinStackBytes && HasGuardBelow(mappings, i);

    /// <summary>Directly below mapping <paramref name="i"/>: a no-access anonymous mapping of at most <see cref="MaxGuardBytes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool HasGuardBelow(ReadOnlySpan<Mapping> mappings, int i)
    {
        if (i == 0)
            return false;
        var guard = mappings[i - 1];
        return guard.IsAnonymous && guard.IsNoAccess && guard.End == mappings[i].Start && guard.Length <= MaxGuardBytes;
    }

    /// <summary>
    /// Parses smaps text as it arrives: entry headers (<c>start-end perms offset dev inode [path]</c>, the path may
    /// contain spaces) and their <c>Size</c>, <c>Rss</c> and <c>Anonymous</c> lines; other lines are skipped.
    /// Entries that overlap an earlier one (the map changed while it was read) are skipped and counted.
    /// </summary>
    private sealed class SmapsParser
    {
        public readonly List<Mapping> Mappings = new(1024);
        public int Skipped;
        private ulong _lastEnd;
        private bool _current; // the field lines belong to the last entry of Mappings

        /// <summary>Parses the complete lines of <paramref name="text"/> (all of it when <paramref name="final"/>); returns the bytes consumed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int ParseLines(ReadOnlySpan<byte> text, bool final = false)
        {
            var consumed = 0;
            while (consumed < text.Length)
            {
                var rest = text[consumed..];
                var newline = rest.IndexOf((byte)'\n');
                if (newline < 0 && !final)
                    break;
                var line = newline < 0 ? rest : rest[..newline];
                consumed += newline < 0 ? rest.Length : newline + 1;
                ParseLine(line);
            }
            return consumed;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ParseLine(ReadOnlySpan<byte> line)
        {
            var firstToken = line[..IndexOfSpaceOrEnd(line)];
            if (firstToken.IsEmpty)
                return;
            if (firstToken[^1] == (byte)':')
            {
                if (!_current)
                    return;
                ref var mapping = ref CollectionsMarshal.AsSpan(Mappings)[^1];
                if (firstToken.SequenceEqual("Size:"u8))
                    mapping.SizeBytes = ParseKilobytes(line[firstToken.Length..]) * 1024;
                else if (firstToken.SequenceEqual("Rss:"u8))
                    mapping.RssBytes = ParseKilobytes(line[firstToken.Length..]) * 1024;
                else if (firstToken.SequenceEqual("Anonymous:"u8))
                    mapping.AnonymousBytes = ParseKilobytes(line[firstToken.Length..]) * 1024;
                return;
            }
            _current = false;
            if (!TryParseHeader(line, out var entry))
                return;
            if (entry.Start < _lastEnd)
            {
                Skipped++;
                return;
            }
            _lastEnd = entry.End;
            Mappings.Add(entry);
            _current = true;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool TryParseHeader(ReadOnlySpan<byte> line, out Mapping mapping)
        {
            mapping = default;
            var rest = line;
            var range = NextToken(ref rest);
            var permissions = NextToken(ref rest);
            var dash = range.IndexOf((byte)'-');
            if (
                dash <= 0
                || permissions.Length < 4
                || !TryParseHex(range[..dash], out var start)
                || !TryParseHex(range[(dash + 1)..], out var end)
                || end < start
            )
                return false;
            NextToken(ref rest); // offset
            NextToken(ref rest); // device
            NextToken(ref rest); // inode
            var path = rest.Trim((byte)' ');
            mapping = new Mapping
            {
                Start = start,
                End = end,
                Path = path.IsEmpty ? "" : Encoding.UTF8.GetString(path),
                IsReadWrite = permissions[0] == (byte)'r' && permissions[1] == (byte)'w',
                IsNoAccess = permissions[0] == (byte)'-' && permissions[1] == (byte)'-' && permissions[2] == (byte)'-',
                SizeBytes = (long)(end - start),
            };
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> text)
        {
            text = text.TrimStart((byte)' ');
            var end = IndexOfSpaceOrEnd(text);
            var token = text[..end];
            text = text[end..];
            return token;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int IndexOfSpaceOrEnd(ReadOnlySpan<byte> text)
        {
            var space = text.IndexOfAny((byte)' ', (byte)'\t');
            return space < 0 ? text.Length : space;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool TryParseHex(ReadOnlySpan<byte> text, out ulong value)
        {
            value = 0;
            if (text.IsEmpty || text.Length > 16)
                return false;
            foreach (var b in text)
            {
                var digit =
                    b is >= (byte)'0' and <= (byte)'9' ? b - '0'
                    : b is >= (byte)'a' and <= (byte)'f' ? b - 'a' + 10
                    : b is >= (byte)'A' and <= (byte)'F' ? b - 'A' + 10
                    : -1;
                if (digit < 0)
                    return false;
                value = (value << 4) | (uint)digit;
            }
            return true;
        }

        /// <summary>The first integer in <c>"   1234 kB"</c>; 0 when there is none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static long ParseKilobytes(ReadOnlySpan<byte> text)
        {
            text = text.TrimStart((byte)' ');
            long value = 0;
            foreach (var b in text)
            {
                if (b is < (byte)'0' or > (byte)'9')
                    break;
                value = value * 10 + (b - '0');
            }
            return value;
        }
    }
}
