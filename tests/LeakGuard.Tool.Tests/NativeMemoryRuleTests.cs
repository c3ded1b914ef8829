using LeakGuard.Tool.Watching;
using Shouldly;
using Xunit;

namespace LeakGuard.Tool.Tests;

/// <summary>
/// The native-memory figure on scripted <c>/proc/&lt;pid&gt;/smaps</c> text and scripted samples: the GC's own mappings
/// are left out, so a managed leak (the GC commits and touches more regions) leaves it flat, and native growth shows.
/// </summary>
public sealed class NativeMemoryRuleTests
{
    private const ulong RegionsStart = 0x7f0040000000;
    private static readonly GcAddressSpan Span = new(RegionsStart, RegionsStart + (8UL << 20) - 1);
    private static readonly WatchBudgets Budgets = new(100 * 1048576.0, 50 * 1048576.0, 100, 20);

    // Address space, low to high:
    //   [heap] (malloc, main arena)              native
    //   GC bookkeeping (rw-p, below the range)   native (outside the regions)
    //   GC regions: 2 regions in use, reported   GC    (the span)
    //   a new region, not reported yet           GC    (continuation above the span)
    //   the GC's reserved tail (---p, 1 GiB)     GC
    //   glibc arena (rw-p + ---p, 64 MiB)        native
    private static string[] Smaps(long gcRegionsKb, long newRegionKb, long heapKb, long arenaKb)
    {
        var tail = RegionsStart + (12UL << 20);
        var arena = tail + (1UL << 30);
        return
        [
            .. Mapping(0x55550000_0000, 0x55550100_0000, "rw-p", heapKb, "[heap]"),
            .. Mapping(RegionsStart - 0x100000, RegionsStart - 0x80000, "rw-p", 256, ""),
            .. Mapping(RegionsStart, RegionsStart + (8UL << 20), "rw-p", gcRegionsKb, ""),
            .. Mapping(RegionsStart + (8UL << 20), tail, "rw-p", newRegionKb, ""),
            .. Mapping(tail, arena, "---p", 0, ""),
            .. Mapping(arena, arena + 0x200000, "rw-p", arenaKb, ""),
            .. Mapping(arena + 0x200000, arena + (64UL << 20), "---p", 0, ""),
            .. Mapping(0x7fff0000_0000, 0x7fff0002_0000, "rw-p", 64, "[stack]"),
        ];
    }

    private static string[] Mapping(ulong start, ulong end, string perms, long anonymousKb, string path) =>
        [
            $"{start:x}-{end:x} {perms} 00000000 00:00 0{(path.Length > 0 ? "                          " + path : "")}",
            $"Rss:            {anonymousKb, 8} kB",
            $"Anonymous:      {anonymousKb, 8} kB",
            "VmFlags: rd wr mr mw me ac sd",
        ];

    [Fact]
    public void The_GC_s_regions_its_new_region_and_its_reserved_tail_are_left_out_and_everything_else_counts()
    {
        var outside = ProcStats.AnonymousOutside(Smaps(gcRegionsKb: 6000, newRegionKb: 3000, heapKb: 1000, arenaKb: 500), Span);

        // heap 1000 + bookkeeping 256 + arena 500 + stack 64 (KiB): not the 9000 KiB of the GC's regions.
        outside.ShouldBe((1000 + 256 + 500 + 64) * 1024.0);
    }

    [Fact]
    public void Without_the_GC_s_tail_a_mapping_after_a_gap_is_not_taken_for_the_GC_s()
    {
        // The arena starts right after the span, not adjacent: it stays native.
        var span = new GcAddressSpan(RegionsStart, RegionsStart + (12UL << 20) - 1);
        string[] smaps =
        [
            .. Mapping(RegionsStart, RegionsStart + (12UL << 20), "rw-p", 9000, ""),
            .. Mapping(RegionsStart + (16UL << 20), RegionsStart + (18UL << 20), "rw-p", 700, ""),
        ];

        ProcStats.AnonymousOutside(smaps, span).ShouldBe(700 * 1024.0);
    }

    [Fact]
    public void Managed_leak_where_GC_committed_and_RSS_grow_together_has_no_native_growth_over_budget()
    {
        // 60 s: the GC's regions grow by 30 MB/min (1.8 GB/h, the managed leak) and RssAnon with them; native memory does not.
        var samples = Samples(i => Smaps(gcRegionsKb: 6000 + 500 * i, newRegionKb: i % 3 * 700, heapKb: 1000, arenaKb: 500), 500 * 1024.0);

        var native = MetricGrowth.Fit(WatchedMetric.NativeMemory, samples, Budgets);
        var managed = MetricGrowth.Fit(WatchedMetric.ManagedHeap, samples, Budgets);

        managed.OverBudget.ShouldBeTrue();
        native.SlopePerHour.ShouldBe(0, 1);
        native.OverBudget.ShouldBeFalse();
        native.Source.ShouldContain("outside the GC's own mappings");
        WatchSession.Findings([managed, native]).ShouldNotContain(f => f.Contains("native memory grew"));
    }

    [Fact]
    public void Native_growth_next_to_a_flat_managed_heap_is_over_budget()
    {
        // The arena grows by 1 MiB every 5 s (720 MB/h); the GC's regions do not.
        var samples = Samples(i => Smaps(gcRegionsKb: 6000, newRegionKb: 0, heapKb: 1000, arenaKb: 500 + 1024 * i), 0);

        var native = MetricGrowth.Fit(WatchedMetric.NativeMemory, samples, Budgets);

        native.SlopePerHour.ShouldBe(720 * 1048576.0, 1048576);
        native.OverBudget.ShouldBeTrue();
        WatchSession
            .Findings([MetricGrowth.Fit(WatchedMetric.ManagedHeap, samples, Budgets), native])
            .ShouldContain(f => f.StartsWith("The growth is in native memory while the managed heap is flat"));
    }

    // Thirteen samples 5 s apart, a GC before each; the managed heap grows by managedBytesPerSample.
    private static List<WatchSample> Samples(Func<int, string[]> smaps, double managedBytesPerSample)
    {
        var samples = new List<WatchSample>();
        for (var i = 0; i < 13; i++)
        {
            var lines = smaps(i);
            var anonymous =
                lines
                    .Where(l => l.StartsWith("Anonymous:", StringComparison.Ordinal))
                    .Sum(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])) * 1024;
            var heap = 50e6 + managedBytesPerSample * i;
            var runtime = new RuntimeReading(heap, heap + 4e6, heap, GcCount: 10 + i, CounterEvents: 10 + i, NativeAfterGcBytes: double.NaN, Span);
            var proc = new ProcStats(anonymous + 30e6, anonymous, 40, 12, i, ProcStats.AnonymousOutside(lines, Span));
            samples.Add(new WatchSample(5.0 * i, runtime, proc));
        }
        return samples;
    }
}
