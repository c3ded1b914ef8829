using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Running;

/// <summary>Every corpus case through the engine with default options: leaks caught, clean cases pass.</summary>
public class CorpusTests
{
    public static TheoryData<string> Leaking => new(Corpus.Leaking.Select(c => c.Name));

    public static TheoryData<string> Clean => new(Corpus.Clean.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Leaking))]
    public async Task Leaking_operations_are_caught_with_default_options(string name)
    {
        var corpusCase = Corpus.Get(name);
        // The heap summary is checked where the corpus names the type to expect.
        var options = new LeakOptions { CaptureHeapSummary = corpusCase.ExpectedTypeInHeapSummary is not null };

        LeakReport report;
        try
        {
            report = await LeakTest.RunAsync(corpusCase.Run, options);
        }
        finally
        {
            corpusCase.Reset?.Invoke();
        }

        var text = report.ToString() + Increments(report);
        report.HasLeak.ShouldBeTrue(text);
        report[corpusCase.LeakingMetric!.Value].Verdict.ShouldBe(MetricVerdict.Leak, text);
        text.ShouldContain($"{MetricReport.GetName(corpusCase.LeakingMetric.Value)} grew ");
        if (corpusCase.ExpectedTypeInHeapSummary is { } type)
        {
            report.HeapSummary.ShouldNotBeNull(text);
            report.HeapSummary.Types.ShouldContain(t => t.TypeName.Contains(type), text);
        }
    }

    [Theory]
    [MemberData(nameof(Clean))]
    public async Task Clean_operations_pass_with_default_options(string name)
    {
        var corpusCase = Corpus.Get(name);

        LeakReport report;
        try
        {
            report = await LeakTest.RunAsync(corpusCase.Run);
        }
        finally
        {
            corpusCase.Reset?.Invoke();
        }

        report.HasLeak.ShouldBeFalse(report.ToString() + Increments(report));
        report.HeapSummary.ShouldBeNull();
    }

    /// <summary>Every metric's change from sample to sample, to diagnose a wrong verdict from the failure text alone.</summary>
    private static string Increments(LeakReport report) =>
        string.Concat(
            report
                .Metrics.Where(m => m.IsMeasured)
                .Select(m =>
                    $"\n{m.Name} increments: {string.Join(' ', m.Samples.Skip(1).Select((s, i) => (s.Value - m.Samples[i].Value).ToString("+0;-0;0", System.Globalization.CultureInfo.InvariantCulture)))}"
                )
        );

    [Fact]
    public void The_corpus_has_at_least_twelve_leaking_and_twelve_clean_cases()
    {
        Corpus.Leaking.Count.ShouldBeGreaterThanOrEqualTo(12);
        Corpus.Clean.Count.ShouldBeGreaterThanOrEqualTo(12);
        Corpus.Leaking.Select(c => c.LeakingMetric).Distinct().Count().ShouldBe(4);
    }
}
