using LeakGuard.Diagnostics;
using LeakGuard.Tests.Analysis;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Running;

/// <summary><see cref="LeakOptions.Progress"/>: what a failing run's diagnosis tells while it works, and when it keeps quiet.</summary>
public class ProgressTests
{
    /// <summary>A synchronous sink (unlike <see cref="Progress{T}"/>, which posts to the synchronization context).</summary>
    private sealed class Recorder : IProgress<LeakProgress>
    {
        public List<LeakProgress> Reports { get; } = [];

        public void Report(LeakProgress value) => Reports.Add(value);
    }

    private sealed class Throwing : IProgress<LeakProgress>
    {
        public int Calls { get; private set; }

        public void Report(LeakProgress value)
        {
            Calls++;
            throw new InvalidOperationException("a broken test output");
        }
    }

    private static readonly HeapSummary Summary = ScriptedHeapDiagnoser.Summary(
        grewInEveryInterval: true,
        new TypeGrowth("Contoso.Order", 100, 150, 10_000, 30_000, 50)
    );

    private static Task<LeakReport> RunLeak(IProgress<LeakProgress> progress) =>
        new ScriptedSampleSource()
            .With(LeakMetric.ManagedHeap, (i, _) => 400.0 * i)
            .RunAsync(new LeakOptions { Progress = progress }, new ScriptedHeapDiagnoser(Summary));

    [Fact]
    public async Task A_leak_reports_the_snapshots_the_analysis_and_the_end_of_the_diagnosis_in_that_order()
    {
        var recorder = new Recorder();

        var report = await RunLeak(recorder);

        report.HasLeak.ShouldBeTrue(report.ToString());
        recorder.Reports.Select(r => r.Stage).ShouldBe([LeakStage.HeapSnapshots, LeakStage.HeapAnalysis, LeakStage.DiagnosisFinished]);
        recorder.Reports[0].Message.ShouldBe("LeakGuard: managed heap over budget: 400 B/iteration (budget 0); taking 3 heap snapshots 25 iterations apart…");
        recorder.Reports[1].Message.ShouldBe("scripted: analysing");
        recorder.Reports[2].Message.ShouldStartWith("LeakGuard: heap summary done in ");
        recorder.Reports[2].Message.ShouldEndWith(" s (1 growing type).");
        recorder.Reports.Select(r => r.Elapsed).ShouldBeInOrder(SortDirection.Ascending);
        recorder.Reports[0].ToString().ShouldStartWith("[");
        recorder.Reports[0].ToString().ShouldEndWith("s] " + recorder.Reports[0].Message);
    }

    [Fact]
    public async Task A_missing_heap_summary_is_reported_with_its_reason()
    {
        var recorder = new Recorder();

        await new ScriptedSampleSource()
            .With(LeakMetric.ManagedHeap, (i, _) => 400.0 * i)
            .RunAsync(new LeakOptions { Progress = recorder }, new ScriptedHeapDiagnoser(null, "a heap snapshot could not be taken: disk full."));

        recorder.Reports[^1].Stage.ShouldBe(LeakStage.DiagnosisFinished);
        recorder.Reports[^1].Message.ShouldStartWith("LeakGuard: no heap summary, after ");
        recorder.Reports[^1].Message.ShouldEndWith(" s: a heap snapshot could not be taken: disk full.");
    }

    [Fact]
    public async Task A_passing_run_reports_nothing()
    {
        var recorder = new Recorder();

        var report = await new ScriptedSampleSource().RunAsync(new LeakOptions { Progress = recorder }, new ScriptedHeapDiagnoser(Summary));

        report.Failed.ShouldBeFalse(report.ToString());
        recorder.Reports.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_handler_that_throws_loses_neither_the_verdict_nor_the_heap_summary()
    {
        var throwing = new Throwing();
        var expected = await RunLeak(new Recorder());

        var report = await RunLeak(throwing);

        throwing.Calls.ShouldBe(3);
        report.HasLeak.ShouldBeTrue();
        report.HeapSummary.ShouldNotBeNull().Types.Select(t => t.TypeName).ShouldBe(["Contoso.Order"]);
        report[LeakMetric.ManagedHeap].Reason.ShouldBe(expected[LeakMetric.ManagedHeap].Reason);
    }

    [Fact]
    public void A_real_diagnosis_says_how_long_its_snapshots_took_before_the_analysis_starts()
    {
        var recorder = new Recorder();

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { Progress = recorder });
        KilobyteRecordLeak.Reset();

        report.HeapSummary.ShouldNotBeNull(report.ToString());
        // Native attribution comes first when another thread of this shared test host grew native memory meanwhile.
        var diagnosis = recorder.Reports.Where(r => r.Stage != LeakStage.NativeAttribution).ToList();
        diagnosis.Select(r => r.Stage).ShouldBe([LeakStage.HeapSnapshots, LeakStage.HeapAnalysis, LeakStage.DiagnosisFinished]);
        diagnosis[0].Message.ShouldStartWith("LeakGuard: managed heap over budget: ");
        diagnosis[1].Message.ShouldStartWith("LeakGuard: 3 heap snapshots taken in ");
        diagnosis[1].Message.ShouldContain(" MiB); the analysis child, reading them since the first, finishes the histograms and retention paths…");
    }
}
