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
    private readonly bool _byCopy = HeapSummarizer.SnapshotsByCopy;

    public DumpWritingTests()
    {
        Directory.CreateDirectory(_directory);
        // These tests are about dumps: snapshots are not copies of the memory here.
        HeapSummarizer.SnapshotsByCopy = false;
    }

    public void Dispose()
    {
        HeapSummarizer.DumpWriter = _writer;
        HeapSummarizer.DumpTimeLimit = _limit;
        HeapSummarizer.SnapshotsByCopy = _byCopy;
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
    public void A_dump_that_fails_while_the_analysis_child_waits_for_it_stops_the_child_and_the_verdict_stands()
    {
        // The first two dumps are real (the child, started before the first, reads them); the third comes out empty,
        // as createdump on a disk that just filled up.
        var dumps = 0;
        HeapSummarizer.DumpWriter = path =>
        {
            if (Interlocked.Increment(ref dumps) < 3)
                _writer(path);
        };

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = _directory });
        KilobyteRecordLeak.Reset();

        report.HasLeak.ShouldBeTrue(report.ToString());
        report.HeapSummary.ShouldBeNull();
        var reason = report.HeapSummaryUnavailableReason.ShouldNotBeNull();
        reason.ShouldStartWith($"no dump was written to '{_directory}/leakguard-");
        reason.ShouldEndWith(".dmp' (createdump produced an empty file; is there disk space?).");
        dumps.ShouldBe(3);
        ProcessesNaming(_directory).ShouldBeEmpty("the analysis child waiting for the third dump is killed");
        Directory.GetFiles(_directory, "*.dmp").ShouldBeEmpty("the dumps are deleted");
        Directory.GetFiles(_directory, "leakguard-analysis-*").ShouldBeEmpty("no result file is left behind");
    }

    /// <summary>Processes whose command line names <paramref name="directory"/> (Linux; none elsewhere, where this is not checked).</summary>
    private static List<string> ProcessesNaming(string directory)
    {
        var found = new List<string>();
        if (!OperatingSystem.IsLinux())
            return found;
        foreach (var process in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out _))
                continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(directory, StringComparison.Ordinal))
                    found.Add($"{Path.GetFileName(process)}: {commandLine}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
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
