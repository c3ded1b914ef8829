using System.Diagnostics;
using System.Runtime.CompilerServices;
using LeakGuard.Running;
using LeakGuard.Sampling;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace LeakGuard.Tests.Sampling;

public class MemoryMapSnapshotTests(ITestOutputHelper output)
{
    private const long KiB = 1024;

    /// <summary>
    /// 24 entries of /proc/self/smaps of a .NET 10 console app on Debian 12 (glibc 2.36, kernel 6.18, x64), every field
    /// line kept: the executable, [heap], a glibc arena heap (rw-p at a 64 MiB boundary + ---p rest), two pthread stacks
    /// (4 KiB guard + 8 MiB), a GC region (rw-p + ---p reserve), a malloc mmapped chunk (1 MiB + header), the runtime's
    /// alternate signal stack (4 KiB guard + 12 KiB), libclrjit, CoreLib, a JIT double-mapping, libc, the kernel's pages.
    /// </summary>
    private static string Fixture([CallerFilePath] string sourceFile = "")
    {
        var name = Path.Combine("Fixtures", "smaps-dotnet10-debian12-x64.txt");
        var besideSource = Path.Combine(Path.GetDirectoryName(sourceFile)!, name);
        return File.ReadAllText(File.Exists(besideSource) ? besideSource : Path.Combine(AppContext.BaseDirectory, "Sampling", name));
    }

    [Fact]
    public void Each_mapping_of_the_fixture_falls_into_its_category()
    {
        var mappings = MemoryMapSnapshot.Parse(Fixture(), out var skipped);

        skipped.ShouldBe(0);
        mappings
            .Select(m => (m.Start.ToString("x"), m.Category))
            .ShouldBe([
                ("55ee451eb000", MappingCategory.Files), // the executable
                ("55ee629a3000", MappingCategory.Heap),
                ("7f24949ff000", MappingCategory.ThreadStacks), // guard page
                ("7f2494a00000", MappingCategory.ThreadStacks), // 8 MiB stack
                ("7f24b3000000", MappingCategory.OtherAnonymous), // GC: committed part of a region (16 MiB-aligned, not 64)
                ("7f24b3011000", MappingCategory.OtherAnonymous), // GC: the region's reserve
                ("7f307c0fc000", MappingCategory.OtherAnonymous), // malloc mmapped chunk: not recognisable without labels
                ("7f307c1fd000", MappingCategory.ThreadStacks),
                ("7f307c1fe000", MappingCategory.ThreadStacks),
                ("7f307da00000", MappingCategory.Files),
                ("7f307dab1000", MappingCategory.Files),
                ("7f307e800000", MappingCategory.Files),
                ("7f3080000000", MappingCategory.MallocArenas), // 132 KiB in use of the arena heap
                ("7f3080021000", MappingCategory.MallocArenas), // the heap's ---p rest, up to 64 MiB
                ("7f308e630000", MappingCategory.Files), // /memfd:doublemapper (deleted): JIT'd code
                ("7f310dd2c000", MappingCategory.OtherAnonymous), // alternate signal stack: under the stack size floor
                ("7f310dd2d000", MappingCategory.OtherAnonymous),
                ("7f310df3e000", MappingCategory.Files),
                ("7f310df64000", MappingCategory.Files),
                ("7f310e462000", MappingCategory.Kernel),
                ("7f310e466000", MappingCategory.Kernel),
                ("7f310e468000", MappingCategory.Kernel),
                ("7ffd2fff8000", MappingCategory.ThreadStacks), // [stack]
                ("ffffffffff600000", MappingCategory.Kernel),
            ]);
        mappings[14].Path.ShouldBe("/memfd:doublemapper (deleted)");
    }

    [Fact]
    public void The_fixture_sums_per_category_in_bytes()
    {
        var snapshot = MemoryMapSnapshot.FromText(Fixture());

        snapshot.MappingCount.ShouldBe(24);
        snapshot[MappingCategory.Heap].ShouldBe(new MappingTotals(1, 1168 * KiB, 920 * KiB, 920 * KiB));
        snapshot[MappingCategory.MallocArenas].ShouldBe(new MappingTotals(2, 64 * 1024 * KiB, 8 * KiB, 8 * KiB));
        snapshot[MappingCategory.MallocMmapped].ShouldBe(default);
        snapshot[MappingCategory.ThreadStacks].ShouldBe(new MappingTotals(5, (4 + 8192 + 4 + 8192 + 132) * KiB, 60 * KiB, 60 * KiB));
        snapshot[MappingCategory.OtherAnonymous].ShouldBe(new MappingTotals(5, (68 + 32700 + 1028 + 4 + 12) * KiB, 8 * KiB, 8 * KiB));
        snapshot[MappingCategory.Files].ShouldBe(new MappingTotals(7, (28 + 708 + 3860 + 15212 + 4 + 152 + 1368) * KiB, 8420 * KiB, 0));
        snapshot[MappingCategory.Kernel].ShouldBe(new MappingTotals(4, 36 * KiB, 4 * KiB, 0));
    }

