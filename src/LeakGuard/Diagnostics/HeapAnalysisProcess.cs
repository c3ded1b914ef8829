using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LeakGuard.HeapAnalysis;

namespace LeakGuard.Diagnostics;

/// <summary>
/// Runs the heap analysis (<see cref="HeapAnalyzer.Compare(IReadOnlyList{string}, HeapComparisonOptions?, CancellationToken)"/>) in a child process — <c>dotnet exec
/// LeakGuard.HeapAnalysis.dll</c> on the runtime this process runs on — so that a crash in the diagnostics reader
/// (reported on Linux with .NET 10 while reading stack roots) cannot take down the test host.
/// </summary>
/// <remarks>
/// <para>
/// Two ways to run it: <see cref="CompareAsync"/> on dumps that exist, and <see cref="Streaming"/>, started before the
/// first dump is written, which reads each dump while the next is written. The streaming protocol
/// (<c>--wait-for-snapshots</c>, see the child's <c>Program</c>): the child's standard input is a pipe; after dump
/// <c>i</c> is complete this process writes the line <c>snapshot i written</c> to it (precomputed bytes, written
/// straight to the pipe, so nothing is allocated on this heap between snapshots), and closes it after the last; the
/// child reads each dump into its histogram when its line arrives and exits with code 4 when the pipe ends first.
/// </para>
/// <para>
/// Started with <c>copyFrom</c> (<c>--copy-from</c>), the child may take a snapshot itself, as a copy of this process's
/// memory (<see cref="ProcessMemoryCopy"/>): <see cref="Streaming.TryCopy"/> writes <c>copy snapshot i</c> and reads the
/// child's answer on its standard output (<c>snapshot i copied N</c>, or why not, after which the caller writes the
/// dump and announces it). This process names the child its ptrace tracer first (Yama's <c>ptrace_scope</c> 1).
/// </para>
/// <para>
/// A child that crashes (killed by a signal) is run once more without stack roots, on the finished dumps. A child
/// that does not finish within the time limit (counted from the last dump) is killed with its process tree. Either
/// way the caller gets a reason, never an exception.
/// </para>
/// </remarks>
internal static class HeapAnalysisProcess
{
    /// <summary>The comparison, or why there is none.</summary>
    internal readonly record struct Outcome(HeapComparison? Comparison, string? Error);

