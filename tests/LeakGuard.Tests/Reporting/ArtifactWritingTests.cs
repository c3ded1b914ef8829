using System.Text.Json;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;
using static LeakGuard.Tests.Reporting.ArtifactReports;

namespace LeakGuard.Tests.Reporting;

/// <summary>Where artifacts go, when they are written, and that writing never changes a verdict.</summary>
public sealed class ArtifactWritingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "leakguard-artifact-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    /// <summary>
    /// Options for a clean run whose verdict is not under test: one short round, and budgets no empty operation can
    /// exceed even when another component of this shared test host (a heap snapshot just taken, the JIT) grows meanwhile.
    /// </summary>
    private LeakOptions CleanRun(string testName, ArtifactPolicy policy = ArtifactPolicy.OnFailure) =>
        Options(testName, policy) with
        {
            Iterations = 10,
            MaxIterations = 10,
            MaxManagedBytesPerIteration = 1 << 20,
            MaxNativeBytesPerIteration = 1 << 20,
            MaxHandlesPerIteration = 100,
            MaxThreadsPerIteration = 100,
        };

    private LeakOptions Options(string testName, ArtifactPolicy policy = ArtifactPolicy.OnFailure) =>
        new()
        {
            TestName = testName,
            Artifacts = policy,
            ArtifactsDirectory = _root,
            CaptureHeapSummary = false,
        };

    [Theory]
    [InlineData("Contoso.Tests.OrderTests.Lookup_does_not_leak", "Contoso.Tests.OrderTests.Lookup_does_not_leak")]
    [InlineData("Contoso.Tests.Quotes.Quote(currency: \"EUR\")", "Contoso.Tests.Quotes.Quote(currency_EUR_)-5f7f51d5")]
    [InlineData("../../etc/passwd", "etc_passwd-3754d6cb")]
    [InlineData("C:\\temp\\x", "C_temp_x-86644e25")]
    [InlineData("Cache<List<int>>.Get", "Cache_List_int_.Get-30498cdd")]
    [InlineData("CON", "_CON-a3dbc4b6")]
    [InlineData("nul.txt", "_nul.txt-7f3cbdd5")]
    [InlineData("...", "test-ab5df625")]
    [InlineData("_Foo", "Foo-28453fda")]
    [InlineData("", "leak-run")]
    [InlineData(null, "leak-run")]
    public void Test_names_become_safe_folder_names_with_a_stable_hash_when_made_safe(string? testName, string folder) =>
        LeakArtifacts.FolderName(testName).ShouldBe(folder);

    [Fact]
    public void Theory_rows_whose_names_differ_only_in_unsafe_characters_write_to_their_own_folders()
    {
        // Both rows sanitize to M(x_a_b_): without the hash of the exact name they shared one folder, the second run's
        // report replaced the first's, and `leakguard baseline update --prune` then dropped the first row.
        const string slash = "Contoso.Tests.Paths.M(x: \"a/b\")";
        const string colon = "Contoso.Tests.Paths.M(x: \"a:b\")";

        var first = LeakTest.Run(EmptyOperation.Run, CleanRun(slash, ArtifactPolicy.Always));
        var second = LeakTest.Run(EmptyOperation.Run, CleanRun(colon, ArtifactPolicy.Always));

        first.ArtifactsDirectory.ShouldBe(Path.Combine(_root, "Contoso.Tests.Paths.M(x_a_b_)-5a0e193d"), first.ToString());
        second.ArtifactsDirectory.ShouldBe(Path.Combine(_root, "Contoso.Tests.Paths.M(x_a_b_)-6802fe85"), second.ToString());
        var reports = Directory
            .EnumerateFiles(_root, LeakArtifacts.ReportFileName, SearchOption.AllDirectories)
            .Select(file => JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("testName").GetString())
            .Order(StringComparer.Ordinal);
        reports.ShouldBe([slash, colon]);
    }

    [Fact]
    public void Long_test_names_are_cut_to_100_characters_ending_with_a_stable_hash_of_the_full_name()
    {
        var prefix = "Contoso.Tests." + new string('A', 200);
        var first = LeakArtifacts.FolderName(prefix + ".First");
        var second = LeakArtifacts.FolderName(prefix + ".Second");

        first.Length.ShouldBe(100);
        first.ShouldStartWith("Contoso.Tests.AAAA");
        first.ShouldMatch("-[0-9a-f]{8}$");
        second.ShouldNotBe(first);
        LeakArtifacts.FolderName(prefix + ".First").ShouldBe(first);
        LeakArtifacts.FolderName(new string('b', 100)).ShouldBe(new string('b', 100));
    }

    [Fact]
    public void The_test_results_directory_is_TestResults_in_the_nearest_project_folder()
    {
        var project = Directory.CreateDirectory(Path.Combine(_root, "src", "App.Tests"));
        File.WriteAllText(Path.Combine(project.FullName, "App.Tests.fsproj"), "<Project />");
        var output = Directory.CreateDirectory(Path.Combine(project.FullName, "bin", "Debug", "net10.0"));
        var orphan = Directory.CreateDirectory(Path.Combine(_root, "published"));

        LeakArtifacts.FindTestResultsDirectory(output.FullName).ShouldBe(Path.Combine(project.FullName, "TestResults"));
        LeakArtifacts.FindTestResultsDirectory(orphan.FullName).ShouldBe(Path.Combine(orphan.FullName, "TestResults"));
    }

    [Fact]
    public void The_artifacts_directory_is_the_option_then_the_environment_variable_then_the_test_results_folder()
    {
        var previous = Environment.GetEnvironmentVariable(LeakArtifacts.DirectoryEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(LeakArtifacts.DirectoryEnvironmentVariable, null);
            var byDefault = LeakArtifacts.GetDirectory(new LeakOptions { TestName = "A.B" });
            // This assembly runs from tests/LeakGuard.Tests/bin/<configuration>/<framework>/.
            byDefault.ShouldEndWith(Path.Combine("LeakGuard.Tests", "TestResults", "leakguard", "A.B"));
            File.Exists(Path.Combine(byDefault, "..", "..", "..", "LeakGuard.Tests.csproj")).ShouldBeTrue(byDefault);

            Environment.SetEnvironmentVariable(LeakArtifacts.DirectoryEnvironmentVariable, Path.Combine(_root, "from-env"));
            LeakArtifacts.GetDirectory(new LeakOptions { TestName = "A.B" }).ShouldBe(Path.Combine(_root, "from-env", "A.B"));
            LeakArtifacts
                .GetDirectory(new LeakOptions { ArtifactsDirectory = Path.Combine(_root, "option") })
                .ShouldBe(Path.Combine(_root, "option", "leak-run"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(LeakArtifacts.DirectoryEnvironmentVariable, previous);
        }
    }

    [Fact]
    public void Write_puts_the_json_one_chart_per_measured_metric_and_the_summary_in_the_folder()
    {
        var folder = Path.Combine(_root, "manual");

        var files = LeakArtifacts.Write(ManagedLeak(), folder);

        files.ShouldBe(["report.json", "managed-heap.svg", "native-memory.svg", "threads.svg", "summary.md"]);
        Directory.GetFiles(folder).Select(Path.GetFileName).Order().ShouldBe(files.Order());
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))).RootElement.GetProperty("schemaVersion").GetInt32().ShouldBe(1);
        foreach (var chart in files.Where(f => f.EndsWith(".svg", StringComparison.Ordinal)))
            SvgAssert.Valid(File.ReadAllText(Path.Combine(folder, chart)));
        File.ReadAllText(Path.Combine(folder, "summary.md"))
            .ShouldStartWith("## LeakGuard: leak detected in `Contoso.Tests.OrderCacheTests.Lookup_does_not_leak`");
    }

    [Fact]
    public void A_second_run_of_the_same_test_replaces_the_files_and_removes_charts_it_did_not_draw()
    {
        var folder = Path.Combine(_root, "again");
        LeakArtifacts.Write(ManagedLeak(), folder);
        var second = Report([
            Metric(LeakMetric.ManagedHeap, Linear(50, 0, 24), MetricVerdict.Leak, 24, 24, 24, 0, "kept growing"),
            NotMeasured(LeakMetric.Threads),
        ]);

        LeakArtifacts.Write(second, folder);

        Directory.GetFiles(folder).Select(Path.GetFileName).Order().ShouldBe(["managed-heap.svg", "report.json", "summary.md"]);
        File.ReadAllText(Path.Combine(folder, "managed-heap.svg")).ShouldContain("24.0 B/iteration");
    }

    [Theory]
    [InlineData(ArtifactPolicy.OnFailure, true, true)]
    [InlineData(ArtifactPolicy.OnFailure, false, false)]
    [InlineData(ArtifactPolicy.Always, false, true)]
    [InlineData(ArtifactPolicy.Always, true, true)]
    [InlineData(ArtifactPolicy.Never, true, false)]
    public void The_policy_decides_which_runs_write(ArtifactPolicy policy, bool leaks, bool writes)
    {
        var verdict = leaks ? MetricVerdict.Leak : MetricVerdict.Pass;
        var report = Report([Metric(LeakMetric.ManagedHeap, Linear(50, 0, 24), verdict, 24, 24, 24, 0, "why")], Options("Policy.Case", policy));

        LeakArtifacts.WriteIfRequested(report);

        Directory.Exists(Path.Combine(_root, "Policy.Case")).ShouldBe(writes);
        report.ArtifactsUnavailableReason.ShouldBeNull();
        if (!writes)
        {
            report.ArtifactsDirectory.ShouldBeNull();
            report.ArtifactFiles.ShouldBeEmpty();
            report.ToString().ShouldNotContain("Artifacts");
            return;
        }
        report.ArtifactsDirectory.ShouldBe(Path.Combine(_root, "Policy.Case"));
        report.ArtifactFiles.ShouldBe(["report.json", "managed-heap.svg", "summary.md"]);
        report
            .ToString()
            .ShouldEndWith(
                $"{Environment.NewLine}{Environment.NewLine}Artifacts: {report.ArtifactsDirectory} (report.json, summary.md, 1 chart){Environment.NewLine}"
            );
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report.ArtifactsDirectory!, "report.json")));
        json.RootElement.GetProperty("artifactsDirectory").GetString().ShouldBe(report.ArtifactsDirectory);
        json.RootElement.GetProperty("testName").GetString().ShouldBe("Policy.Case");
        json.RootElement.GetProperty("options").GetProperty("artifacts").GetString().ShouldBe(policy == ArtifactPolicy.Always ? "always" : "onFailure");
    }

    [Fact]
    public void A_folder_that_cannot_be_written_leaves_the_verdict_and_says_why()
    {
        Directory.CreateDirectory(_root);
        var regularFile = Path.Combine(_root, "not-a-folder");
        File.WriteAllText(regularFile, "x");
        var report = Report(
            [Metric(LeakMetric.ManagedHeap, Linear(50, 0, 24), MetricVerdict.Leak, 24, 24, 24, 0, "kept growing")],
            Options("Blocked") with
            {
                ArtifactsDirectory = Path.Combine(regularFile, "sub"),
            }
        );

        Should.NotThrow(() => LeakArtifacts.WriteIfRequested(report));

        report.HasLeak.ShouldBeTrue();
        report.ArtifactsDirectory.ShouldBeNull();
        report.ArtifactFiles.ShouldBeEmpty();
        report.ArtifactsUnavailableReason.ShouldNotBeNull();
        report.ArtifactsUnavailableReason.ShouldStartWith($"Artifacts could not be written to '{Path.Combine(regularFile, "sub", "Blocked")}': ");
        report.ArtifactsUnavailableReason.ShouldMatch(@"[^.] \((IOException|DirectoryNotFoundException|UnauthorizedAccessException)\)\.$");
        report.ToString().TrimEnd().ShouldEndWith(report.ArtifactsUnavailableReason);
        using var json = JsonDocument.Parse(report.ToJson());
        json.RootElement.GetProperty("artifactsUnavailableReason").GetString().ShouldBe(report.ArtifactsUnavailableReason);
        json.RootElement.GetProperty("artifactsDirectory").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void A_leaking_run_writes_its_artifacts_and_the_report_points_to_them()
    {
        LeakReport report;
        try
        {
            report = LeakTest.Run(KilobyteRecordLeak.Run, Options("Engine.KilobyteRecordLeak") with { Iterations = 20, MaxIterations = 60 });
        }
        finally
        {
            KilobyteRecordLeak.Reset();
        }

        report.HasLeak.ShouldBeTrue(report.ToString());
        var folder = Path.Combine(_root, "Engine.KilobyteRecordLeak");
        report.ArtifactsDirectory.ShouldBe(folder);
        var charts = report.Metrics.Where(m => m.IsMeasured).Select(m => LeakGuard.Reporting.SvgChart.FileName(m.Metric)).ToList();
        Directory.GetFiles(folder).Select(Path.GetFileName).Order().ShouldBe(charts.Append("report.json").Append("summary.md").Order());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));
        json.RootElement.GetProperty("hasLeak").GetBoolean().ShouldBeTrue();
        json.RootElement.GetProperty("artifactsDirectory").GetString().ShouldBe(folder);
        var managed = SvgAssert.Valid(File.ReadAllText(Path.Combine(folder, "managed-heap.svg")));
        SvgAssert.Points(SvgAssert.ById(managed, "samples").Attribute("points")!.Value).Count.ShouldBe(report[LeakMetric.ManagedHeap].Samples.Count);
        File.ReadAllText(Path.Combine(folder, "summary.md")).ShouldContain("**LEAK**");
        var text = report.ToString();
        // The managed heap leaks; in a short run another thread's native growth can be called a leak too (seen once in a
        // loaded CI run), which changes the count on the first line but not what this test is about.
        text.ShouldStartWith("LeakGuard: leak detected: ");
        text.ShouldContain(" grew over budget in Engine.KilobyteRecordLeak.");
        // About 1 KiB/iteration: more than another thread of a loaded test host keeps or frees during the run.
        report[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Leak, text);
        text.ShouldContain("  managed heap grew ");
        text.ShouldContain($"Artifacts: {folder} (report.json, summary.md, {charts.Count} charts)");
    }

    [Fact]
    public async Task A_passing_run_writes_nothing_unless_asked()
    {
        var clean = LeakTest.Run(EmptyOperation.Run, CleanRun("Engine.Clean"));

        clean.HasLeak.ShouldBeFalse(clean.ToString());
        clean.ArtifactsDirectory.ShouldBeNull();
        Directory.Exists(Path.Combine(_root, "Engine.Clean")).ShouldBeFalse();
        clean.ToString().ShouldStartWith("LeakGuard: no leak: every metric within budget over 10 iterations in Engine.Clean.");

        var always = await LeakTest.RunAsync(() => Task.CompletedTask, CleanRun("Engine.CleanAsync", ArtifactPolicy.Always));

        always.HasLeak.ShouldBeFalse(always.ToString());
        always.ArtifactsDirectory.ShouldBe(Path.Combine(_root, "Engine.CleanAsync"));
        File.ReadAllText(Path.Combine(always.ArtifactsDirectory!, "summary.md")).ShouldStartWith("## LeakGuard: no leak in `Engine.CleanAsync`");
    }

    [Fact]
    public void An_unwritable_folder_does_not_fail_a_real_run()
    {
        Directory.CreateDirectory(_root);
        var regularFile = Path.Combine(_root, "file");
        File.WriteAllText(regularFile, "x");

        var report = LeakTest.Run(EmptyOperation.Run, CleanRun("Engine.Blocked", ArtifactPolicy.Always) with { ArtifactsDirectory = regularFile });

        report.HasLeak.ShouldBeFalse(report.ToString());
        report.ArtifactsUnavailableReason.ShouldNotBeNull();
        report.ToString().ShouldContain($"Artifacts could not be written to '{Path.Combine(regularFile, "Engine.Blocked")}'");
    }
}
