using System.Runtime.CompilerServices;
using LeakGuard.Sampling;

namespace LeakGuard.Diagnostics;

/// <summary>
/// Collects what <see cref="NativeAttribution"/> and <see cref="HandleAttribution"/> need during a run, at no cost to
/// runs that pass:
/// <list type="bullet">
/// <item>malloc's split and the GC's committed bytes at the first and at the last sample (one call each, no allocation
/// that outlives the next sample's GC);</item>
/// <item>the memory mappings (<c>/proc/self/smaps</c>, ~6 ms for ~750 mappings) and open descriptors
/// (<c>/proc/self/fd</c>, ~2 ms for ~160) only once the verdict is known and they leaked: read at the last sample
/// (<see cref="BeginComparison"/>), and again after the runner has run more iterations (<see cref="Finish"/>).
/// Nothing is measured any more by then, so the reads cannot disturb the run.</item>
/// </list>
/// </summary>
internal sealed class NativeAttributor
{
    /// <summary>Files listed in <see cref="NativeAttribution.GrowingFiles"/>.</summary>
    internal const int TopFiles = 5;

    private MemoryMapSnapshot? _mappingsBefore;
    private FileDescriptorSnapshot? _descriptorsBefore;
    private int _mappingsIteration = -1;
    private int _descriptorsIteration = -1;
    private string? _mappingsUnavailable;
    private string? _descriptorsUnavailable;
    private bool _hasMalloc;
    private MallocSplit _mallocFirst;
    private MallocSplit _mallocLast;
    private long _gcCommittedFirst;
    private long _gcCommittedLast;
    private int _iterations;

    private NativeAttributor()
    {
        // Compile and load now what runs between samples later: not in the middle of the run.
        MarkFirstSample();
        MarkLastSample(0);
    }

    /// <summary>Starts collecting. Call before the runner settles and takes its baseline sample.</summary>
    public static NativeAttributor Begin() => new();

    /// <summary>Right after the baseline sample: malloc's split and the GC's committed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MarkFirstSample()
    {
        _hasMalloc = GlibcMalloc.TryRead(out _mallocFirst);
        _gcCommittedFirst = GC.GetGCMemoryInfo().TotalCommittedBytes;
    }

