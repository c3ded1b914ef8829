using System.Globalization;
using System.Text;

namespace LeakGuard;

/// <summary>
/// Where native memory grew during a run: malloc's arenas or its mmapped chunks,
/// which memory mappings of the process grew, and which <see cref="System.Runtime.InteropServices.SafeHandle"/> types
/// grew with it. Taken only when native memory leaked (<see cref="LeakReport.NativeAttribution"/>).
/// </summary>
/// <remarks>
/// <para>All figures are bytes. malloc's and the GC's are from the first sample (<c>Before</c>) and the last sample
/// (<c>After</c>) of the run; the mappings' <c>Before</c> is from <see cref="MappingsFromIteration"/>.
/// What can be attributed depends on the platform (<c>docs/native-attribution.md</c>): on Linux with glibc all of it;
/// on Linux with another C library (musl) the mappings only; elsewhere nothing yet, and
/// <see cref="UnavailableReason"/> says so.</para>
/// <para>Mappings are counted in resident bytes: memory malloc handed out but nobody wrote to is not resident, so the
/// mappings' growth can be smaller than malloc's. Resident bytes include memory malloc keeps free for reuse.</para>
/// </remarks>
public sealed class NativeAttribution
{
    internal NativeAttribution(
        int iterations,
        string? mallocSource,
        long? mallocArenaBytesBefore,
        long? mallocArenaBytesAfter,
        long? mallocMmappedBytesBefore,
        long? mallocMmappedBytesAfter,
        string? mappingSource,
        int mappingsFromIteration,
        IReadOnlyList<MappingGrowth> mappings,
        IReadOnlyList<MappingGrowth> growingFiles,
        long? gcCommittedBytesBefore,
        long? gcCommittedBytesAfter,
        string? unavailableReason,
        int mappingsToIteration = 0
    )
    {
        Iterations = iterations;
        MappingsToIteration = Math.Max(mappingsToIteration, mappingsFromIteration);
        MallocSource = mallocSource;
        MallocArenaBytesBefore = mallocArenaBytesBefore;
        MallocArenaBytesAfter = mallocArenaBytesAfter;
        MallocMmappedBytesBefore = mallocMmappedBytesBefore;
        MallocMmappedBytesAfter = mallocMmappedBytesAfter;
        MappingSource = mappingSource;
        MappingsFromIteration = mappingsFromIteration;
        Mappings = mappings;
        GrowingFiles = growingFiles;
        GcCommittedBytesBefore = gcCommittedBytesBefore;
        GcCommittedBytesAfter = gcCommittedBytesAfter;
        UnavailableReason = unavailableReason;
    }

    /// <summary>Iterations run from the first to the last sample: the growth below happened over this many iterations.</summary>
    public int Iterations { get; }

    /// <summary>The function the malloc figures come from, <c>glibc mallinfo2</c> (older glibc: <c>glibc mallinfo, 32-bit
    /// counters</c>): its <c>uordblks</c> for the arenas, its <c>hblkhd</c> for the mmapped chunks. Null when the C
    /// library offers no such statistics (musl, not Linux).</summary>
    public string? MallocSource { get; }

    /// <summary>Bytes in use in malloc's arenas (main arena and others: small and medium allocations) at the first
    /// sample (<see cref="MallocSource"/>: <c>uordblks</c>); null without <see cref="MallocSource"/>.</summary>
    public long? MallocArenaBytesBefore { get; }

    /// <summary>Bytes in use in malloc's arenas at the last sample (<c>uordblks</c>); null without <see cref="MallocSource"/>.</summary>
    public long? MallocArenaBytesAfter { get; }

    /// <summary>Bytes in chunks malloc mapped one by one (allocations above its mmap threshold, 128 KiB to 32 MiB
    /// depending on the process's history) at the first sample (<see cref="MallocSource"/>: <c>hblkhd</c>); null
    /// without <see cref="MallocSource"/>.</summary>
    public long? MallocMmappedBytesBefore { get; }

    /// <summary>Bytes in malloc's mmapped chunks at the last sample (<c>hblkhd</c>); null without <see cref="MallocSource"/>.</summary>
    public long? MallocMmappedBytesAfter { get; }

    /// <summary>Growth of malloc's arenas from the first to the last sample, in bytes; null without <see cref="MallocSource"/>.</summary>
    public long? MallocArenaGrowthBytes => MallocArenaBytesAfter - MallocArenaBytesBefore;

    /// <summary>Growth of malloc's mmapped chunks from the first to the last sample, in bytes; null without <see cref="MallocSource"/>.</summary>
    public long? MallocMmappedGrowthBytes => MallocMmappedBytesAfter - MallocMmappedBytesBefore;