    [Fact]
    public void Files_are_summed_per_path()
    {
        var snapshot = MemoryMapSnapshot.FromText(Fixture());

        snapshot.ByPath.Count.ShouldBe(5);
        snapshot.GetFile("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libclrjit.so").ShouldBe(new MappingTotals(2, 4568 * KiB, 4244 * KiB, 0));
        snapshot.GetFile("/usr/lib/x86_64-linux-gnu/libc.so.6").RssBytes.ShouldBe(1328 * KiB);
        snapshot.GetFile("/memfd:doublemapper (deleted)").Count.ShouldBe(1);
        snapshot.GetPath(MemoryMapSnapshot.PathKey("/usr/lib/x86_64-linux-gnu/libc.so.6")).ShouldBe("/usr/lib/x86_64-linux-gnu/libc.so.6");
    }

    /// <summary>Synthesized: what glibc 2.39+ writes with GLIBC_TUNABLES=glibc.mem.decorate_maps=1 (on a kernel with
    /// CONFIG_ANON_VMA_NAME), a kernel before 4.5 ([stack:tid]), another component's named region, a path with spaces.</summary>
    [Fact]
    public void Labels_name_their_category_and_paths_keep_their_spaces()
    {
        const string text = """
            7f1000000000-7f1000021000 rw-p 00000000 00:00 0                          [anon: glibc: malloc arena]
            Size:                132 kB
            Rss:                 100 kB
            Anonymous:           100 kB
            7f1000021000-7f1004000000 ---p 00000000 00:00 0
            Size:              65404 kB
            Rss:                   0 kB
            7f2000000000-7f2000101000 rw-p 00000000 00:00 0                          [anon: glibc: malloc]
            Size:               1028 kB
            Rss:                1028 kB
            Anonymous:          1028 kB
            7f3000000000-7f3000001000 ---p 00000000 00:00 0
            Size:                  4 kB
            7f3000001000-7f3000801000 rw-p 00000000 00:00 0                          [anon: glibc: pthread stack: 4242]
            Size:               8192 kB
            Rss:                  16 kB
            Anonymous:            16 kB
            7f4000000000-7f4000010000 rw-p 00000000 00:00 0                          [anon:OCaml: minor heap 0]
            Size:                 64 kB
            Rss:                  64 kB
            Anonymous:            64 kB
            7f5000000000-7f5000001000 r--p 00000000 fe:00 7                          /home/a b/file with spaces.dat
            Size:                  4 kB
            Rss:                   4 kB
            7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack:4243]
            Size:                132 kB
            Rss:                  12 kB
            Anonymous:            12 kB
            """;

        var categories = MemoryMapSnapshot.Parse(text, out _).Select(m => m.Category);
        var snapshot = MemoryMapSnapshot.FromText(text);

        categories.ShouldBe([
            MappingCategory.MallocArenas,
            MappingCategory.MallocArenas,
            MappingCategory.MallocMmapped,
            MappingCategory.ThreadStacks, // the unlabelled guard below a labelled stack
            MappingCategory.ThreadStacks,
            MappingCategory.OtherAnonymous,
            MappingCategory.Files,
            MappingCategory.ThreadStacks,
        ]);
        snapshot[MappingCategory.MallocMmapped].RssBytes.ShouldBe(1028 * KiB);
        snapshot.GetFile("/home/a b/file with spaces.dat").Count.ShouldBe(1);
        snapshot.GetFile("[anon:OCaml: minor heap 0]").RssBytes.ShouldBe(64 * KiB);
    }

