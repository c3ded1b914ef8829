using System.Text.Json;
using Shouldly;
using Xunit;

namespace LeakGuard.Tool.Tests;

/// <summary>`watch` and `run` against real processes: a managed leak, a native-only leak, and a stable one.</summary>
[Collection(LiveProcessCollection.Name)]
public sealed class WatchTests
{
    // Short watches: generous leak rates (512 KiB/s managed ≈ 1.8 GB/h; 1 MiB/s native ≈ 3.5 GB/h) against budgets that
    // the sample's own start-up growth stays under. The samples make 40 MB/s of garbage, so that the GC runs a few times a
    // second and the heap is measured after each GC.
    private static readonly string[] Budgets = ["--max-managed-growth", "100MB/h", "--max-native-growth", "300MB/h"];

    [Fact]
    public async Task Managed_leak_exits_1_and_names_the_leaking_type_and_its_retention_path()
    {
        using var target = await LeakyProcess.StartAsync("managed", rateKb: 512);

        var (code, output, error) = await Leakguard.RunAsync([
            "watch",
            target.Pid.ToString(),
            "--duration",
            "8s",
            "--interval",
            "500ms",
            "--snapshot-delay",
            "2s",
            .. Budgets,
        ]);

        code.ShouldBe(1, output + error);
        output.ShouldContain("managed heap grew");
        output.ShouldContain("OVER BUDGET");
        output.ShouldContain("LeakyService.RequestContext");
        output.ShouldContain("static LeakyService.SessionCache.Sessions");
        output.ShouldNotContain("while the managed heap is flat");
        output.ShouldNotContain("native memory grew", customMessage: "a managed leak is not native growth: the GC's own memory is left out");
        Directory.EnumerateFiles(SnapshotFolder, $"leakguard-{target.Pid}-*").ShouldBeEmpty("the dumps are deleted");
    }

    /// <summary>The user's private snapshot folder the CLI writes dumps to: <c>&lt;temp&gt;/leakguard-&lt;uid&gt;</c>.</summary>
    private static string SnapshotFolder =>
        OperatingSystem.IsWindows() ? Path.Combine(Path.GetTempPath(), "leakguard") : Path.Combine(Path.GetTempPath(), $"leakguard-{geteuid()}");

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    [Fact]
    public async Task A_heap_snapshot_that_does_not_finish_is_abandoned_within_its_time_limit_and_the_verdict_stands()
    {
        using var target = await LeakyProcess.StartAsync("managed", rateKb: 512);
        // A dump writer that never returns until the test ends, as createdump blocked on its disk.
        using var release = new ManualResetEventSlim();
        var writer = Watching.TargetSnapshots.DumpWriter;
        var limit = Watching.TargetSnapshots.DumpTimeLimit;
        Watching.TargetSnapshots.DumpWriter = (_, _) => release.Wait();
        Watching.TargetSnapshots.DumpTimeLimit = TimeSpan.FromSeconds(1);
        try
        {
            var (code, output, error) = await Leakguard.RunAsync([
                "watch",
                target.Pid.ToString(),
                "--duration",
                "6s",
                "--interval",
                "500ms",
                "--snapshot-delay",
                "1s",
                .. Budgets,
            ]);

            code.ShouldBe(1, output + error);
            output.ShouldContain("managed heap grew");
            output.ShouldContain(
                $"No heap summary: a heap snapshot of process {target.Pid} could not be taken: writing a dump to '{SnapshotFolder}/leakguard-{target.Pid}-"
            );
            output.ShouldContain(".dmp' did not finish within 1s and was abandoned.");
            Directory.EnumerateFiles(SnapshotFolder, $"leakguard-{target.Pid}-*").ShouldBeEmpty("the abandoned dump's file is deleted");
        }
        finally
        {
            Watching.TargetSnapshots.DumpWriter = writer;
            Watching.TargetSnapshots.DumpTimeLimit = limit;
            release.Set();
        }
    }

    [Fact]
    public async Task Native_leak_exits_1_and_says_native_memory_while_the_managed_heap_is_flat()
    {
        using var target = await LeakyProcess.StartAsync("native", rateKb: 1024);

        var (code, output, error) = await Leakguard.RunAsync([
            "watch",
            target.Pid.ToString(),
            "--duration",
            "6s",
            "--interval",
            "500ms",
            "--no-snapshots",
            .. Budgets,
        ]);

        code.ShouldBe(1, output + error);
        output.ShouldContain("native memory grew");
        output.ShouldContain("The growth is in native memory while the managed heap is flat");
    }

    [Fact]
    public async Task Stable_process_exits_0_and_the_json_says_no_growth_over_budget()
    {
        using var target = await LeakyProcess.StartAsync("none");

        var (code, output, error) = await Leakguard.RunAsync(["watch", target.Pid.ToString(), "--duration", "6s", "--interval", "500ms", "--json", .. Budgets]);

        code.ShouldBe(0, output + error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        root.GetProperty("verb").GetString().ShouldBe("watch");
        root.GetProperty("exitCode").GetInt32().ShouldBe(0);
        root.GetProperty("verdict").GetString().ShouldBe("no-growth-over-budget");
        root.GetProperty("process").GetProperty("pid").GetInt32().ShouldBe(target.Pid);
        root.GetProperty("process").GetProperty("name").GetString().ShouldBe("LeakyService");
        var metrics = root.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("metric").GetString()).ToList();
        metrics.ShouldBe(["managed-heap", "native-memory", "rss", "handles", "threads"]);
        root.GetProperty("metrics")[0].GetProperty("overBudget").GetBoolean().ShouldBeFalse();
        root.GetProperty("samples").GetInt32().ShouldBeGreaterThanOrEqualTo(10);
        root.GetProperty("cost").GetProperty("toolCpuPercent").GetDouble().ShouldBeLessThan(50);
    }

    [Fact]
    public async Task Watch_by_name_finds_the_process()
    {
        using var target = await LeakyProcess.StartAsync("none", settle: TimeSpan.FromSeconds(1));

        var (code, output, error) = await Leakguard.RunAsync([
            "watch",
            "--name",
            "LeakyService",
            "--duration",
            "2s",
            "--interval",
            "500ms",
            "--json",
            "--max-managed-growth",
            "1GB/h",
            "--max-native-growth",
            "10GB/h",
        ]);

        // Another test's LeakyService may be running at the same time in another test run: then the name is ambiguous.
        if (code == 2 && error.Contains("processes are named"))
            return;
        code.ShouldBe(0, output + error);
        JsonDocument.Parse(output).RootElement.GetProperty("process").GetProperty("pid").GetInt32().ShouldBe(target.Pid);
    }

    [Fact]
    public async Task Run_starts_the_command_watches_it_stops_it_and_names_the_leak()
    {
        var (code, output, error) = await Leakguard.RunAsync([
            "run",
            "--warmup",
            "2s",
            "--duration",
            "6s",
            "--interval",
            "500ms",
            "--snapshot-delay",
            "2s",
            .. Budgets,
            "--",
            "dotnet",
            LeakyProcess.AssemblyPath,
            "--leak",
            "managed",
            "--rate-kb",
            "512",
            "--garbage-kb",
            "4096",
        ]);

        code.ShouldBe(1, output + error);
        output.ShouldContain("LeakyService.RequestContext");
        var pid = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"process (\d+)").Groups[1].Value);
        Should.Throw<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid), "the started process is stopped");
    }
}
