using System.Reflection;
using System.Text.RegularExpressions;
using LeakGuard.NUnit.TestData;
using LeakGuard.TestTargets;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using Shouldly;

namespace LeakGuard.NUnit.Tests;

/// <summary>
/// The whole corpus through the NUnit pipeline: each fixture runs once, then one check per case.
/// A leaking case must fail naming its metric, over budget (and, where the fixture keeps the heap summary, the leaking
/// type); a clean case must pass.
/// </summary>
public class CorpusTests
{
    private static readonly Lazy<FixtureRun> LeakingRun = new(() => NUnitPipeline.Run(typeof(CorpusLeakingFixture)));
    private static readonly Lazy<FixtureRun> CleanRun = new(() => NUnitPipeline.Run(typeof(CorpusCleanFixture)));

    public static IEnumerable<CorpusCase> LeakingCases => Corpus.Leaking;

    public static IEnumerable<CorpusCase> CleanCases => Corpus.Clean;

    [TestCaseSource(nameof(LeakingCases))]
    public void Leaking_case_fails_naming_its_metric(CorpusCase corpusCase)
    {
        var message = LeakingRun.Value[corpusCase.Name].ShouldHaveFailed(ResultState.Failure);

        message.ShouldStartWith("LeakGuard: leak detected:");
        message.ShouldContain(MetricName(corpusCase.LeakingMetric!.Value) + " grew");
        message.ShouldContain("over budget");
        message.ShouldContain("LEAK");
        if (corpusCase.ExpectedTypeInHeapSummary is { } type && CorpusLeakingFixture.WithHeapSummary.Contains(corpusCase.Name))
        {
            message.ShouldContain("Heap summary", Case.Sensitive, message);
            message.ShouldContain(type, Case.Sensitive, message);
            if (corpusCase.ExpectedRetention is { } retention)
                message.ShouldContain(retention, Case.Sensitive, message);
        }
    }

    [TestCaseSource(nameof(CleanCases))]
    public void Clean_case_passes(CorpusCase corpusCase) => CleanRun.Value[corpusCase.Name].ShouldHavePassed();

    [Test]
    public void A_leak_report_names_its_test_and_points_to_its_artifacts()
    {
        var message = LeakingRun.Value[nameof(CorpusLeakingFixture.StaticList)].Message;
        var testName = $"{typeof(CorpusLeakingFixture).FullName}.{nameof(CorpusLeakingFixture.StaticList)}";

        message.Split('\n')[0].TrimEnd().ShouldEndWith($" in {testName}.");
        var folder = Regex.Match(message, @"^Artifacts: (.+) \(report\.json", RegexOptions.Multiline).Groups[1].Value;
        // The default folder, unless CI redirects every run's artifacts (LEAKGUARD_ARTIFACTS_DIRECTORY, as .ci/run does).
        var root = Environment.GetEnvironmentVariable(LeakArtifacts.DirectoryEnvironmentVariable) is { Length: > 0 } redirected
            ? redirected
            : Path.Combine("TestResults", "leakguard");
        folder.ShouldEndWith(Path.Combine(root, testName), Case.Sensitive, message);
        File.Exists(Path.Combine(folder, "summary.md")).ShouldBeTrue(folder);
    }

    [Test]
    public void Every_corpus_case_has_its_test_method_and_one_result()
    {
        Methods(typeof(CorpusLeakingFixture)).ShouldBe(Corpus.Leaking.Select(c => c.Name), ignoreOrder: true);
        Methods(typeof(CorpusCleanFixture)).ShouldBe(Corpus.Clean.Select(c => c.Name), ignoreOrder: true);
        LeakingRun.Value.TestCases.Select(r => r.Test.Name).ShouldBe(Corpus.Leaking.Select(c => c.Name), ignoreOrder: true);
        CleanRun.Value.TestCases.Select(r => r.Test.Name).ShouldBe(Corpus.Clean.Select(c => c.Name), ignoreOrder: true);
    }

    [Test]
    public void Heap_summary_cases_are_managed_leaks_with_an_expected_type() =>
        CorpusLeakingFixture.WithHeapSummary.ShouldAllBe(name => Corpus.Get(name).ExpectedTypeInHeapSummary != null);

    [Test]
    public void Every_case_with_an_expected_retention_path_keeps_its_heap_summary()
    {
        var withRetention = Corpus.Leaking.Where(c => c.ExpectedRetention is not null).Select(c => c.Name).ToList();
        withRetention.Count.ShouldBe(6);
        withRetention.ShouldBeSubsetOf(CorpusLeakingFixture.WithHeapSummary);
    }

    private static IEnumerable<string> Methods(Type fixture) =>
        fixture
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetCustomAttribute<NoLeakAttribute>() is not null)
            .Select(m => m.Name);

    private static string MetricName(LeakMetric metric) =>
        metric switch
        {
            LeakMetric.ManagedHeap => "managed heap",
            LeakMetric.NativeHeap => "native memory",
            LeakMetric.Handles => "handles",
            LeakMetric.Threads => "threads",
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
        };
}