    /// <summary>Where the mapping figures come from (<c>/proc/self/smaps</c>); null when the mappings were not compared
    /// (<see cref="UnavailableReason"/> says why).</summary>
    public string? MappingSource { get; }

    /// <summary>
    /// The iteration at which the mappings were first read: the end of the first round after which native memory was
    /// still growing. The mapping figures (<c>Before</c>) are from that iteration, not from the first sample: reading
    /// them takes milliseconds, which a run that passes should not pay. <c>After</c> is the last sample, as for malloc.
    /// </summary>
    public int MappingsFromIteration { get; }

    /// <summary>
    /// The iteration at which the mappings were read the second time: the mappings are compared over the iterations
    /// from <see cref="MappingsFromIteration"/> (the last sample) to this one, run after the verdict, so that reading
    /// them cannot disturb the measurement.
    /// </summary>
    public int MappingsToIteration { get; }

    /// <summary>
    /// The process's memory mappings per category, every category present before or after, most resident growth
    /// first: <c>[heap]</c> (malloc's main arena), <c>malloc arenas</c> (the others; recognised by their 64 MiB
    /// alignment, a heuristic), <c>malloc mmapped chunks</c> (only when glibc labels its mappings), <c>thread stacks</c>,
    /// <c>other anonymous</c> (the GC heap, the runtime and the JIT, unlabelled malloc mmapped chunks), <c>files</c>,
    /// <c>kernel</c>. Empty without <see cref="MappingSource"/>.
    /// </summary>
    public IReadOnlyList<MappingGrowth> Mappings { get; }

    /// <summary>The file mappings (and named anonymous mappings such as <c>[anon:name]</c>) whose resident bytes grew
    /// most, per path, most growth first; at most 5.</summary>
    public IReadOnlyList<MappingGrowth> GrowingFiles { get; }

    /// <summary>Bytes the GC had committed at the first sample (<c>GC.GetGCMemoryInfo().TotalCommittedBytes</c>): not
    /// native memory, but part of <c>other anonymous</c>, for comparison. Null when not read.</summary>
    public long? GcCommittedBytesBefore { get; }

    /// <summary>Bytes the GC had committed at the last sample (<c>GC.GetGCMemoryInfo().TotalCommittedBytes</c>); null when not read.</summary>
    public long? GcCommittedBytesAfter { get; }

    /// <summary>
    /// Types deriving from <see cref="System.Runtime.InteropServices.SafeHandle"/> whose live instances grew from the
    /// first to the last heap snapshot: managed owners of native memory or OS handles that grew with it. Empty when no
    /// heap snapshots were taken or none grew.
    /// </summary>
    public IReadOnlyList<TypeGrowth> OwningHandleTypes { get; private init; } = [];

    /// <summary>What could not be attributed and why (e.g. the platform has no <c>/proc/self/smaps</c>, or the C library
    /// no <c>mallinfo2</c>); null when everything was.</summary>
    public string? UnavailableReason { get; }

    /// <summary>A copy with <see cref="OwningHandleTypes"/> set (from a heap snapshot diff).</summary>
    internal NativeAttribution WithOwningHandleTypes(IReadOnlyList<TypeGrowth> types) =>
        new(
            Iterations,
            MallocSource,
            MallocArenaBytesBefore,
            MallocArenaBytesAfter,
            MallocMmappedBytesBefore,
            MallocMmappedBytesAfter,
            MappingSource,
            MappingsFromIteration,
            Mappings,
            GrowingFiles,
            GcCommittedBytesBefore,
            GcCommittedBytesAfter,
            UnavailableReason,
            MappingsToIteration
        )
        {
            OwningHandleTypes = types,
        };

