using System.Diagnostics;
using System.Diagnostics.Tracing;
using LeakGuard.HeapAnalysis;
using LeakGuard.Tool.Commands;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace LeakGuard.Tool.Watching;

/// <summary>Two heap snapshots of the target, some time apart, and their comparison.</summary>
/// <param name="DelaySeconds">Seconds between the two snapshots.</param>
/// <param name="DumpSeconds">How long writing each dump took: the target is suspended for about that long.</param>
/// <param name="GcInduced">Whether a full GC was induced in the target before each snapshot (so that dumps hold live objects only).</param>
/// <param name="Comparison">The comparison (growing types, retention paths); null when it failed.</param>
/// <param name="Error">Why there is no comparison; null when there is one.</param>
internal sealed record SnapshotReport(double DelaySeconds, IReadOnlyList<double> DumpSeconds, bool GcInduced, HeapComparison? Comparison, string? Error);

/// <summary>
/// Takes heap snapshots of another process: a full GC induced through EventPipe (the runtime provider's
/// <c>GCHeapCollect</c> keyword, as <c>dotnet-gcdump</c> does), then <see cref="DiagnosticsClient.WriteDump(DumpType, string, bool)"/>
/// with the heap into a file created with mode 0600 (a dump holds everything in memory, secrets included), read with
/// ClrMD by <see cref="HeapAnalyzer"/>, and deleted.
/// </summary>
internal static class TargetSnapshots
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>
    /// Takes two snapshots <paramref name="delay"/> apart and compares them within <paramref name="analysisTimeout"/>;
    /// never throws for a failed snapshot or analysis (see <see cref="SnapshotReport.Error"/>): the verdict stands.
    /// </summary>
    public static async Task<SnapshotReport> CompareAsync(
        int pid,
        TimeSpan delay,
        string? directory,
        int topTypes,
        TimeSpan analysisTimeout,
        Action<string>? progress,
        CancellationToken cancellationToken
    )
    {
        // The user's own folder (0700, owner checked): a folder another user can write would let them read or swap dumps.
        directory ??= LeakGuard.Diagnostics.PrivateDirectory.Default;
        if (!LeakGuard.Diagnostics.PrivateDirectory.TryEnsure(directory, out var folderProblem))
            return new SnapshotReport(delay.TotalSeconds, [], false, null, folderProblem);
        var dumps = new[] { NewPath(directory, pid), NewPath(directory, pid) };
        var dumpSeconds = new List<double>();
        var induced = true;
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < dumps.Length; i++)
            {
                if (i > 0)
                {
                    var wait = delay - clock.Elapsed;
                    progress?.Invoke($"waiting {Units.Duration(wait > TimeSpan.Zero ? wait : TimeSpan.Zero)} before the second heap snapshot");
                    if (wait > TimeSpan.Zero)
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                progress?.Invoke($"heap snapshot {i + 1} of 2 of process {pid}");
                induced &= InduceFullGc(pid, TimeSpan.FromSeconds(10));
                if (i == 0)
                    clock.Restart();
                dumpSeconds.Add(WriteDump(pid, dumps[i], cancellationToken));
            }
            var elapsed = clock.Elapsed;
            progress?.Invoke("reading the snapshots (ClrMD) and searching retention paths");
            var comparison = await DumpErrors
                .ReadWithinAsync(
                    "the heap snapshots",
                    analysisTimeout,
                    token => HeapAnalyzer.Compare(dumps, new HeapComparisonOptions { TopTypes = topTypes, PathTypes = Math.Min(5, topTypes) }, token),
                    cancellationToken
                )
                .ConfigureAwait(false);
            return new SnapshotReport(elapsed.TotalSeconds, dumpSeconds, induced, comparison, null);
        }
        catch (ToolException e)
        {
            return new SnapshotReport(delay.TotalSeconds, dumpSeconds, induced, null, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new SnapshotReport(
                delay.TotalSeconds,
                dumpSeconds,
                induced,
                null,
                $"the heap snapshots could not be read ({e.GetType().Name}: {e.Message.Trim()})"
            );
        }
        finally
        {
            foreach (var dump in dumps)
            {
                try
                {
                    File.Delete(dump);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>
    /// Time limit of one heap snapshot: 2 minutes, as in the engine (a 360 MB heap with 10M objects takes 3.1 s). A
    /// dump that has not finished by then (createdump stuck on a full or slow disk, a target that stopped answering)
    /// is abandoned. Tests shorten it.
    /// </summary>
    internal static TimeSpan DumpTimeLimit = TimeSpan.FromMinutes(2);

    /// <summary>Writes a dump with the heap of a process to an existing empty file (tests replace it with one that never finishes).</summary>
    internal static Action<int, string> DumpWriter = (pid, path) => new DiagnosticsClient(pid).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);

    /// <summary>
    /// Writes a dump with the heap of <paramref name="pid"/> to <paramref name="path"/> (created first with mode 0600), on
    /// a dedicated thread, within <see cref="DumpTimeLimit"/>; returns the seconds it took.
    /// </summary>
    /// <exception cref="ToolException">The dump could not be written, or did not finish within <see cref="DumpTimeLimit"/> (it is then abandoned).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> (SIGINT/SIGTERM) was cancelled while waiting.</exception>
    public static double WriteDump(int pid, string path, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        try
        {
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                    Directory.CreateDirectory(directory);
                else
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            using (File.Create(path)) { }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var limit = DumpTimeLimit;
            var clock = Stopwatch.StartNew();
            if (!LeakGuard.Diagnostics.BoundedWork.TryRun(() => DumpWriter(pid, path), limit, "leakguard heap snapshot", cancellationToken))
                throw new ToolException(
                    $"a heap snapshot of process {pid} could not be taken: writing a dump to '{path}' did not finish within {Units.Duration(limit)} and was abandoned."
                );
            var seconds = clock.Elapsed.TotalSeconds;
            if (new FileInfo(path).Length == 0)
                throw new ToolException($"no heap snapshot was written to '{path}' (createdump wrote an empty file; is there disk space?).");
            return seconds;
        }
        catch (Exception e) when (e is ServerErrorException or ServerNotAvailableException or IOException or UnauthorizedAccessException)
        {
            throw new ToolException(
                $"a heap snapshot of process {pid} could not be taken: writing a dump to '{directory}' failed ({e.GetType().Name}: {e.Message.Trim()}).",
                e
            );
        }
    }

    /// <summary>Induces a full blocking GC in the target through EventPipe and waits for it to end; false when it could not.</summary>
    public static bool InduceFullGc(int pid, TimeSpan timeout)
    {
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword);
        try
        {
            using var session = new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
            using var done = new ManualResetEventSlim();
            var reader = Task.Factory.StartNew(
                () =>
                {
                    try
                    {
                        using var source = new EventPipeEventSource(session.EventStream);
                        // Wait for the end of a full (gen2) GC: the induced one, or one that happened meanwhile.
                        var fullGc = false;
                        source.Clr.GCStart += e => fullGc |= e.Depth == 2;
                        source.Clr.GCHeapStats += _ =>
                        {
                            if (fullGc)
                                done.Set();
                        };
                        source.Process();
                    }
                    catch (Exception)
                    {
                        done.Set();
                    }
                },
                TaskCreationOptions.LongRunning
            );
            var collected = done.Wait(timeout);
            try
            {
                session.Stop();
            }
            catch (Exception) { }
            reader.Wait(TimeSpan.FromSeconds(5));
            return collected;
        }
        catch (Exception e) when (e is ServerErrorException or ServerNotAvailableException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string NewPath(string directory, int pid) => Path.Combine(directory, $"leakguard-{pid}-{Guid.NewGuid():N}.dmp");
}
