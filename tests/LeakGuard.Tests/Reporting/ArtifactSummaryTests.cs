using System.Text.RegularExpressions;
using LeakGuard.Reporting;
using Shouldly;
using Xunit;
using static LeakGuard.Tests.Reporting.ArtifactReports;

namespace LeakGuard.Tests.Reporting;

/// <summary>summary.md: Markdown for a CI step summary, pinned as approved text.</summary>
public partial class ArtifactSummaryTests
{
    private static readonly Dictionary<LeakMetric, string> Charts = new()
    {
        [LeakMetric.ManagedHeap] = "managed-heap.svg",
        [LeakMetric.NativeHeap] = "native-memory.svg",
        [LeakMetric.Threads] = "threads.svg",
    };

    [Fact]
    public void Summary_of_a_managed_leak_with_its_heap_summary()
    {
        var summary = MarkdownSummary.Write(ManagedLeak(), Charts, "report.json");

        Approvals.Verify(summary, nameof(ArtifactSummaryTests));
    }

    [Fact]
    public void Summary_of_a_passing_run_without_a_name()
    {
        var report = Report(
            [Metric(LeakMetric.ManagedHeap, Linear(50, 1000, 0), MetricVerdict.Pass, 0, 0, 0, 0, "no growth over budget"), NotMeasured(LeakMetric.Handles)],
            heapUnavailable: null
        );

        var summary = MarkdownSummary.Write(report, new Dictionary<LeakMetric, string> { [LeakMetric.ManagedHeap] = "managed-heap.svg" }, null);

        summary.ShouldStartWith("## LeakGuard: no leak\n\nEvery metric within budget over 50 iterations.\n", Case.Sensitive);
        summary.ShouldContain("| managed heap | pass | 0 B/iteration (95% CI 0–0) | 0 B/iteration | 51 | [managed-heap.svg](managed-heap.svg) |");
        summary.ShouldContain("| handles | not measured | – | 0 handles/iteration | 0 | – |");
        summary.ShouldNotContain("report.json");
        summary.ShouldNotContain("Heap summary");
    }

    [Fact]
    public void Type_names_are_code_spans_and_pipes_in_cells_are_escaped()
    {
        var summary = MarkdownSummary.Write(ManagedLeak(), Charts, "report.json");
        var row = summary.Split('\n').Single(l => l.Contains("Weird", StringComparison.Ordinal));

        row.ShouldContain("``System.Func<System.Int32, System.Boolean>\\|Weird`1``");
        UnescapedPipe().Matches(row).Count.ShouldBe(6, row); // five cells: six unescaped pipes
        foreach (var line in summary.Split('\n').Where(l => l.StartsWith('|')))
            UnescapedPipe().Matches(line).Count.ShouldBeOneOf([6, 7], line); // heap table: 5 cells; metrics table: 6
    }

    [Theory]
    [InlineData("a<b>&c", false, "a&lt;b&gt;&amp;c")]
    [InlineData("x|y", true, "x\\|y")]
    [InlineData("x|y", false, "x|y")]
    [InlineData("*not_emphasis* [not a link]", false, "\\*not\\_emphasis\\* \\[not a link\\]")]
    [InlineData("line\nbreak", false, "line break")]
    public void Plain_text_is_escaped(string text, bool inTable, string expected) => MarkdownSummary.Text(text, inTable).ShouldBe(expected);

    [Theory]
    [InlineData("List<int>", false, "`List<int>`")]
    [InlineData("A`1|B", true, "``A`1\\|B``")]
    [InlineData("`x`", false, "`` `x` ``")]
    public void Code_spans_hold_any_text(string text, bool inTable, string expected) => MarkdownSummary.Code(text, inTable).ShouldBe(expected);

    [Fact]
    public void The_heading_names_the_test_and_the_verdict()
    {
        var summary = MarkdownSummary.Write(ManagedLeak("Tests.Cache<T>.Lookup(key: \"a|b\")"), Charts, "report.json");

        summary.ShouldStartWith("## LeakGuard: leak detected in `Tests.Cache<T>.Lookup(key: \"a|b\")`\n");
        summary.ShouldContain("- **managed heap** grew 312 B/iteration (95% CI 300–330) over 750 iterations; budget 0 B/iteration.");
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();
}