    /// <summary>The section of the human report, e.g. <c>Native memory attribution (first → last sample, 800 iterations):</c>
    /// followed by one line per source.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (MallocSource is null && MappingSource is null && OwningHandleTypes.Count == 0)
        {
            text.Append("Native memory attribution unavailable: ").Append(UnavailableReason ?? "no source of attribution on this platform").AppendLine(".");
            return text.ToString();
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"Native memory attribution (first → last sample, {Iterations} iterations):");
        if (MallocSource is not null)
        {
            Line(text, $"malloc arenas ({MallocSource}: uordblks)", MallocArenaBytesBefore, MallocArenaBytesAfter);
            Line(text, $"malloc mmapped chunks ({MallocSource}: hblkhd)", MallocMmappedBytesBefore, MallocMmappedBytesAfter);
        }
        if (MappingSource is not null)
        {
            var grew = Mappings.Where(m => m.RssGrowthBytes > 0 || m.CountAfter > m.CountBefore).ToList();
            text.Append(
                    CultureInfo.InvariantCulture,
                    $"  mappings that grew from iteration {MappingsFromIteration} to {MappingsToIteration}, run after the verdict ({MappingSource}, resident bytes):"
                )
                .AppendLine(grew.Count == 0 ? " none" : "");
            foreach (var mapping in grew)
                MappingLine(text, Describe(mapping.Name), mapping);
            foreach (var file in GrowingFiles)
                MappingLine(text, "file " + file.Name, file);
        }
        if (GcCommittedBytesBefore is not null)
            Line(text, "GC committed, part of other anonymous (GC.GetGCMemoryInfo)", GcCommittedBytesBefore, GcCommittedBytesAfter);
        if (OwningHandleTypes.Count > 0)
        {
            text.Append("  SafeHandle types that grew with it: ")
                .AppendJoin(
                    "; ",
                    OwningHandleTypes.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.TypeName} (+{t.CountAfter - t.CountBefore:#,0} instances)"))
                )
                .AppendLine();
        }
        if (UnavailableReason is not null)
            text.Append("  not attributed: ").Append(UnavailableReason).AppendLine(".");
        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, long? before, long? after) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {label}: {before:#,0} → {after:#,0} B ({SignedBytes((after ?? 0) - (before ?? 0))})");

    private static void MappingLine(StringBuilder text, string label, MappingGrowth mapping)
    {
        text.Append(
            CultureInfo.InvariantCulture,
            $"    {label}: {SignedBytes(mapping.RssGrowthBytes)} ({mapping.RssBytesBefore:#,0} → {mapping.RssBytesAfter:#,0} B"
        );
        if (mapping.CountAfter != mapping.CountBefore)
            text.Append(CultureInfo.InvariantCulture, $"; {mapping.CountBefore:#,0} → {mapping.CountAfter:#,0} mappings");
        text.AppendLine(")");
    }

    private static string Describe(string category) =>
        category switch
        {
            MappingGrowth.HeapCategory => "[heap] (brk heap: malloc main arena)",
            MappingGrowth.MallocArenasCategory => "malloc arenas (other than main: 64 MiB-aligned heaps)",
            MappingGrowth.MallocMmappedCategory => "malloc mmapped chunks (labelled by glibc)",
            MappingGrowth.ThreadStacksCategory => "thread stacks",
            MappingGrowth.OtherAnonymousCategory => "other anonymous (GC heap, runtime and JIT, malloc mmapped chunks)",
            MappingGrowth.FilesCategory => "files (all file mappings)",
            MappingGrowth.KernelCategory => "kernel ([vdso], [vvar])",
            _ => category,
        };

    /// <summary><c>+4.2 MiB</c>, <c>-12.0 KiB</c>, <c>+512 B</c>: binary units, one decimal.</summary>
    internal static string SignedBytes(long bytes)
    {
        var sign = bytes < 0 ? "-" : "+";
        var abs = Math.Abs((double)bytes);
        return abs switch
        {
            < 1024 => string.Create(CultureInfo.InvariantCulture, $"{sign}{abs:0} B"),
            < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 1024:0.0} KiB"),
            < 1024.0 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / (1024 * 1024):0.0} MiB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / (1024 * 1024 * 1024):0.0} GiB"),
        };
    }
}

/// <summary>The memory mappings of one category (or one file) at <see cref="NativeAttribution.MappingsFromIteration"/>
/// and at the last sample of a run, from <c>/proc/self/smaps</c>.</summary>
/// <param name="Name">The category (<c>[heap]</c>, <c>malloc arenas</c>, <c>malloc mmapped chunks</c>, <c>thread stacks</c>,
/// <c>other anonymous</c>, <c>files</c>, <c>kernel</c>) or, in <see cref="NativeAttribution.GrowingFiles"/>, the path.</param>
/// <param name="CountBefore">Mappings (smaps entries) at <see cref="NativeAttribution.MappingsFromIteration"/>.</param>
/// <param name="CountAfter">Mappings at the last sample.</param>
/// <param name="RssBytesBefore">Resident bytes (<c>Rss</c>) at <see cref="NativeAttribution.MappingsFromIteration"/>.</param>
/// <param name="RssBytesAfter">Resident bytes (<c>Rss</c>) at the last sample.</param>
/// <param name="SizeBytesBefore">Address space mapped (<c>Size</c>, resident or not) at <see cref="NativeAttribution.MappingsFromIteration"/>, in bytes.</param>
/// <param name="SizeBytesAfter">Address space mapped (<c>Size</c>) at the last sample, in bytes.</param>
/// <param name="AnonymousBytesBefore">Resident bytes not backed by a file (<c>Anonymous</c>) at <see cref="NativeAttribution.MappingsFromIteration"/>.</param>
/// <param name="AnonymousBytesAfter">Resident bytes not backed by a file (<c>Anonymous</c>) at the last sample.</param>
public readonly record struct MappingGrowth(
    string Name,
    int CountBefore,
    int CountAfter,
    long RssBytesBefore,
    long RssBytesAfter,
    long SizeBytesBefore,
    long SizeBytesAfter,
    long AnonymousBytesBefore,
    long AnonymousBytesAfter
)
{
    internal const string HeapCategory = "[heap]";
    internal const string MallocArenasCategory = "malloc arenas";
    internal const string MallocMmappedCategory = "malloc mmapped chunks";
    internal const string ThreadStacksCategory = "thread stacks";
    internal const string OtherAnonymousCategory = "other anonymous";
    internal const string FilesCategory = "files";
    internal const string KernelCategory = "kernel";

    /// <summary>Growth of resident bytes, <c>After</c> minus <c>Before</c> (negative when they shrank).</summary>
    public long RssGrowthBytes => RssBytesAfter - RssBytesBefore;
}

