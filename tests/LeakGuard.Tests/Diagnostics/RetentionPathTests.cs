using LeakGuard.TestTargets;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>
/// Real leaks through the engine, real snapshots, the real child process: the failure text names the GC root that
/// keeps the leaked objects alive, the way a developer names it.
/// </summary>
public class RetentionPathTests(ITestOutputHelper output)
{
    public static TheoryData<string> CasesWithRoots() => [.. Corpus.Leaking.Where(c => c.ExpectedRetention is not null).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CasesWithRoots))]
    public async Task The_failure_text_names_the_root(string name)
    {
        var corpusCase = Corpus.Leaking.Single(c => c.Name == name);
        try
        {
            var report = await LeakTest.RunAsync(corpusCase.Run, new LeakOptions { Iterations = 50 });
            var text = report.ToString();
            output.WriteLine(text);

            report.HasLeak.ShouldBeTrue(text);
            report.HeapSummary.ShouldNotBeNull(text);
            text.ShouldContain(corpusCase.ExpectedRetention!, Case.Sensitive, text);
        }
        finally
        {
            corpusCase.Reset?.Invoke();
        }
    }
}