    /// <summary>
    /// After the verdict, at iteration <paramref name="iteration"/> (the last sample): reads the mappings when native
    /// memory leaked, the descriptors when handles leaked. The caller then runs more iterations and calls
    /// <see cref="Finish"/>, which reads them again. Reading them during the run would disturb it (the read allocates).
    /// </summary>
    /// <returns>True when something was read, so the extra iterations are worth running.</returns>
    public bool BeginComparison(bool native, bool handles, int iteration)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        var read = false;
        if (native)
        {
            _mappingsBefore = new MemoryMapSnapshot(keepPaths: false);
            if (_mappingsBefore.TryRead(out _mappingsUnavailable))
            {
                _mappingsIteration = iteration;
                read = true;
            }
        }
        if (handles)
        {
            _descriptorsBefore = new FileDescriptorSnapshot(keepNames: false);
            if (_descriptorsBefore.TryRead(out _descriptorsUnavailable))
            {
                _descriptorsIteration = iteration;
                read = true;
            }
        }
        return read;
    }

    /// <summary>The extra iterations run after <see cref="BeginComparison"/>.</summary>
    public int ComparisonIterations { get; set; }

    /// <summary>Right after the last sample, <paramref name="iterations"/> iterations after the first one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MarkLastSample(int iterations)
    {
        _hasMalloc &= GlibcMalloc.TryRead(out _mallocLast);
        _gcCommittedLast = GC.GetGCMemoryInfo().TotalCommittedBytes;
        _iterations = iterations;
    }

    /// <summary>The attributions the verdicts call for: native when native memory leaked, handles when handles leaked; null otherwise.</summary>
    public (NativeAttribution? Native, HandleAttribution? Handles) Finish(IReadOnlyList<MetricReport> metrics)
    {
        var native = metrics.Any(m => m.Metric == LeakMetric.NativeHeap && m.IsOverBudget) ? AttributeNative() : null;
        var handles = metrics.Any(m => m.Metric == LeakMetric.Handles && m.IsOverBudget) ? AttributeHandles() : null;
        return (native, handles);
    }

    private NativeAttribution AttributeNative()
    {
        if (!OperatingSystem.IsLinux())
            return new NativeAttribution(_iterations, null, null, null, null, null, null, 0, [], [], null, null, NotLinux());

        var reasons = new List<string>();
        var mallocSource = _hasMalloc ? GlibcMalloc.Source : null;
        if (mallocSource is null)
            reasons.Add("malloc's arenas and mmapped chunks are not told apart: this C library has no mallinfo2 or mallinfo (musl?)");

        IReadOnlyList<MappingGrowth> mappings = [];
        IReadOnlyList<MappingGrowth> files = [];
        string? mappingSource = null;
        if (_mappingsIteration < 0)
        {
            reasons.Add(_mappingsUnavailable is not null ? "mappings: " + _mappingsUnavailable : "mappings were not compared");
        }
        else
        {
            var after = new MemoryMapSnapshot(keepPaths: true);
            if (after.TryRead(out var afterUnavailable))
            {
                mappingSource = MemoryMapSnapshot.SmapsPath;
                mappings = DiffCategories(_mappingsBefore!, after);
                files = DiffFiles(_mappingsBefore!, after, TopFiles);
            }
            else
            {
                reasons.Add("mappings: " + afterUnavailable);
            }
        }

        return new NativeAttribution(
            _iterations,
            mallocSource,
            mallocSource is null ? null : _mallocFirst.ArenaBytes,
            mallocSource is null ? null : _mallocLast.ArenaBytes,
            mallocSource is null ? null : _mallocFirst.MmappedBytes,
            mallocSource is null ? null : _mallocLast.MmappedBytes,
            mappingSource,
            Math.Max(0, _mappingsIteration),
            mappings,
            files,
            _gcCommittedFirst,
            _gcCommittedLast,
            reasons.Count == 0 ? null : string.Join("; ", reasons),
            Math.Max(0, _mappingsIteration) + ComparisonIterations
        );
    }

    private HandleAttribution AttributeHandles()
    {
        if (!OperatingSystem.IsLinux())
            return new HandleAttribution(_iterations, null, 0, [], NotLinux());
        if (_descriptorsIteration < 0)
        {
            return new HandleAttribution(_iterations, null, 0, [], _descriptorsUnavailable ?? "descriptors were not compared");
        }
        var after = new FileDescriptorSnapshot(keepNames: true);
        if (!after.TryRead(out var afterUnavailable))
            return new HandleAttribution(_iterations, null, 0, [], afterUnavailable);
        return new HandleAttribution(
            _descriptorsIteration + ComparisonIterations,
            "link targets of " + FileDescriptorSnapshot.FdDirectory,
            _descriptorsIteration,
            DiffKinds(_descriptorsBefore!, after),
            null
        );
    }

    private static string NotLinux() =>
        $"attribution reads /proc/self/smaps, /proc/self/fd and glibc's mallinfo2, which {System.Runtime.InteropServices.RuntimeInformation.OSDescription} does not have (docs/native-attribution.md says what it would take)";

    /// <summary>Every category present before or after, most resident growth first (then in category order).</summary>
    internal static IReadOnlyList<MappingGrowth> DiffCategories(MemoryMapSnapshot before, MemoryMapSnapshot after) =>
        Enum.GetValues<MappingCategory>()
            .Where(c => before[c].Count > 0 || after[c].Count > 0)
            .Select(c => Growth(CategoryName(c), before[c], after[c]))
            .OrderByDescending(g => g.RssGrowthBytes)
            .ToArray();

    /// <summary>The files (and other named mappings) of <paramref name="after"/> whose resident bytes grew most, at most <paramref name="top"/>.</summary>
    internal static IReadOnlyList<MappingGrowth> DiffFiles(MemoryMapSnapshot before, MemoryMapSnapshot after, int top) =>
        after
            .ByPath.Select(file => Growth(after.GetPath(file.Key) ?? "?", before.ByPath.GetValueOrDefault(file.Key), file.Value))
            .Where(g => g.RssGrowthBytes > 0)
            .OrderByDescending(g => g.RssGrowthBytes)
            .ThenBy(g => g.Name, StringComparer.Ordinal)
            .Take(top)
            .ToArray();

    /// <summary>The kinds of <paramref name="after"/> whose count grew, most growth first.</summary>
    internal static IReadOnlyList<HandleKindGrowth> DiffKinds(FileDescriptorSnapshot before, FileDescriptorSnapshot after) =>
        after
            .Counts.Select(k => new HandleKindGrowth(after.GetName(k.Key) ?? "?", before.Counts.GetValueOrDefault(k.Key), k.Value))
            .Where(k => k.CountAfter > k.CountBefore)
            .OrderByDescending(k => k.CountAfter - k.CountBefore)
            .ThenBy(k => k.Kind, StringComparer.Ordinal)
            .ToArray();

    internal static string CategoryName(MappingCategory category) =>
        category switch
        {
            MappingCategory.Heap => MappingGrowth.HeapCategory,
            MappingCategory.MallocArenas => MappingGrowth.MallocArenasCategory,
            MappingCategory.MallocMmapped => MappingGrowth.MallocMmappedCategory,
            MappingCategory.ThreadStacks => MappingGrowth.ThreadStacksCategory,
            MappingCategory.OtherAnonymous => MappingGrowth.OtherAnonymousCategory,
            MappingCategory.Files => MappingGrowth.FilesCategory,
            MappingCategory.Kernel => MappingGrowth.KernelCategory,
            _ => category.ToString(),
        };

    private static MappingGrowth Growth(string name, MappingTotals before, MappingTotals after) =>
        new(name, before.Count, after.Count, before.RssBytes, after.RssBytes, before.SizeBytes, after.SizeBytes, before.AnonymousBytes, after.AnonymousBytes);
}