    [Fact]
    public void Shapes_that_only_resemble_an_arena_or_a_stack_are_other_anonymous()
    {
        const string text = """
            7f0000000000-7f0000800000 rw-p 00000000 00:00 0
            Size:               8192 kB
            7f0000800000-7f0001000000 r--p 00000000 fe:00 7                          /usr/lib/libx.so
            Size:               8192 kB
            7f0004000000-7f0004400000 rw-p 00000000 00:00 0
            Size:               4096 kB
            7f0004400000-7f0006000000 ---p 00000000 00:00 0
            Size:              28672 kB
            7f0010000000-7f00100df000 ---p 00000000 00:00 0
            Size:                892 kB
            7f00100df000-7f00101df000 rw-p 00000000 00:00 0
            Size:               1024 kB
            7f0020000000-7f0020001000 ---p 00000000 00:00 0
            Size:                  4 kB
            7f0020001000-7f0020004000 rw-p 00000000 00:00 0
            Size:                 12 kB
            """;

        // 64 MiB-aligned rw-p followed by a file; 64 MiB-aligned rw-p + ---p ending at 32 MiB (a GC region); rw-p above
        // an 892 KiB reserve (too large for a guard); 12 KiB above a guard page (too small for a thread stack).
        MemoryMapSnapshot
            .Parse(text, out _)
            .Select(m => m.Category)
            .Where(c => c != MappingCategory.Files)
            .ShouldAllBe(c => c == MappingCategory.OtherAnonymous);
    }

    [Fact]
    public void An_entry_overlapping_an_earlier_one_is_skipped()
    {
        // The kernel writes smaps a page at a time: a mapping that moved while it was read can show up twice.
        const string text = """
            7f0000000000-7f0000001000 rw-p 00000000 00:00 0
            Rss:                   4 kB
            7f0000002000-7f0000004000 rw-p 00000000 00:00 0
            Rss:                   8 kB
            7f0000002000-7f0000003000 rw-p 00000000 00:00 0
            Rss:                 400 kB
            7f0000005000-7f0000006000 rw-p 00000000 00:00 0
            Rss:                   4 kB
            """;

        var snapshot = MemoryMapSnapshot.FromText(text);

        snapshot.MappingCount.ShouldBe(3);
        snapshot.SkippedEntries.ShouldBe(1);
        snapshot[MappingCategory.OtherAnonymous].RssBytes.ShouldBe(16 * KiB);
    }

    [Fact]
    public void This_process_has_a_heap_thread_stacks_and_files()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var snapshot = new MemoryMapSnapshot(keepPaths: true);
        snapshot.TryRead(out _).ShouldBeTrue(); // first read: JIT
        var clock = Stopwatch.StartNew();
        const int Reads = 10;
        for (var i = 0; i < Reads; i++)
            snapshot.TryRead(out _);
        var perRead = clock.Elapsed.TotalMilliseconds / Reads;

        var ok = snapshot.TryRead(out var unavailable);

        ok.ShouldBeTrue(unavailable);
        output.WriteLine($"{snapshot.MappingCount} mappings, {perRead:0.0} ms per read, {snapshot.SkippedEntries} skipped");
        foreach (var category in Enum.GetValues<MappingCategory>())
            output.WriteLine($"{category}: {snapshot[category]}");
        snapshot[MappingCategory.Heap].Count.ShouldBe(1);
        snapshot[MappingCategory.ThreadStacks].Count.ShouldBeGreaterThanOrEqualTo(3); // [stack], and a thread's guard and stack
        snapshot[MappingCategory.Files].RssBytes.ShouldBeGreaterThan(0);
        snapshot.GetFile(typeof(object).Assembly.Location).Count.ShouldBeGreaterThan(0);
        snapshot[MappingCategory.OtherAnonymous].RssBytes.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Reading_into_a_snapshot_leaves_nothing_on_the_managed_heap()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var snapshot = new MemoryMapSnapshot(keepPaths: false);
        var descriptors = new FileDescriptorSnapshot(keepNames: false);
        snapshot.TryRead(out _);
        descriptors.TryRead(out _);
        var managed = new ManagedHeapProbe();
        LeakRunner.ForceFullCollection();
        var before = managed.Read();

        snapshot.TryRead(out _).ShouldBeTrue();
        descriptors.TryRead(out _).ShouldBeTrue();
        LeakRunner.ForceFullCollection();
        var growth = managed.Read() - before;

        // File.ReadAllBytes would leave its pooled buffers (hundreds of KiB) here; a string per path, ~50 KiB.
        growth.ShouldBeLessThan(4 * KiB);
    }
}