/// <summary>
/// Which kinds of OS handles grew during a run (from the end of its first round after which handles still grew to its
/// last sample): on Linux the link targets of
/// <c>/proc/self/fd/*</c> — sockets, pipes, <c>anon_inode:[eventfd]</c> and the like, files by directory. Taken only
/// when handles leaked (<see cref="LeakReport.HandleAttribution"/>).
/// </summary>
public sealed class HandleAttribution
{
    internal HandleAttribution(int iterations, string? source, int fromIteration, IReadOnlyList<HandleKindGrowth> kinds, string? unavailableReason)
    {
        Iterations = iterations;
        Source = source;
        FromIteration = fromIteration;
        Kinds = kinds;
        UnavailableReason = unavailableReason;
    }

    /// <summary>The iteration at which the descriptors were read the second time (<c>CountAfter</c>), after more iterations run after the verdict.</summary>
    public int Iterations { get; }

    /// <summary>Where the kinds come from (<c>link targets of /proc/self/fd</c>); null when they were not compared
    /// (<see cref="UnavailableReason"/> says why).</summary>
    public string? Source { get; }

    /// <summary>The iteration at which the descriptors were first read (<c>CountBefore</c>): the last sample, once the
    /// verdict was known; reading them between samples would disturb the measurement.</summary>
    public int FromIteration { get; }

    /// <summary>The kinds whose count grew, most growth first: <c>socket</c>, <c>pipe</c>, <c>anon_inode:[eventfd]</c>,
    /// <c>memfd:name</c>, <c>files in /dir/</c>.</summary>
    public IReadOnlyList<HandleKindGrowth> Kinds { get; }

    /// <summary>Why the kinds were not compared (not Linux, no permission, a run of one round); null when they were.</summary>
    public string? UnavailableReason { get; }

    /// <summary>The section of the human report: <c>Handle attribution (…):</c> and one line per kind that grew.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Source is null)
        {
            text.Append("Handle attribution unavailable: ").Append(UnavailableReason ?? "no source of attribution on this platform").AppendLine(".");
            return text.ToString();
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"Handle attribution (kinds that grew from iteration {FromIteration} to {Iterations}, {Source}):");
        if (Kinds.Count == 0)
            text.AppendLine("  no kind of descriptor grew (the handles may have come and gone between the two readings).");
        foreach (var kind in Kinds)
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"  {kind.Kind}: +{kind.CountAfter - kind.CountBefore:#,0} ({kind.CountBefore:#,0} → {kind.CountAfter:#,0})"
            );
        return text.ToString();
    }
}

/// <summary>Open handles of one kind at <see cref="HandleAttribution.FromIteration"/> and at the last sample of a run.</summary>
/// <param name="Kind">The kind: <c>socket</c>, <c>pipe</c>, <c>anon_inode:[eventfd]</c>, <c>memfd:name</c>, <c>files in /dir/</c>.</param>
/// <param name="CountBefore">Handles of this kind at <see cref="HandleAttribution.FromIteration"/>.</param>
/// <param name="CountAfter">Handles of this kind at the last sample.</param>
public readonly record struct HandleKindGrowth(string Kind, int CountBefore, int CountAfter);

/// <summary>Appends the attribution sections to the human report, after the metrics.</summary>
internal static class NativeAttributionText
{
    public static void Append(StringBuilder text, NativeAttribution? native, HandleAttribution? handles)
    {
        if (native is not null)
            text.AppendLine().Append(native);
        if (handles is not null)
            text.AppendLine().Append(handles);
    }
}