    /// <summary>Compares dumps that are all written.</summary>
    /// <param name="snapshots">The dumps, in the order they were taken.</param>
    /// <param name="options">What to compare.</param>
    /// <param name="timeout">Time limit per child process.</param>
    /// <param name="cancellationToken">Kills the child and throws.</param>
    /// <param name="environment">Extra environment variables for the child (tests inject faults with it).</param>
    public static async Task<Outcome> CompareAsync(
        IReadOnlyList<string> snapshots,
        HeapComparisonOptions options,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var first = await RunAsync(snapshots, options, timeout, environment, cancellationToken).ConfigureAwait(false);
        return await RetryIfCrashedAsync(first, snapshots, options, timeout, environment, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A child that crashed is run once more without stack roots, on the same (finished) dumps.</summary>
    private static async Task<Outcome> RetryIfCrashedAsync(
        (Outcome Outcome, bool Crashed) first,
        IReadOnlyList<string> snapshots,
        HeapComparisonOptions options,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken
    )
    {
        if (!first.Crashed || !options.IncludeStackRoots)
            return first.Outcome;
        var second = await RunAsync(snapshots, options with { IncludeStackRoots = false }, timeout, environment, cancellationToken).ConfigureAwait(false);
        if (second.Outcome.Comparison is { } comparison)
        {
            var note = $"stack roots were skipped: the first analysis crashed ({first.Outcome.Error})";
            return new(comparison with { PathsNote = note }, null);
        }
        return new(null, $"{first.Outcome.Error}; run again without stack roots: {second.Outcome.Error}");
    }

    private static async Task<(Outcome Outcome, bool Crashed)> RunAsync(
        IReadOnlyList<string> snapshots,
        HeapComparisonOptions options,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken
    )
    {
        var child = Child.TryStart(snapshots, options, environment, waitForSnapshots: false, out var notStarted);
        if (child is null)
            return (new(null, notStarted), false);
        using (child)
        {
            return await child.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An analysis child started before the dumps are written: it reads each dump as soon as <see cref="SnapshotWritten"/>
    /// announces it, while the caller runs the operation and writes the next, and finishes after the last
    /// (<see cref="FinishAsync"/>). Disposing it kills a child that has not finished (a failed dump, a cancellation).
    /// </summary>
    /// <remarks>
    /// Everything this object needs between the first and the last dump — the child's <see cref="Process"/>, its pipes,
    /// the standard error reader thread, the announcement lines — exists before the first dump, so that it is on the
    /// heap of every snapshot and never shows up as growth. <see cref="SnapshotWritten"/> allocates nothing, unless
    /// the child has died (the write to its pipe then fails once, with an exception).
    /// </remarks>
    internal sealed class Streaming : IDisposable
    {
        private readonly Child _child;
        private readonly IReadOnlyList<string> _snapshots;
        private readonly HeapComparisonOptions _options;
        private readonly IReadOnlyDictionary<string, string>? _environment;

        private Streaming(Child child, IReadOnlyList<string> snapshots, HeapComparisonOptions options, IReadOnlyDictionary<string, string>? environment)
        {
            _child = child;
            _snapshots = snapshots;
            _options = options;
            _environment = environment;
        }

        /// <summary>Starts the child for dumps that will be written to <paramref name="snapshots"/>; null with a reason when it cannot be started.</summary>
        /// <param name="snapshots">The dumps' paths, in the order they will be written (they need not exist yet).</param>
        /// <param name="options">What to compare.</param>
        /// <param name="error">Why the child was not started.</param>
        /// <param name="environment">Extra environment variables for the child (tests inject faults with it).</param>
        /// <param name="copyFrom">A process whose memory the child may copy in place of a dump (<see cref="TryCopy"/>): this one, by the engine.</param>
        public static Streaming? TryStart(
            IReadOnlyList<string> snapshots,
            HeapComparisonOptions options,
            [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error,
            IReadOnlyDictionary<string, string>? environment = null,
            int? copyFrom = null
        )
        {
            var child = Child.TryStart(snapshots, options, environment, waitForSnapshots: true, out error, copyFrom);
            return child is null ? null : new Streaming(child, snapshots, options, environment);
        }

        /// <summary>Tells the child that the dump at <paramref name="index"/> is complete. Allocates nothing; a child that is gone is not an error here (<see cref="FinishAsync"/> reports it).</summary>
        public void SnapshotWritten(int index) => _child.Announce(index);

        /// <summary>
        /// Asks the child (started with <c>copyFrom</c>) to take the snapshot at <paramref name="index"/> as a copy of that
        /// process's memory, and waits for its answer: true when it took it; false when it could not
        /// (<see cref="CopyFailure"/> says why: the caller writes the dump and announces it instead) or is gone.
        /// Allocates nothing on this heap once the first call has begun (it reads the child's first line before its request).
        /// </summary>
        /// <remarks>Blocks while the child copies; the process being copied is stopped meanwhile, this thread with it.</remarks>
        public bool TryCopy(int index) => _child.TryCopy(index);

        /// <summary>Bytes copied by the copies taken so far.</summary>
        public long CopiedBytes => _child.CopiedBytes;

        /// <summary>Snapshots taken as copies so far.</summary>
        public int Copies => _child.Copies;

        /// <summary>Why the last copy asked for was not taken, from the child's answer; null when none failed.</summary>
        public string? CopyFailure => _child.CopyFailure;

        /// <summary>Whether the child has exited (for tests).</summary>
        internal bool HasExited => _child.HasExited;

        /// <summary>
        /// Waits for the child after the last dump was announced, at most <paramref name="timeout"/> from now; a child
        /// that crashed (while waiting or reading) is run once more without stack roots on the finished dumps.
        /// </summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the child is killed).</exception>
        /// <remarks>
        /// A child that read copies (<see cref="Copies"/> &gt; 0) and crashed is not run again: the copies died with it.
        /// <see cref="CrashedReadingCopies"/> then tells the caller, who may take the snapshots again as dumps.
        /// </remarks>
        public async Task<Outcome> FinishAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            _child.EndAnnouncements();
            var first = await _child.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            _child.Dispose();
            if (first.Crashed && _child.Copies > 0)
            {
                CrashedReadingCopies = true;
                return first.Outcome;
            }
            return await RetryIfCrashedAsync(first, _snapshots, _options, timeout, _environment, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Whether <see cref="FinishAsync"/> found the child crashed after it had read copies (nothing is left to read again).</summary>
        public bool CrashedReadingCopies { get; private set; }

        /// <summary>Kills the child if it still runs and deletes its result file.</summary>
        public void Dispose() => _child.Dispose();
    }

    /// <summary>One analysis child process: started, optionally told about each dump, waited for, killed when it must be.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly StandardErrorTail _errors;
        private readonly string _output;
        private readonly Stream? _input;
        private readonly byte[][] _announcements;
        private readonly Stream? _replies;
        private readonly byte[][] _copyRequests;
        private readonly byte[][] _copiedReplies;
        private readonly byte[] _reply = new byte[1024];
        private int _replyLength;
        private bool _readyRead;
        private bool _replyFailed;
        private bool _inputClosed;
        private bool _disposed;
        private bool _exitedWhenDisposed;

        private Child(Process process, string output, byte[][] announcements, byte[][] copyRequests, byte[][] copiedReplies)
        {
            _process = process;
            _output = output;
            _announcements = announcements;
            _copyRequests = copyRequests;
            _copiedReplies = copiedReplies;
            _input = announcements.Length > 0 ? process.StandardInput.BaseStream : null;
            _replies = copyRequests.Length > 0 ? process.StandardOutput.BaseStream : null;
            _errors = new StandardErrorTail(process.StandardError);
            // The pipe's first write creates its socket, safe handle and async context (on Unix, lazily): written
            // now, before the first snapshot, an empty line (which the child skips) puts them on the heap of all
            // three, instead of growing between the first two (a loaded CI run listed them as grown, and named the
            // SafeSocketHandle as owning a native growth).
            Announce(Priming);
        }

        /// <summary>The line written before the first snapshot: empty, skipped by the child.</summary>
        private static readonly byte[] Priming = "\n"u8.ToArray();

        /// <summary>Whether the child has exited; once disposed, whether it had exited (or was killed) by then.</summary>
        public bool HasExited => _disposed ? _exitedWhenDisposed : _process.HasExited;

        public static Child? TryStart(
            IReadOnlyList<string> snapshots,
            HeapComparisonOptions options,
            IReadOnlyDictionary<string, string>? environment,
            bool waitForSnapshots,
            [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error,
            int? copyFrom = null
        )
        {
            var assembly = typeof(HeapAnalyzer).Assembly.Location;
            if (string.IsNullOrEmpty(assembly) || !File.Exists(assembly))
            {
                error = "the heap analysis executable (LeakGuard.HeapAnalysis.dll) was not found next to LeakGuard.dll (single-file apps are not supported)";
                return null;
            }
            // The runtime configuration below is read by `dotnet exec` (which honours a startup hook named in it) and the
            // result file by this process: both live next to the dumps, in a folder no other user can write.
            var directory = Path.GetDirectoryName(Path.GetFullPath(snapshots[^1])) ?? PrivateDirectory.Default;
            if (!PrivateDirectory.TryEnsure(directory, out var notPrivate))
            {
                error = $"the heap analysis was not started: {notPrivate}";
                return null;
            }
            var output = Path.Combine(directory, $"leakguard-analysis-{Guid.NewGuid():N}.json");
            string runtimeConfig;
            try
            {
                runtimeConfig = WriteRuntimeConfig(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Out of disk space or inodes, most likely: a reason, not an exception that loses the verdict.
                error = $"the heap analysis was not started: writing its runtime configuration to '{directory}' failed ({Describe(e)})";
                return null;
            }
            var start = new ProcessStartInfo(FindDotnetHost())
            {
                // Standard error, read while the child runs by a dedicated thread that ends with it (a pipe holds
                // 64 KB: a child writing more would block until it is read). No reader tasks or thread-pool work in the
                // test host, whose leftovers (a thread retiring later, its caches freed) would show up in the next leak run.
                RedirectStandardError = true,
                // Standard input carries the announcements of the dumps (see the class remarks).
                RedirectStandardInput = waitForSnapshots,
                // Standard output carries the child's answers to requests for copies (see the class remarks).
                RedirectStandardOutput = waitForSnapshots && copyFrom is not null,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            foreach (
                var argument in new[]
                {
                    "exec",
                    "--runtimeconfig",
                    runtimeConfig,
                    assembly,
                    "compare",
                    "--output",
                    output,
                    "--iterations",
                    options.Iterations.ToString(CultureInfo.InvariantCulture),
                    "--top",
                    options.TopTypes.ToString(CultureInfo.InvariantCulture),
                    "--path-types",
                    options.PathTypes.ToString(CultureInfo.InvariantCulture),
                }
            )
            {
                start.ArgumentList.Add(argument);
            }
            foreach (var snapshot in snapshots)
            {
                start.ArgumentList.Add("--snapshot");
                start.ArgumentList.Add(snapshot);
            }
            if (options.ExpectedBytesPerIteration is { } expected)
            {
                start.ArgumentList.Add("--expected-bytes-per-iteration");
                start.ArgumentList.Add(expected.ToString("R", CultureInfo.InvariantCulture));
            }
            if (!options.IncludeStackRoots)
                start.ArgumentList.Add("--no-stack-roots");
            if (waitForSnapshots)
                start.ArgumentList.Add("--wait-for-snapshots");
            if (waitForSnapshots && copyFrom is { } pid)
            {
                start.ArgumentList.Add("--copy-from");
                start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
            }
            // The child must not inherit a profiler or startup hook meant for the test host.
            start.Environment.Remove("DOTNET_STARTUP_HOOKS");
            start.Environment.Remove("CORECLR_ENABLE_PROFILING");
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
                start.Environment[name] = value;

            // Every announcement is encoded now: a string or array made between snapshots would show up as growth.
            var announcements = new byte[waitForSnapshots ? snapshots.Count : 0][];
            for (var i = 0; i < announcements.Length; i++)
                announcements[i] = Encoding.UTF8.GetBytes(Program.Announcement(i) + "\n");
            var copies = waitForSnapshots && copyFrom is not null ? snapshots.Count : 0;
            var copyRequests = new byte[copies][];
            var copiedReplies = new byte[copies][];
            for (var i = 0; i < copies; i++)
            {
                copyRequests[i] = Encoding.UTF8.GetBytes(Program.CopyRequest(i) + "\n");
                copiedReplies[i] = Encoding.UTF8.GetBytes(Program.CopiedReply(i));
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                error = $"the heap analysis process could not be started ({start.FileName}: {e.Message})";
                return null;
            }
            if (copies > 0 && copyFrom == Environment.ProcessId && OperatingSystem.IsLinux())
            {
                // Under Yama's ptrace_scope 1 (Ubuntu's default) a process may trace only its descendants, unless the
                // traced one names its tracer: this process names the child. Where Yama is absent the call fails with
                // EINVAL and nothing is needed; where tracing is refused anyway the child's copy fails and says why.
                _ = LeakGuard.Sampling.NativeMethods.Prctl(LeakGuard.Sampling.NativeMethods.PrSetPtracer, (nuint)process.Id, 0, 0, 0);
            }
            error = null;
            return new Child(process, output, announcements, copyRequests, copiedReplies);
        }

        public long CopiedBytes { get; private set; }

        public int Copies { get; private set; }

        public string? CopyFailure { get; private set; }

        /// <summary>See <see cref="Streaming.TryCopy"/>.</summary>
        public bool TryCopy(int index)
        {
            if (_replies is null || _inputClosed || _replyFailed)
                return false;
            // The child's first line, read before the first request, also makes the pipe's lazily created objects
            // before any snapshot.
            if (!_readyRead)
            {
                _readyRead = true;
                if (!ReadReply() || !_reply.AsSpan(0, _replyLength).SequenceEqual(ReadyLine))
                {
                    _replyFailed = true;
                    CopyFailure = DescribeReply("the analysis child did not start reading requests");
                    return false;
                }
            }
            Announce(_copyRequests[index]);
            if (_inputClosed || !ReadReply())
            {
                _replyFailed = true;
                CopyFailure = "the analysis child ended before it answered";
                return false;
            }
            var expected = _copiedReplies[index];
            if (
                _replyLength > expected.Length
                && _reply.AsSpan(0, expected.Length).SequenceEqual(expected)
                && System.Buffers.Text.Utf8Parser.TryParse(_reply.AsSpan(expected.Length, _replyLength - expected.Length), out long bytes, out _)
            )
            {
                CopiedBytes += bytes;
                Copies++;
                return true;
            }
            CopyFailure = DescribeReply("the analysis child did not copy the snapshot");
            return false;
        }

        private static readonly byte[] ReadyLine = Encoding.UTF8.GetBytes(Program.Ready);

        private string DescribeReply(string fallback) => _replyLength > 0 ? Encoding.UTF8.GetString(_reply, 0, _replyLength) : fallback;

        /// <summary>Reads one line of the child's standard output into the reply buffer (without its line feed; a longer line is cut); false when the pipe ended first.</summary>
        private bool ReadReply()
        {
            _replyLength = 0;
            Span<byte> one = stackalloc byte[1];
            try
            {
                while (true)
                {
                    // One byte at a time: the child writes one line per request, and nothing may be read past it.
                    if (_replies!.Read(one) == 0)
                        return false;
                    if (one[0] == (byte)'\n')
                        return true;
                    if (_replyLength < _reply.Length)
                        _reply[_replyLength++] = one[0];
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>Writes the precomputed line for dump <paramref name="index"/> straight to the child's standard input pipe.</summary>
        public void Announce(int index) => Announce(_announcements[index]);

        private void Announce(byte[] line)
        {
            if (_input is null || _inputClosed)
                return;
            try
            {
                _input.Write(line);
                _input.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The child is gone (a broken pipe): WaitAsync reports how it ended; nothing more is written.
                _inputClosed = true;
            }
        }

        /// <summary>Closes the child's standard input: a child still waiting for a dump then ends (exit code 4) instead of waiting for ever.</summary>
        public void EndAnnouncements()
        {
            if (_input is null || _inputClosed)
                return;
            _inputClosed = true;
            try
            {
                _process.StandardInput.Dispose();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        }

        /// <summary>Waits for the child at most <paramref name="timeout"/> from now and reads its result.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the child is killed).</exception>
        public async Task<(Outcome Outcome, bool Crashed)> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.StartNew();
            while (!_process.WaitForExit(100))
            {
                if (deadline.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
                    continue;
                Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                return (
                    new(
                        null,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"the heap analysis did not finish within {timeout.TotalSeconds:0.###} s and was stopped (LeakOptions.HeapAnalysisTimeout)"
                        )
                    ),
                    false
                );
            }
            var stderr = Tail(_errors.Finish());
            try
            {
                if (_process.ExitCode == 0 && File.Exists(_output))
                {
                    var comparison = JsonSerializer.Deserialize<HeapComparison>(
                        await File.ReadAllTextAsync(_output, cancellationToken).ConfigureAwait(false),
                        Program.Json
                    );
                    return comparison is null ? (new(null, "the heap analysis wrote an empty result"), false) : (new(comparison, null), false);
                }
            }
            catch (JsonException e)
            {
                return (new(null, $"the heap analysis result could not be read ({e.Message})"), false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (new(null, $"the heap analysis result could not be read from '{_output}' ({Describe(e)})"), false);
            }
            finally
            {
                HeapSummarizer.TryDelete(_output);
            }
            var crashed = IsCrash(_process.ExitCode);
            var what = crashed
                ? $"the heap analysis process crashed (exit code {_process.ExitCode})"
                : $"the heap analysis failed (exit code {_process.ExitCode})";
            return (new(null, stderr.Length > 0 ? $"{what}: {stderr}" : what), crashed);
        }

        /// <summary>Kills the child with its process tree if it still runs, waits for its standard error reader, deletes its result file.</summary>
        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            EndAnnouncements();
            if (!ExitedOrUnknown(_process))
                Kill(_process);
            _exitedWhenDisposed = ExitedOrUnknown(_process);
            _errors.Finish();
            HeapSummarizer.TryDelete(_output);
            _process.Dispose();
        }

        private static bool ExitedOrUnknown(Process process)
        {
            try
            {
                return process.HasExited;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return true;
            }
        }
    }

    /// <summary>Killed by a signal (128 + n on Unix, or the shell-less negative form) or an unhandled native fault on Windows (NTSTATUS).</summary>
    private static bool IsCrash(int exitCode) => exitCode is > 128 and < 160 || exitCode < 0;

    /// <summary>
    /// Reads a child's standard error on a dedicated thread while the child runs, keeping the last
    /// <see cref="Capacity"/> characters (the message is at the end; a child that floods the pipe is neither blocked
    /// nor kept in memory). <see cref="Finish"/> waits for the thread, so nothing outlives the call that started it.
    /// </summary>
    /// <remarks>
    /// The constructor returns once the thread runs and has everything it reads with (its buffer is allocated here):
    /// a streaming child is started before the first heap snapshot, and the reader must not allocate between snapshots.
    /// </remarks>
    internal sealed class StandardErrorTail
    {
        /// <summary>Characters kept: the last 64 Ki.</summary>
        internal const int Capacity = 64 * 1024;

        private readonly StreamReader _reader;
        private readonly Thread _thread;
        private readonly char[] _ring = new char[Capacity];
        private readonly char[] _buffer = new char[4096];
        private readonly ManualResetEventSlim _running = new();
        private long _written;

        public StandardErrorTail(StreamReader reader)
        {
            _reader = reader;
            _thread = new Thread(Read) { IsBackground = true, Name = "LeakGuard heap analysis stderr" };
            _thread.Start();
            _running.Wait(TimeSpan.FromSeconds(5));
        }

        private void Read()
        {
            var buffer = _buffer;
            _running.Set();
            try
            {
                int read;
                while ((read = _reader.Read(buffer, 0, buffer.Length)) > 0)
                {
                    for (var i = 0; i < read; i++)
                        _ring[(_written + i) % Capacity] = buffer[i];
                    _written += read;
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The pipe broke: what was read is what there is.
            }
        }

        /// <summary>
        /// Waits (up to 5 s) for the end of the stream, which comes when the child has exited or was killed, and returns
        /// the last <see cref="Capacity"/> characters; empty when the stream is still open then (something else holds
        /// the pipe: the thread is left to end with it).
        /// </summary>
        public string Finish()
        {
            if (!_thread.Join(TimeSpan.FromSeconds(5)))
                return "";
            if (_written <= Capacity)
                return new string(_ring, 0, (int)_written);
            var start = (int)(_written % Capacity);
            return string.Concat(_ring.AsSpan(start), _ring.AsSpan(0, start));
        }
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The last three lines, each cut at 200 characters: a long line before the message must not push it out.
        return string.Join(" ", lines.TakeLast(3).Select(line => line.Length > 200 ? line[..200] + "…" : line));
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { }
    }

    /// <summary>The <c>dotnet</c> host of the runtime this process runs on.</summary>
    internal static string FindDotnetHost()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        // .../dotnet/shared/Microsoft.NETCore.App/10.0.12/ → .../dotnet/dotnet
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var candidate = Path.Combine(root, executable);
        if (File.Exists(candidate))
            return candidate;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        return executable;
    }

    /// <summary>A runtime configuration naming exactly the runtime this process runs on, so the child needs nothing that is not installed.</summary>
    private static string WriteRuntimeConfig(string directory)
    {
        var version = Environment.Version.ToString(3);
        var tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var path = Path.Combine(directory, $"leakguard-heap-analysis-{version}.runtimeconfig.json");
        var content =
            "{\"runtimeOptions\":{\"tfm\":\""
            + tfm
            + "\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\""
            + version
            + "\"},\"rollForward\":\"LatestPatch\"}}";
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            // Written aside (mode 0600) and moved, so that a concurrent run never reads half a file.
            var temporary = $"{path}.{Guid.NewGuid():N}";
            try
            {
                WriteAside(temporary, content);
                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                // Gone after the move; left by a full disk or a failed move otherwise.
                HeapSummarizer.TryDelete(temporary);
            }
        }
        return path;
    }

    private static void WriteAside(string temporary, string content)
    {
        using (var stream = PrivateDirectory.CreateOwnerOnlyFile(temporary))
        {
            stream.Write(new UTF8Encoding(false).GetBytes(content));
        }
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Trim().TrimEnd('.')}";
}
