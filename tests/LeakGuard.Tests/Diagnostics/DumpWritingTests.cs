using LeakGuard.Diagnostics;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>A dump that does not finish (createdump stuck on a full or slow disk) is a reason beside the verdict, within a time limit.</summary>
public sealed class DumpWritingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "leakguard-tests", Guid.NewGuid().ToString("N"));
    private readonly Action<string> _writer = HeapSummarizer.DumpWriter;
    private readonly TimeSpan _limit = HeapSummarizer.DumpTimeLimit;
    private readonly ManualResetEventSlim _release = new();

    public DumpWritingTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        HeapSummarizer.DumpWriter = _writer;
        HeapSummarizer.DumpTimeLimit = _limit;
        _release.Set();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_dump_that_does_not_finish_within_the_time_limit_is_abandoned_and_the_verdict_stands()
    {
        // A dump writer that never returns until the test ends, as createdump blocked on its disk.
        HeapSummarizer.DumpWriter = _ => _release.Wait();
        HeapSummarizer.DumpTimeLimit = TimeSpan.FromSeconds(1);

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory });
        KilobyteRecordLeak.Reset();

        report.HasLeak.ShouldBeTrue(report.ToString());
        report.HeapSummary.ShouldBeNull();
        var reason = report.HeapSummaryUnavailableReason.ShouldNotBeNull();
        reason.ShouldStartWith($"a heap snapshot could not be taken: writing a dump to '{_directory}/leakguard-");
        reason.ShouldEndWith(".dmp' did not finish within 1 s (the time limit of a heap snapshot) and was abandoned.");
        report.ToString().ShouldContain("The verdict above stands.");
        Directory.GetFiles(_directory, "*.dmp").ShouldBeEmpty("the abandoned dump's file is deleted");
    }

    [Fact]
    public void The_runs_own_time_limit_bounds_a_dump_when_it_is_shorter()
    {
        HeapSummarizer.DumpWriter = _ => _release.Wait();

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory, Timeout = TimeSpan.FromSeconds(20) });
        KilobyteRecordLeak.Reset();

        report.HasLeak.ShouldBeTrue(report.ToString());
        // The run started before the dump, so its Timeout runs out first: the dump's wait is cancelled, the verdict stands.
        report.HeapSummaryUnavailableReason.ShouldBe("the run's Timeout of 20 s ran out during the heap summary; raise LeakOptions.Timeout for one");
        report.ToString().ShouldContain("The verdict above stands.");
        Directory.GetFiles(_directory, "*.dmp").ShouldBeEmpty("the abandoned dump's file is deleted");
    }
}
