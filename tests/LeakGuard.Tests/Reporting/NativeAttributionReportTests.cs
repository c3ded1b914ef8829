using System.Text.Json;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Reporting;

/// <summary>Pins the attribution sections of the human report and their JSON.</summary>
public class NativeAttributionReportTests
{
    private const long KiB = 1024;
    private const long MiB = 1024 * 1024;

    private static IReadOnlyList<LeakSample> Linear(int iterations, double start, double slope) =>
        Enumerable.Range(0, 51).Select(i => new LeakSample(i * iterations / 50, start + slope * i * iterations / 50)).ToArray();

    private static MetricReport Metric(LeakMetric metric, string source, MetricVerdict verdict, double slope, string reason, double budget = 0) =>
        new(metric, source, Linear(750, 1_000_000, slope), new SlopeEstimate(slope, slope, slope, 0.95, 51), budget, verdict, reason);

    private static NativeAttribution Attribution() =>
        new NativeAttribution(
            iterations: 750,
            mallocSource: "glibc mallinfo2",
            mallocArenaBytesBefore: 9_814_464,
            mallocArenaBytesAfter: 17_514_464,
            mallocMmappedBytesBefore: 303_104,
            mallocMmappedBytesAfter: 303_104,
            mappingSource: "/proc/self/smaps",
            mappingsFromIteration: 750,
            mappings:
            [
                new(MappingGrowth.MallocArenasCategory, 30, 30, 8 * MiB, 15 * MiB, 960 * MiB, 960 * MiB, 8 * MiB, 15 * MiB),
                new(MappingGrowth.FilesCategory, 494, 496, 76 * MiB, 76 * MiB + 280 * KiB, 161 * MiB, 161 * MiB + 64 * KiB, 2 * MiB, 2 * MiB),
                new(MappingGrowth.ThreadStacksCategory, 35, 37, 544 * KiB, 560 * KiB, 121 * MiB, 129 * MiB, 544 * KiB, 560 * KiB),
                new(MappingGrowth.HeapCategory, 1, 1, 1476 * KiB, 1476 * KiB, 1592 * KiB, 1592 * KiB, 1476 * KiB, 1476 * KiB),
                new(
                    MappingGrowth.OtherAnonymousCategory,
                    206,
                    206,
                    20 * MiB,
                    20 * MiB - 8 * KiB,
                    49 * 1024 * MiB,
                    49 * 1024 * MiB,
                    20 * MiB,
                    20 * MiB - 8 * KiB
                ),
            ],
            growingFiles:
            [
                new("/memfd:doublemapper (deleted)", 196, 198, 15 * MiB, 15 * MiB + 152 * KiB, 15 * MiB, 15 * MiB + 64 * KiB, 0, 0),
                new("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 4, 4, 60 * KiB, 124 * KiB, 120 * KiB, 120 * KiB, 0, 0),
            ],
            gcCommittedBytesBefore: 12_193_792,
            gcCommittedBytesAfter: 12_193_792,
            unavailableReason: null,
            mappingsToIteration: 800
        ).WithOwningHandleTypes([new TypeGrowth("Contoso.Interop.SafeZStreamHandle", 55, 805, 1_760, 25_760, 750)]);

    private static LeakReport NativeAndHandleLeak(NativeAttribution? native, HandleAttribution? handles) =>
        new(
            LeakOptions.Default,
            [
                Metric(
                    LeakMetric.ManagedHeap,
                    "GC.GetGCMemoryInfo after full blocking compacting GC + finalizers + GC: size after minus fragmentation",
                    MetricVerdict.Pass,
                    0,
                    "no growth over budget"
                ),
                Metric(
                    LeakMetric.NativeHeap,
                    "glibc mallinfo2: uordblks + hblkhd",
                    MetricVerdict.Leak,
                    10_267,
                    "kept growing through 750 iterations and did not level off",
                    budget: 512
                ),
                Metric(LeakMetric.Handles, "entries of /proc/self/fd", MetricVerdict.Leak, 1, "kept growing through 750 iterations and did not level off"),
                Metric(LeakMetric.Threads, "/proc/self/status Threads", MetricVerdict.Pass, 0, "no growth over budget"),
            ],
            5,
            750,
            4,
            TimeSpan.FromSeconds(3.2),
            null,
            null
        )
        {
            NativeAttribution = native,
            HandleAttribution = handles,
        };

    private static HandleAttribution Handles() =>
        new(800, "link targets of /proc/self/fd", 750, [new HandleKindGrowth("files in /tmp/", 750, 800), new HandleKindGrowth("socket", 3, 4)], null);

    [Fact]
    public void Native_and_handle_leak_with_attribution()
    {
        Approvals.Verify(NativeAndHandleLeak(Attribution(), Handles()).ToString(), nameof(NativeAttributionReportTests));
    }

    [Fact]
    public void Where_nothing_can_be_attributed_the_section_says_why()
    {
        var native = new NativeAttribution(
            750,
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            [],
            [],
            null,
            null,
            "attribution reads /proc/self/smaps, which Windows does not have"
        );
        var handles = new HandleAttribution(750, null, 0, [], "descriptors are read from /proc/self/fd, which only Linux has");

        var text = NativeAndHandleLeak(native, handles).ToString();

        text.ShouldEndWith(
            "\n\nNative memory attribution unavailable: attribution reads /proc/self/smaps, which Windows does not have.\n"
                + "\nHandle attribution unavailable: descriptors are read from /proc/self/fd, which only Linux has.\n"
        );
    }

    [Fact]
    public void Byte_growth_reads_in_binary_units()
    {
        NativeAttribution.SignedBytes(0).ShouldBe("+0 B");
        NativeAttribution.SignedBytes(512).ShouldBe("+512 B");
        NativeAttribution.SignedBytes(-8 * KiB).ShouldBe("-8.0 KiB");
        NativeAttribution.SignedBytes(7_700_000).ShouldBe("+7.3 MiB");
        NativeAttribution.SignedBytes(3L * 1024 * MiB).ShouldBe("+3.0 GiB");
    }

    [Fact]
    public void The_json_carries_the_attribution()
    {
        using var document = JsonDocument.Parse(NativeAndHandleLeak(Attribution(), Handles()).ToJson());
        var root = document.RootElement;

        root.GetProperty("schemaVersion").GetInt32().ShouldBe(1);
        var native = root.GetProperty("nativeAttribution");
        native.GetProperty("iterations").GetInt32().ShouldBe(750);
        native.GetProperty("malloc").GetProperty("source").GetString().ShouldBe("glibc mallinfo2");
        native.GetProperty("malloc").GetProperty("arenaBytesAfter").GetInt64().ShouldBe(17_514_464);
        native.GetProperty("malloc").GetProperty("mmappedBytesBefore").GetInt64().ShouldBe(303_104);
        native.GetProperty("mappingSource").GetString().ShouldBe("/proc/self/smaps");
        native.GetProperty("mappingsFromIteration").GetInt32().ShouldBe(750);
        var arenas = native.GetProperty("mappings")[0];
        arenas.GetProperty("name").GetString().ShouldBe("malloc arenas");
        arenas.GetProperty("rssBytesAfter").GetInt64().ShouldBe(15 * MiB);
        arenas.GetProperty("countBefore").GetInt32().ShouldBe(30);
        native.GetProperty("growingFiles")[1].GetProperty("name").GetString().ShouldBe("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
        native.GetProperty("gcCommittedBytesAfter").GetInt64().ShouldBe(12_193_792);
        native.GetProperty("owningHandleTypes")[0].GetProperty("countAfter").GetInt64().ShouldBe(805);
        native.GetProperty("unavailableReason").ValueKind.ShouldBe(JsonValueKind.Null);
        var handles = root.GetProperty("handleAttribution");
        handles.GetProperty("fromIteration").GetInt32().ShouldBe(750);
        handles.GetProperty("kinds")[0].GetProperty("kind").GetString().ShouldBe("files in /tmp/");
        handles.GetProperty("kinds")[0].GetProperty("countAfter").GetInt32().ShouldBe(800);
    }

    [Fact]
    public void Without_attribution_the_json_fields_are_null()
    {
        using var document = JsonDocument.Parse(NativeAndHandleLeak(null, null).ToJson());

        document.RootElement.GetProperty("nativeAttribution").ValueKind.ShouldBe(JsonValueKind.Null);
        document.RootElement.GetProperty("handleAttribution").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void Unavailable_malloc_split_is_null_in_the_json()
    {
        var native = new NativeAttribution(750, null, null, null, null, null, null, 0, [], [], 1, 2, "musl");

        using var document = JsonDocument.Parse(NativeAndHandleLeak(native, null).ToJson());
        var json = document.RootElement.GetProperty("nativeAttribution");

        json.GetProperty("malloc").ValueKind.ShouldBe(JsonValueKind.Null);
        json.GetProperty("mappingSource").ValueKind.ShouldBe(JsonValueKind.Null);
        json.GetProperty("mappings").GetArrayLength().ShouldBe(0);
        json.GetProperty("unavailableReason").GetString().ShouldBe("musl");
    }
}
