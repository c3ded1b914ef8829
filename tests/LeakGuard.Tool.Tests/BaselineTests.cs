using System.Globalization;
using System.Text.Json;
using LeakGuard.Isolated;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace LeakGuard.Tool.Tests;

/// <summary>
/// The tests on real leak runs run alone, after the parallel ones: one of them changes the current directory of the whole
/// process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LeakRunCollection
{
    public const string Name = "leak runs";
}

/// <summary>
/// The report.json files of three real leak runs (<see cref="LeakTest.Run(Action, LeakOptions?)"/> with
/// <see cref="ArtifactPolicy.Always"/>): <see cref="StaticListLeak"/> (one 24-byte object per iteration),
/// <see cref="NativeBufferLeak"/> (1 KiB of native memory per iteration) and <see cref="EmptyOperation"/>, written into
/// one artifacts folder as a test suite's run would.
/// </summary>
/// <remarks>
/// Each run measures a whole process for 20 iterations, so they run in a process of their own (<see cref="IsolatedProcess"/>):
/// no test runner's thread allocates or frees meanwhile, and the figures are the exact ones the tests rely on.
/// </remarks>
public sealed class RealRunArtifacts : IDisposable
{
    public const string Leaky = "LeakGuard.TestTargets.StaticListLeak.Run";
    public const string Native = "LeakGuard.TestTargets.NativeBufferLeak.Run";
    public const string Clean = "LeakGuard.TestTargets.EmptyOperation.Run";

