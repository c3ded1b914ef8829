using LeakGuard.Diagnostics;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>
/// The analysis child reads the snapshots as they are written, so it exists in the host before the first: nothing of
/// its own (its Process object, its standard input pipe and the socket objects the pipe creates on first use) may
/// grow between the snapshots, or it would be listed as growth and counted against the rule that a leak whose
/// snapshots show no type growing is another thread's.
/// </summary>
public sealed class StreamingSnapshotTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "leakguard-tests", Guid.NewGuid().ToString("N"));

    public StreamingSnapshotTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_analysis_childs_own_objects_do_not_grow_between_the_snapshots_of_a_clean_operation()
    {
        var outcome = await HeapSummarizer.TryCaptureAsync(
            static () => default,
            new LeakOptions { Iterations = 10, SnapshotDirectory = _directory },
            static () => { }
        );

        var summary = outcome.Summary.ShouldNotBeNull(outcome.UnavailableReason);
        // With nothing grown in every interval, the summary lists what grew from the first snapshot to the last.
        // The child's pipe: its socket objects (created on the pipe's first write) and the child's Process object.
        var all = string.Join("\n", summary.Types.Select(t => $"{t.TypeName} ({t.CountBefore} → {t.CountAfter})"));
        var own = summary
            .Types.Where(t =>
                t.TypeName.StartsWith("System.Net.Sockets.", StringComparison.Ordinal)
                || t.TypeName == "System.Diagnostics.Process"
                || t.TypeName.StartsWith("System.IO.Pipes.", StringComparison.Ordinal)
            )
            .Select(t => t.TypeName)
            .ToList();
        own.ShouldBeEmpty(all);
        summary.SafeHandleTypes.ShouldNotContain(t => t.TypeName.Contains("Socket", StringComparison.Ordinal), all);
    }
}
