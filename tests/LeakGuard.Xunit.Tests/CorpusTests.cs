using System.Reflection;
using LeakGuard.TestTargets;
using LeakGuard.Xunit.TestData;
using LeakGuard.Xunit.Tests.Pipeline;

namespace LeakGuard.Xunit.Tests;

/// <summary>
/// (a) Every case of the corpus as a [NoLeak] test run through xUnit: leaking cases fail with a leak report naming
/// their metric (and, where the heap summary is on, the leaking type); clean cases pass.
/// </summary>
public sealed class CorpusTests(CorpusTests.Run fixture) : IClassFixture<CorpusTests.Run>
{
    public sealed class Run : ScenarioFixture
    {
        private protected override Task<InProcessRun> RunAsync() => XunitPipeline.RunAsync(typeof(CorpusScenario));
    }

    public static TheoryData<string> LeakingCases => new(Corpus.Leaking.Select(c => c.Name));

    public static TheoryData<string> CleanCases => new(Corpus.Clean.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(LeakingCases))]
    public void Leaking_case_fails_with_a_report_naming_its_metric(string name)
    {
        var corpusCase = Corpus.Get(name);
        var result = fixture.Run.Single(name);

        result.ShouldFailWithLeak(corpusCase.LeakingMetric!.Value);
        if (CapturesHeapSummary(name) && corpusCase.ExpectedTypeInHeapSummary is { } type)
        {
            result.Message!.ShouldContain("Heap summary (ClrMD");
            result.Message!.ShouldContain(type, Case.Sensitive, result.Message);
            if (corpusCase.ExpectedRetention is { } retention)
                result.Message!.ShouldContain(retention, Case.Sensitive, result.Message);
        }
        else
        {
            result.Message!.ShouldNotContain("Heap summary (");
        }
    }

    [Theory]
    [MemberData(nameof(CleanCases))]
    public void Clean_case_passes(string name) => fixture.Run.Single(name).ShouldPass();

    [Fact]
    public void A_leak_report_names_its_test_and_points_to_its_artifacts()
    {
        var message = fixture.Run.Single(nameof(CorpusScenario.StaticList)).Message!;
        var testName = $"{typeof(CorpusScenario).FullName}.{nameof(CorpusScenario.StaticList)}";

        message.Split('\n')[0].TrimEnd().ShouldEndWith($" in {testName}.");
        var folder = System
            .Text.RegularExpressions.Regex.Match(message, @"^Artifacts: (.+) \(report\.json", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Groups[1]
            .Value;
        // The default folder, unless CI redirects every run's artifacts (LEAKGUARD_ARTIFACTS_DIRECTORY, as .ci/run does).
        var root = Environment.GetEnvironmentVariable(LeakArtifacts.DirectoryEnvironmentVariable) is { Length: > 0 } redirected
            ? redirected
            : Path.Combine("TestResults", "leakguard");
        folder.ShouldEndWith(Path.Combine(root, testName), Case.Sensitive, message);
        File.Exists(Path.Combine(folder, "summary.md")).ShouldBeTrue(folder);
        File.Exists(Path.Combine(folder, "managed-heap.svg")).ShouldBeTrue(folder);
    }

    [Fact]
    public void Every_corpus_case_is_a_test_with_one_result()
    {
        var methods = typeof(CorpusScenario).GetMethods().Where(m => m.IsDefined(typeof(NoLeakAttribute))).Select(m => m.Name);
        methods.ShouldBe(Corpus.All.Select(c => c.Name), ignoreOrder: true);
        Corpus.Leaking.Count.ShouldBeGreaterThanOrEqualTo(14);
        Corpus.Clean.Count.ShouldBe(16);

        fixture.Run.FrameworkType.ShouldBe(typeof(LeakGuardTestFramework).FullName);
        fixture.Run.ShouldHaveOneResultPerTest(Corpus.All.Count());
    }

    [Fact]
    public void Heap_summary_is_on_for_some_managed_leaks_and_names_their_types()
    {
        var withSummary = Corpus.Leaking.Where(c => c.ExpectedTypeInHeapSummary is not null && CapturesHeapSummary(c.Name)).ToList();
        withSummary.Count.ShouldBeGreaterThanOrEqualTo(2);
        // The six retention-path acceptance cases (static event, static collection, static dictionary of closures,
        // strong GC handle, linked CancellationTokenSource, array growing in size) all keep their heap summary.
        var withRetention = Corpus.Leaking.Where(c => c.ExpectedRetention is not null).ToList();
        withRetention.Count.ShouldBe(6);
        withRetention.ShouldAllBe(c => CapturesHeapSummary(c.Name));
    }

    private static bool CapturesHeapSummary(string name) => typeof(CorpusScenario).GetMethod(name)!.GetCustomAttribute<NoLeakAttribute>()!.CaptureHeapSummary;
}