    public RealRunArtifacts()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"leakguard-baseline-real-{Guid.NewGuid():N}");
        var runs = IsolatedProcess.Run("baseline-runs", Directory).GetProperty("runs").EnumerateArray().Select(IsolatedRun.Parse).ToArray();
        LeakyReport = runs.Single(r => r.TestName == Leaky);
        NativeReport = runs.Single(r => r.TestName == Native);
        CleanReport = runs.Single(r => r.TestName == Clean);
    }

    public string Directory { get; }

    public IsolatedRun LeakyReport { get; }

    public IsolatedRun NativeReport { get; }

    public IsolatedRun CleanReport { get; }

    public IEnumerable<IsolatedRun> Reports => [LeakyReport, NativeReport, CleanReport];

    /// <summary>A copy of the artifacts folder, for a test that changes it.</summary>
    public string Copy()
    {
        var copy = Directory + "-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Directory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>`baseline update` on the report.json files of real leak runs.</summary>
[Collection(LeakRunCollection.Name)]
public sealed class BaselineRealRunTests(RealRunArtifacts runs, ITestOutputHelper log) : IClassFixture<RealRunArtifacts>, IDisposable
{
    private readonly string _directory = Scratch.Create();

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_runs_wrote_their_reports()
    {
        runs.LeakyReport.ArtifactsDirectory.ShouldNotBeNull(runs.LeakyReport.ArtifactsUnavailableReason);
        File.Exists(Path.Combine(runs.LeakyReport.ArtifactsDirectory, "report.json")).ShouldBeTrue();
        foreach (var report in runs.Reports)
            File.Exists(Path.Combine(report.ArtifactsDirectory!, "report.json")).ShouldBeTrue(report.TestName);
        runs.LeakyReport[LeakMetric.ManagedHeap].PerIteration.ShouldBe(24, runs.LeakyReport.Text);
        runs.NativeReport[LeakMetric.NativeHeap].LowerBound.ShouldBeGreaterThan(512, runs.NativeReport.Text);
        runs.CleanReport[LeakMetric.ManagedHeap].PerIteration.ShouldBe(0, runs.CleanReport.Text);
        runs.CleanReport[LeakMetric.NativeHeap].PerIteration.ShouldBeLessThan(100_000, runs.CleanReport.Text);
    }

    [Fact]
    public async Task Update_records_the_measured_slope_of_every_metric_of_every_test()
    {
        var baseline = Path.Combine(_directory, "leakguard.baseline.json");

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", runs.Directory, "--baseline", baseline);

        log.WriteLine(output + error + File.ReadAllText(baseline));
        code.ShouldBe(0, output + error);
        var recorded = LeakBaseline.Load(baseline);
        recorded.Tests.Keys.ShouldBe(new[] { RealRunArtifacts.Clean, RealRunArtifacts.Native, RealRunArtifacts.Leaky }); // ordinal order
        foreach (var report in runs.Reports)
        {
            foreach (var metric in report.Metrics.Where(m => m.IsMeasured))
            {
                recorded.TryGetSlope(report.TestName!, metric.Metric, out var slope).ShouldBeTrue($"{report.TestName} {metric.Metric}");
                slope.ShouldBe(AsRecorded(metric), $"{report.TestName} {metric.Metric}");
            }
        }
        recorded.TryGetSlope(RealRunArtifacts.Leaky, LeakMetric.ManagedHeap, out var leaky).ShouldBeTrue();
        recorded.TryGetSlope(RealRunArtifacts.Clean, LeakMetric.ManagedHeap, out var clean).ShouldBeTrue();
        leaky.ShouldBeGreaterThanOrEqualTo(20);
        clean.ShouldBeLessThan(leaky);
        output.ShouldContain("(new file)");
        output.ShouldContain(RealRunArtifacts.Leaky);
        output.ShouldContain("added");
        output.ShouldContain($"Summary: 3 tests in 3 reports; slopes: {recorded.Tests.Sum(t => t.Value.Count)} added, 0 lowered, 0 raised");
        File.ReadAllText(baseline).ShouldBe(recorded.ToJson());
    }

    [Fact]
    public async Task A_second_update_from_the_same_reports_changes_nothing()
    {
        var baseline = Path.Combine(_directory, "leakguard.baseline.json");
        (await Leakguard.RunAsync("baseline", "update", "--artifacts", runs.Directory, "--baseline", baseline)).Code.ShouldBe(0);
        var bytes = File.ReadAllBytes(baseline);
        var written = File.GetLastWriteTimeUtc(baseline);

        var (code, output, _) = await Leakguard.RunAsync("baseline", "update", "--artifacts", runs.Directory, "--baseline", baseline, "--ratchet");

        code.ShouldBe(0, output);
        output.ShouldContain("No changes.");
        output.ShouldContain("the baseline file is unchanged");
        File.ReadAllBytes(baseline).ShouldBe(bytes);
        File.GetLastWriteTimeUtc(baseline).ShouldBe(written);
    }

    [Fact]
    public async Task Ratchet_refuses_to_raise_a_fixed_leak_that_came_back_and_exits_1()
    {
        // Both leaks recorded as fixed (0 per iteration). The native leak is back at ~1 KiB/iteration, over the 256 B
        // floor: refused. The managed one is back at 24 B/iteration, within the 64 B floor: kept at 0 (the gate passes it
        // too). The clean test's native memory was recorded high and is lowered.
        var baseline = Path.Combine(_directory, "leakguard.baseline.json");
        LeakBaseline
            .Empty.WithTest(RealRunArtifacts.Native, new Dictionary<LeakMetric, double> { [LeakMetric.NativeHeap] = 0 })
            .WithTest(RealRunArtifacts.Leaky, new Dictionary<LeakMetric, double> { [LeakMetric.ManagedHeap] = 0 })
            .WithTest(RealRunArtifacts.Clean, new Dictionary<LeakMetric, double> { [LeakMetric.NativeHeap] = 100_000 })
            .Save(baseline);

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", runs.Directory, "--baseline", baseline, "--ratchet");

        log.WriteLine(output + error);
        code.ShouldBe(1, output + error);
        output.ShouldContain($"Refused to raise {RealRunArtifacts.Native} native memory: measured ");
        output.ShouldContain("REFUSED: lower bound ");
        output.ShouldContain("kept: lower bound ");
        output.ShouldContain("Exit code 1: 1 slope over its baseline");
        var after = LeakBaseline.Load(baseline);
        after.TryGetSlope(RealRunArtifacts.Native, LeakMetric.NativeHeap, out var refused).ShouldBeTrue();
        refused.ShouldBe(0, "a ratchet never raises a recorded slope");
        after.TryGetSlope(RealRunArtifacts.Leaky, LeakMetric.ManagedHeap, out var kept).ShouldBeTrue();
        kept.ShouldBe(0, "a ratchet never raises a recorded slope");
        after.TryGetSlope(RealRunArtifacts.Clean, LeakMetric.NativeHeap, out var lowered).ShouldBeTrue();
        lowered.ShouldBe(AsRecorded(runs.CleanReport[LeakMetric.NativeHeap]));
        lowered.ShouldBeLessThan(100_000);
        // Metrics not recorded before are added.
        after.TryGetSlope(RealRunArtifacts.Native, LeakMetric.ManagedHeap, out _).ShouldBeTrue();
    }

    /// <summary>What the baseline records for a measured slope: clamped at 0 and rounded, through the public API.</summary>
    private static double AsRecorded(IsolatedMetric metric) =>
        LeakBaseline.Empty.WithTest("t", new Dictionary<LeakMetric, double> { [metric.Metric] = metric.PerIteration }).Tests["t"][metric.Metric];

    [Fact]
    public async Task The_default_baseline_is_leakguard_baseline_json_in_the_current_directory()
    {
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _directory;
        try
        {
            var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", runs.Directory);

            code.ShouldBe(0, output + error);
            File.Exists(Path.Combine(_directory, LeakBaseline.DefaultFileName)).ShouldBeTrue();
            (await Leakguard.RunAsync("baseline", "show")).Out.ShouldContain(RealRunArtifacts.Leaky);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public async Task Prune_drops_tests_without_a_report()
    {
        var artifacts = runs.Copy();
        try
        {
            var baseline = Path.Combine(_directory, "leakguard.baseline.json");
            (await Leakguard.RunAsync("baseline", "update", "--artifacts", artifacts, "--baseline", baseline)).Code.ShouldBe(0);
            System.IO.Directory.Delete(Path.Combine(artifacts, Path.GetRelativePath(runs.Directory, runs.CleanReport.ArtifactsDirectory!)), recursive: true);

            (await Leakguard.RunAsync("baseline", "update", "--artifacts", artifacts, "--baseline", baseline)).Code.ShouldBe(0);
            LeakBaseline.Load(baseline).Tests.Keys.ShouldContain(RealRunArtifacts.Clean, "kept without --prune");

            var (code, output, _) = await Leakguard.RunAsync("baseline", "update", "--artifacts", artifacts, "--baseline", baseline, "--prune");

            code.ShouldBe(0, output);
            LeakBaseline.Load(baseline).Tests.Keys.ShouldBe(new[] { RealRunArtifacts.Native, RealRunArtifacts.Leaky });
            output.ShouldContain("removed");
            output.ShouldContain("1 test removed");
        }
        finally
        {
            System.IO.Directory.Delete(artifacts, recursive: true);
        }
    }
}

/// <summary>`baseline update` and `baseline show` on report.json files written in the documented schema (docs/report-schema.md).</summary>
public sealed class BaselineTests : IDisposable
{
    private readonly string _directory = Scratch.Create();

    private string Artifacts => Path.Combine(_directory, "artifacts");

    private string BaselineFile => Path.Combine(_directory, "leakguard.baseline.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Update_without_ratchet_adds_lowers_and_raises()
    {
        Record(("A", LeakMetric.ManagedHeap, 100), ("A", LeakMetric.NativeHeap, 300), ("B", LeakMetric.Handles, 1));
        Report("A", ("managedHeap", 40, 30, "pass"), ("nativeHeap", 900, 850, "leak"), ("threads", 0, 0, "pass"));
        Report("C", ("managedHeap", 24.04, 23, "leak"));

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile, "--json");

        code.ShouldBe(0, output + error);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("verb").GetString().ShouldBe("baseline update");
        json.GetProperty("written").GetBoolean().ShouldBeTrue();
        Changes(json)
            .ShouldBe(new[] { "A managedHeap 100 → 40 lowered", "A nativeHeap 300 → 900 raised", "A threads — → 0 added", "C managedHeap — → 24 added" });
        var recorded = LeakBaseline.Load(BaselineFile);
        Slope(recorded, "A", LeakMetric.NativeHeap).ShouldBe(900);
        Slope(recorded, "B", LeakMetric.Handles).ShouldBe(1, "tests without a report are kept");
        Slope(recorded, "C", LeakMetric.ManagedHeap).ShouldBe(24);
    }

    [Fact]
    public async Task Ratchet_keeps_a_rise_within_the_allowance_and_adds_new_tests()
    {
        // Recorded 100 B native: allowance max(25, 256) → 356 B. Measured 150 B, lower bound 120 B: noise, kept at 100.
        Record(("A", LeakMetric.NativeHeap, 100), ("A", LeakMetric.ManagedHeap, 500));
        Report("A", ("nativeHeap", 150, 120, "pass"), ("managedHeap", 480, 470, "leak"));
        Report("New", ("handles", 0.5, 0.4, "leak"));

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile, "--ratchet");

        code.ShouldBe(0, output + error);
        output.ShouldContain("kept: lower bound 120 B within 356 B");
        output.ShouldContain("added (a leak: accepted until fixed)");
        var recorded = LeakBaseline.Load(BaselineFile);
        Slope(recorded, "A", LeakMetric.NativeHeap).ShouldBe(100);
        Slope(recorded, "A", LeakMetric.ManagedHeap).ShouldBe(480);
        Slope(recorded, "New", LeakMetric.Handles).ShouldBe(0.5);
    }

    [Fact]
    public async Task Ratchet_refusal_is_in_the_json_and_the_tolerance_option_moves_it()
    {
        // Recorded 1000 B managed: allowance max(250, 64) → 1250 B; lower bound 1300 B is over it.
        Record(("A", LeakMetric.ManagedHeap, 1000));
        Report("A", ("managedHeap", 1400, 1300, "leak"));

        var (code, output, _) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile, "--ratchet", "--json");

        code.ShouldBe(1);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("exitCode").GetInt32().ShouldBe(1);
        var change = json.GetProperty("changes")[0];
        change.GetProperty("change").GetString().ShouldBe("refused");
        change.GetProperty("allowed").GetDouble().ShouldBe(1250);
        change.GetProperty("lowerBound").GetDouble().ShouldBe(1300);
        json.GetProperty("written").GetBoolean().ShouldBeFalse();

        // With 50 % the allowance is 1500 B: the same rise is within it.
        var (wider, widerOutput, _) = await Leakguard.RunAsync(
            "baseline",
            "update",
            "--artifacts",
            Artifacts,
            "--baseline",
            BaselineFile,
            "--ratchet",
            "--tolerance",
            "0.5"
        );
        wider.ShouldBe(0, widerOutput);
        Slope(LeakBaseline.Load(BaselineFile), "A", LeakMetric.ManagedHeap).ShouldBe(1000);
    }

    [Fact]
    public async Task Several_reports_for_one_test_count_with_their_highest_slope()
    {
        Report("A", "linux", ("nativeHeap", 90, 10, "pass"));
        Report("A", "windows", ("nativeHeap", 300, 200, "pass"));

        var (code, output, _) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile);

        code.ShouldBe(0, output);
        output.ShouldContain("Note: 2 reports for 'A': the highest slope of each metric counts.");
        Slope(LeakBaseline.Load(BaselineFile), "A", LeakMetric.NativeHeap).ShouldBe(300);
    }

    [Fact]
    public async Task Reports_without_a_test_name_are_skipped_with_a_warning()
    {
        Report("A", ("managedHeap", 0, 0, "pass"));
        Report(null, ("managedHeap", 500, 500, "leak"));

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile);

        code.ShouldBe(0, output + error);
        error.ShouldContain("warning: ");
        error.ShouldContain("no testName (the run had no LeakOptions.TestName); skipped.");
        LeakBaseline.Load(BaselineFile).Tests.Keys.ShouldBe(new[] { "A" });
    }

    [Fact]
    public async Task Only_unnamed_reports_is_an_error()
    {
        Report(null, ("managedHeap", 500, 500, "leak"));

        var (code, _, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile);

        code.ShouldBe(2);
        error.ShouldContain("none of the 1 report.json files under");
        File.Exists(BaselineFile).ShouldBeFalse();
    }

    [Fact]
    public async Task Metrics_not_measured_or_unknown_are_not_recorded()
    {
        Report("A", ("managedHeap", 10, 5, "notMeasured"), ("nativeHeap", null, null, "pass"), ("gcHandles", 3, 3, "leak"), ("threads", -2, -3, "pass"));

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile);

        code.ShouldBe(0, output + error);
        error.ShouldContain("is metric 'gcHandles', which this leakguard does not know; not recorded.");
        var slopes = LeakBaseline.Load(BaselineFile).Tests["A"];
        slopes.Keys.ShouldBe(new[] { LeakMetric.Threads });
        slopes[LeakMetric.Threads].ShouldBe(0, "a shrinking metric is recorded as 0");
    }

    public static TheoryData<string, string> MalformedReports =>
        new()
        {
            { "{\"schemaVersion\": 1, \"metrics\": [", "is not valid JSON (line 1): " },
            { "[]", "': not a LeakGuard report: the document is an array, not an object." },
            { "{\"metrics\": []}", "': not a LeakGuard report: no 'schemaVersion'." },
            { "{\"schemaVersion\": 2, \"metrics\": []}", "': report schemaVersion 2 is not supported; this leakguard reads report schema version 1" },
            { "{\"schemaVersion\": 1, \"testName\": \"A\"}", "': not a LeakGuard report: no 'metrics' array." },
            { "{\"schemaVersion\": 1, \"testName\": 5, \"metrics\": []}", "': testName must be a string or null, but was 5." },
            {
                "{\"schemaVersion\": 1, \"testName\": \"A\", \"metrics\": [{\"metric\": \"managedHeap\", \"verdict\": \"pass\", \"slope\": {\"perIteration\": \"x\"}}]}",
                "': metrics[0].slope.perIteration must be a number or null, but was \"x\"."
            },
            { "{\"schemaVersion\": 1, \"testName\": \"A\", \"metrics\": [{\"verdict\": \"pass\"}]}", "': metrics[0].metric must be a string, but is missing." },
        };

    [Theory]
    [MemberData(nameof(MalformedReports))]
    public async Task A_malformed_report_exits_2_naming_the_file(string content, string message)
    {
        Report("A", ("managedHeap", 0, 0, "pass"));
        var bad = Path.Combine(Artifacts, "zz-bad", "report.json");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllText(bad, content);

        var (code, output, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile, "--json");

        code.ShouldBe(2);
        error.ShouldContain($"leakguard baseline update: error: '{bad}");
        error.ShouldContain(message);
        error.ShouldNotContain("   at ");
        JsonDocument.Parse(output).RootElement.GetProperty("error").GetString()!.ShouldContain(bad);
        File.Exists(BaselineFile).ShouldBeFalse("nothing is written when a report cannot be read");
    }

    [Fact]
    public async Task A_missing_artifacts_directory_exits_2()
    {
        var missing = Path.Combine(_directory, "no-such-folder");

        var (code, _, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", missing, "--baseline", BaselineFile);

        code.ShouldBe(2);
        error.ShouldContain($"no artifacts directory at '{missing}'.");
    }

    [Fact]
    public async Task An_artifacts_directory_without_reports_exits_2()
    {
        Directory.CreateDirectory(Path.Combine(Artifacts, "some-test"));
        File.WriteAllText(Path.Combine(Artifacts, "some-test", "summary.md"), "# not a report");

        var (code, _, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile);

        code.ShouldBe(2);
        error.ShouldContain($"no report.json under '{Artifacts}'.");
        error.ShouldContain("Artifacts = ArtifactPolicy.Always");
    }

    [Fact]
    public async Task A_malformed_baseline_exits_2_with_its_line_and_is_not_overwritten()
    {
        Report("A", ("managedHeap", 0, 0, "pass"));
        const string Malformed = "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": { \"managedheap\": 0 }\n  }\n}\n";
        File.WriteAllText(BaselineFile, Malformed);

        var (code, _, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile);

        code.ShouldBe(2);
        error.ShouldContain($"{BaselineFile}(4): unknown key 'managedheap' in test 'A' (did you mean 'managedHeap'?)");
        File.ReadAllText(BaselineFile).ShouldBe(Malformed);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("10.5")]
    public async Task A_tolerance_out_of_range_exits_2(string tolerance)
    {
        Report("A", ("managedHeap", 0, 0, "pass"));

        var (code, _, error) = await Leakguard.RunAsync("baseline", "update", "--artifacts", Artifacts, "--baseline", BaselineFile, "--tolerance", tolerance);

        code.ShouldBe(2);
        error.ShouldContain($"--tolerance must be between 0 and 10, but was {tolerance}.");
    }

    [Fact]
    public async Task Update_requires_artifacts_and_every_verb_has_help_and_json()
    {
        (await Leakguard.RunAsync("baseline", "update")).Code.ShouldBe(2);
        (await Leakguard.RunAsync("baseline")).Code.ShouldBe(2);
        foreach (var verb in new[] { "update", "show" })
        {
            var (code, output, _) = await Leakguard.RunAsync("baseline", verb, "--help");
            code.ShouldBe(0);
            output.ShouldContain("--baseline");
            output.ShouldContain("--json");
        }
    }

    [Fact]
    public async Task Show_prints_the_recorded_slopes_as_text_and_json()
    {
        Record(("Contoso.Tests.OrderTests.Lookup", LeakMetric.NativeHeap, 84.2), ("Contoso.Tests.OrderTests.Lookup", LeakMetric.ManagedHeap, 0));

        var (code, output, _) = await Leakguard.RunAsync("baseline", "show", "--baseline", BaselineFile);
        var (jsonCode, json, _) = await Leakguard.RunAsync("baseline", "show", "--baseline", BaselineFile, "--json");

        code.ShouldBe(0);
        output.ShouldContain($"Baseline {BaselineFile}: 1 test");
        output.ShouldContain("Contoso.Tests.OrderTests.Lookup");
        output.ShouldContain("84.2 B");
        jsonCode.ShouldBe(0);
        var test = JsonDocument.Parse(json).RootElement.GetProperty("tests").GetProperty("Contoso.Tests.OrderTests.Lookup");
        test.GetProperty("nativeHeap").GetDouble().ShouldBe(84.2);
        test.TryGetProperty("handles", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Show_of_a_missing_file_exits_2()
    {
        var (code, _, error) = await Leakguard.RunAsync("baseline", "show", "--baseline", BaselineFile);

        code.ShouldBe(2);
        error.ShouldContain($"no baseline file at '{BaselineFile}'");
    }

    private static IEnumerable<string> Changes(JsonElement json) =>
        json.GetProperty("changes")
            .EnumerateArray()
            .Select(c =>
                $"{c.GetProperty("test").GetString()} {c.GetProperty("metric").GetString()} {Value(c.GetProperty("old"))} → {Value(c.GetProperty("new"))} {c.GetProperty("change").GetString()}"
            );

    private static string Value(JsonElement value) => value.ValueKind == JsonValueKind.Null ? "—" : value.GetDouble().ToString(CultureInfo.InvariantCulture);

    private static double Slope(LeakBaseline baseline, string test, LeakMetric metric) =>
        baseline.TryGetSlope(test, metric, out var slope) ? slope : throw new ShouldAssertException($"{test} {metric} is not recorded");

    private void Record(params (string Test, LeakMetric Metric, double Slope)[] slopes) =>
        slopes.GroupBy(s => s.Test).Aggregate(LeakBaseline.Empty, (b, g) => b.WithTest(g.Key, g.ToDictionary(s => s.Metric, s => s.Slope))).Save(BaselineFile);

    private void Report(string? testName, params (string Metric, double? Slope, double? LowerBound, string Verdict)[] metrics) => Report(testName, "", metrics);

    /// <summary>Writes <c>&lt;artifacts&gt;/&lt;run&gt;/&lt;test&gt;/report.json</c> with the fields of docs/report-schema.md that matter here.</summary>
    private void Report(string? testName, string run, params (string Metric, double? Slope, double? LowerBound, string Verdict)[] metrics)
    {
        var folder = Path.Combine(Artifacts, run, testName ?? "leak-run");
        Directory.CreateDirectory(folder);
        using var stream = File.Create(Path.Combine(folder, "report.json"));
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", 1);
        json.WriteBoolean("hasLeak", metrics.Any(m => m.Verdict == "leak"));
        json.WriteStartArray("metrics");
        foreach (var (metric, slope, lower, verdict) in metrics)
        {
            json.WriteStartObject();
            json.WriteString("metric", metric);
            json.WriteString("verdict", verdict);
            json.WriteNumber("budgetPerIteration", 0);
            json.WriteStartObject("slope");
            WriteNumber("perIteration", slope);
            WriteNumber("lowerBound", lower);
            WriteNumber("upperBound", slope);
            json.WriteEndObject();
            json.WriteStartArray("samples");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("testName", testName);
        json.WriteEndObject();

        void WriteNumber(string name, double? value)
        {
            if (value is { } v)
                json.WriteNumber(name, v);
            else
                json.WriteNull(name);
        }
    }
}

/// <summary>A fresh temporary folder per test.</summary>
internal static class Scratch
{
    public static string Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"leakguard-baseline-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
