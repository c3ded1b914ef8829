using System.Diagnostics;
using System.Globalization;
using LeakGuard.Analysis;
using LeakGuard.HeapAnalysis;
using LeakGuard.Running;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakGuard.Diagnostics;

/// <summary>The heap summary, or why there is none.</summary>
internal readonly record struct HeapSummaryOutcome(HeapSummary? Summary, string? UnavailableReason);

/// <summary>
/// Takes three heap snapshots of the current process, <c>max(1, Iterations / 2)</c> iterations apart, and has a child
/// process diff their per-type histograms and search the retention paths of the top growing types. A type is reported
/// when it grew in both intervals: one-time growth (lazy initialisation, the test runner serialising a new message
/// type) grows once and is left out.
/// </summary>
/// <remarks>
/// The dumps are read in another process, so nothing the analysis allocates is on the heap of a snapshot. That child
/// is started before the first snapshot and reads each dump while the operation runs towards the next
/// (<see cref="HeapAnalysisProcess.Streaming"/>): its <c>Process</c> object, pipes and reader thread are then on the
/// heap of every snapshot, and what tells it that a dump is complete is encoded before the first. The dump machinery
/// is exercised once before the first snapshot so that its one-time initialisation is not counted as growth.
/// <para>
/// On Linux (64-bit) a snapshot is a copy of this process's memory that the child takes itself
/// (<see cref="ProcessMemoryCopy"/>: every thread stopped for the copy, about one full GC's time at 10M objects (0.1–0.17 s for 545 MiB),
/// where a dump takes six to nine); nothing is written to disk. Where it cannot copy (another platform, no ptrace
/// access, not enough memory), and when <see cref="LeakOptions.KeepHeapDump"/> asks for a dump, the snapshot is a dump
/// written through the runtime's diagnostics server (<see cref="DiagnosticsClient.WriteDump(DumpType, string, bool)"/>,
/// which runs <c>createdump</c>) into a file created with mode 0600 in a folder no other user can write
/// (<see cref="PrivateDirectory"/>), deleted after reading. A child that crashes after reading copies cannot read them
/// again: the snapshots are then taken again, as dumps, and the summary says so.
/// </para>
/// </remarks>
internal static class HeapSummarizer
{
    public const int SnapshotCount = 3;

    /// <summary>Whether snapshots are copies of this process's memory where the platform allows (tests of the dump path turn it off).</summary>
    internal static bool SnapshotsByCopy = ProcessMemoryCopy.IsSupported;

    /// <summary>Extra environment variables for the analysis child (tests inject faults with it).</summary>
    internal static IReadOnlyDictionary<string, string>? ChildEnvironment;

    /// <param name="operation">The operation under test; it runs between the snapshots.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="throwIfStopped">Throws when the run's time limit or cancellation stops it.</param>
    /// <param name="cancellationToken">Stops the analysis.</param>
    /// <param name="managedBytesPerIteration">The managed heap slope the run measured, when it leaked: the analysis looks further for growth the listed types do not explain.</param>
    /// <param name="progress">Told after the last snapshot, when the analysis child (reading since the first) finishes the analysis; never between snapshots: what it allocates would be growth.</param>
    public static async Task<HeapSummaryOutcome> TryCaptureAsync(
        Func<ValueTask> operation,
        LeakOptions options,
        Action throwIfStopped,
        CancellationToken cancellationToken = default,
        double? managedBytesPerIteration = null,
        Action<LeakStage, string>? progress = null
    )
    {
        var copies = SnapshotsByCopy && !options.KeepHeapDump;
        var (outcome, crashedReadingCopies) = await CaptureAsync(
                operation,
                options,
                throwIfStopped,
                copies,
                null,
                cancellationToken,
                managedBytesPerIteration,
                progress
            )
            .ConfigureAwait(false);
        if (!crashedReadingCopies)
            return outcome;
        // The copies died with the child: the snapshots are taken again, as dumps, which a second child can reread.
        var crash = outcome.UnavailableReason?.TrimEnd('.');
        progress?.Invoke(LeakStage.HeapAnalysis, $"LeakGuard: the analysis of the memory copies crashed ({crash}); taking the heap snapshots again as dumps…");
        var note = $"the snapshots were taken again as dumps: the analysis of copies of the process's memory crashed ({crash})";
        var (again, _) = await CaptureAsync(operation, options, throwIfStopped, false, note, cancellationToken, managedBytesPerIteration, progress)
            .ConfigureAwait(false);
        return again.Summary is null ? new(null, $"{note}; then {again.UnavailableReason}") : again;
    }

    private static async Task<(HeapSummaryOutcome Outcome, bool CrashedReadingCopies)> CaptureAsync(
        Func<ValueTask> operation,
        LeakOptions options,
        Action throwIfStopped,
        bool copies,
        string? note,
        CancellationToken cancellationToken,
        double? managedBytesPerIteration,
        Action<LeakStage, string>? progress
    )
    {
        var clock = Stopwatch.StartNew();
        var directory = options.SnapshotDirectory ?? PrivateDirectory.Default;
        // Dumps hold secrets and the analysis child's runtime configuration is read from here: only a folder no other
        // user can write or replace is used, and a folder that is not is a reason beside the verdict.
        if (!PrivateDirectory.TryEnsure(directory, out var notPrivate))
            return (
                new(null, $"a heap snapshot could not be taken: {notPrivate}{(options.SnapshotDirectory is null ? "" : " (LeakOptions.SnapshotDirectory)")}."),
                false
            );
        var interval = Math.Max(1, options.Iterations / 2);
        // A dump that does not finish (createdump stuck on a full or slow disk) must not hold the run: each dump has
        // a time limit of its own; the run's Timeout, when set, stops the wait sooner through cancellationToken.
        // Every path is made before the first snapshot: a string created between snapshots would show up as growth.
        var dumps = new string[SnapshotCount];
        for (var i = 0; i < dumps.Length; i++)
            dumps[i] = Path.Combine(directory, $"leakguard-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
        var iterations = interval * (SnapshotCount - 1);
        var analysis = new HeapComparisonOptions
        {
            Iterations = iterations,
            TopTypes = options.TopTypes,
            PathTypes = Math.Min(options.RetentionPathTypes, options.TopTypes),
            ExpectedBytesPerIteration = managedBytesPerIteration,
        };
        try
        {
            Prime();
            // The analysis child starts now and reads each dump while the next is written. Started before the first
            // snapshot, its Process object, pipes and standard error reader are on the heap of all three; between the
            // snapshots nothing is made for it (each dump is announced with bytes encoded now).
            using var child = HeapAnalysisProcess.Streaming.TryStart(
                dumps,
                analysis,
                out var notStarted,
                ChildEnvironment,
                copies ? Environment.ProcessId : null
            );
            if (child is null)
                return (new(null, notStarted + "."), false);
            for (var snapshot = 0; snapshot < SnapshotCount; snapshot++)
            {
                if (snapshot > 0)
                {
                    for (var i = 0; i < interval; i++)
                    {
                        throwIfStopped();
                        await operation().ConfigureAwait(false);
                    }
                }
                LeakRunner.ForceFullCollection();
                if (copies)
                {
                    if (TryCopy(child, snapshot, out var stuck, cancellationToken))
                        continue;
                    if (stuck is not null)
                        return (new(null, stuck), false);
                    // Not copied (no ptrace access, not enough memory): this and the next snapshots are dumps.
                    copies = false;
                }
                // A failed dump returns its reason; disposing the child kills it (it waits for this dump).
                if (!TryWriteDump(dumps[snapshot], out var error, cancellationToken))
                    return (new(null, error), false);
                child.SnapshotWritten(snapshot);
            }

            progress?.Invoke(
                LeakStage.HeapAnalysis,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"LeakGuard: {SnapshotCount} heap snapshots taken in {clock.Elapsed.TotalSeconds:0.0} s ({Describe(child, dumps)}); the analysis child, reading them since the first, finishes the histograms and retention paths…"
                )
            );
            HeapAnalysisProcess.Outcome outcome;
            try
            {
                // The time limit counts from here, the last snapshot, not from the child's start.
                outcome = await child.FinishAsync(options.HeapAnalysisTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Every I/O failure of the analysis is a reason beside the verdict, never an exception that loses it.
                return (new(null, $"the heap analysis failed ({e.GetType().Name}: {e.Message.Trim().TrimEnd('.')})."), false);
            }
            if (outcome.Comparison is not { } comparison)
                return (new(null, outcome.Error + "."), child.CrashedReadingCopies);
            var (kept, keptNote) = options.KeepHeapDump ? Keep(dumps[^1], options) : (null, null);
            var summary = new HeapSummary(
                iterations,
                // The snapshot method's own async state machine, boxed at its first await, is not the operation's growth.
                comparison.Types.Where(t => !HeapEvidence.IsOwnDiagnosis(t.TypeName)).ToList(),
                comparison.TotalBytesBefore,
                comparison.TotalBytesAfter,
                clock.Elapsed
            )
            {
                GrewInEveryInterval = comparison.GrewInEveryInterval,
                SafeHandleTypes = comparison.SafeHandleTypes,
                PathsNote =
                    note is null ? comparison.PathsNote
                    : comparison.PathsNote is { } paths ? $"{note}; {paths}"
                    : note,
                KeptDumpPath = kept,
                KeptDumpNote = keptNote,
            };
            return (new(summary, null), false);
        }
        finally
        {
            foreach (var dump in dumps)
                TryDelete(dump);
        }
    }

    /// <summary>What the snapshots were, for the progress line: copies (their size in memory) or dumps (on disk), and why a copy was not taken.</summary>
    private static string Describe(HeapAnalysisProcess.Streaming child, string[] dumps)
    {
        var copied = child.CopiedBytes / 1048576.0;
        if (child.Copies == SnapshotCount)
            return string.Create(CultureInfo.InvariantCulture, $"copies of this process's memory, {copied:0} MiB");
        var dumped = string.Create(CultureInfo.InvariantCulture, $"{SnapshotCount - child.Copies} dumps, {TotalBytes(dumps) / 1048576.0:0} MiB");
        var notCopied = child.CopyFailure is { } failure ? $"; not copied: {failure}" : "";
        return child.Copies == 0
            ? dumped + notCopied
            : string.Create(CultureInfo.InvariantCulture, $"{child.Copies} copies of this process's memory, {copied:0} MiB, and {dumped}{notCopied}");
    }

    /// <summary>
    /// Has the child take the snapshot at <paramref name="index"/> as a copy of this process's memory; false when it did
    /// not: with <paramref name="stuck"/> null when it could not (the caller writes a dump), or the reason when no
    /// answer came within <see cref="DumpTimeLimit"/> (the child is unusable).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    private static bool TryCopy(HeapAnalysisProcess.Streaming child, int index, out string? stuck, CancellationToken cancellationToken)
    {
        var copied = false;
        var limit = DumpTimeLimit;
        // Waited for on a thread of its own, as a dump: a child that never answers must not hold the run.
        if (!BoundedWork.TryRun(() => copied = child.TryCopy(index), limit, "LeakGuard heap snapshot", cancellationToken))
        {
            stuck = string.Create(
                CultureInfo.InvariantCulture,
                $"a heap snapshot could not be taken: the analysis child did not copy this process's memory within {limit.TotalSeconds:0.###} s (the time limit of a heap snapshot)."
            );
            return false;
        }
        stuck = null;
        return copied;
    }

    private static long TotalBytes(string[] dumps)
    {
        long total = 0;
        foreach (var dump in dumps)
        {
            try
            {
                total += new FileInfo(dump).Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return total;
    }

    /// <summary>Moves the last dump to the run's artifacts folder as <c>heap.dmp</c> (mode 0600), unless it is over the size cap.</summary>
    private static (string? Path, string? Note) Keep(string dump, LeakOptions options)
    {
        try
        {
            var size = new FileInfo(dump).Length;
            if (size > options.MaxHeapDumpBytes)
                return (null, $"the heap dump was not kept: {size:#,0} B is over LeakOptions.MaxHeapDumpBytes ({options.MaxHeapDumpBytes:#,0} B)");
            var directory = LeakArtifacts.GetDirectory(options);
            Directory.CreateDirectory(directory);
            var target = Path.Combine(directory, "heap.dmp");
            File.Move(dump, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return (target, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, $"the heap dump could not be kept ({e.GetType().Name}: {e.Message.TrimEnd('.')})");
        }
    }

    /// <summary>Runs the diagnostics client's code paths once (IPC connection, message types), so their lazy statics exist before the first snapshot.</summary>
    private static void Prime()
    {
        try
        {
            _ = new DiagnosticsClient(Environment.ProcessId).GetProcessEnvironment();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Priming is an optimisation; the dump reports its own errors.
        }
    }

    /// <summary>
    /// Time limit of one heap snapshot: 2 minutes (a 360 MB heap with 10M objects takes 3.1 s here). The run's
    /// <see cref="LeakOptions.Timeout"/>, when set, bounds the whole diagnosis through its cancellation. Tests shorten it.
    /// </summary>
    internal static TimeSpan DumpTimeLimit = TimeSpan.FromMinutes(2);

    /// <summary>Writes a dump of this process, heap included, to an existing empty file (tests replace it with one that never finishes).</summary>
    internal static Action<string> DumpWriter = path =>
        new DiagnosticsClient(Environment.ProcessId).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);

    /// <summary>
    /// Writes a dump with the managed heap of this process to <paramref name="path"/> (a new file, mode 0600); false with
    /// a reason when it cannot, or when it has not finished within <see cref="DumpTimeLimit"/>.
    /// </summary>
    /// <remarks>
    /// The dump is written on a dedicated thread that this one waits for: a dump over its time limit is abandoned (the
    /// thread ends when <c>createdump</c> does; the file is deleted by the caller). No thread-pool work is left behind.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    internal static bool TryWriteDump(string path, out string? error, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(path) ?? ".";
        try
        {
            Directory.CreateDirectory(directory);
            // A dump holds everything in memory, secrets included: created readable by the owner only (createdump
            // writes into the existing file and keeps its mode), never over a file that is already there.
            using (PrivateDirectory.CreateOwnerOnlyFile(path)) { }
            var limit = DumpTimeLimit;
            if (!BoundedWork.TryRun(() => DumpWriter(path), limit, "LeakGuard heap snapshot", cancellationToken))
            {
                error = string.Create(
                    CultureInfo.InvariantCulture,
                    $"a heap snapshot could not be taken: writing a dump to '{path}' did not finish within {limit.TotalSeconds:0.###} s (the time limit of a heap snapshot) and was abandoned."
                );
                return false;
            }
            if (new FileInfo(path).Length == 0)
            {
                error = $"no dump was written to '{path}' (createdump produced an empty file; is there disk space?).";
                return false;
            }
            error = null;
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = $"a heap snapshot could not be taken: writing a dump to '{directory}' failed ({e.GetType().Name}: {e.Message.Trim()}).";
            return false;
        }
    }

    /// <summary>Deletes a file if it can; a file that is gone, locked or not ours is left alone.</summary>
    internal static void TryDelete(string? path)
    {
        if (path is null)
            return;
        try
        {
            File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
