using System.Collections.Concurrent;
using System.Text.Json;

namespace LeakGuard.HeapAnalysis;

/// <summary>
/// The child-process entry point: <c>dotnet exec LeakGuard.HeapAnalysis.dll compare --snapshot A --snapshot B [--snapshot C …] --output R
/// [--iterations N] [--top N] [--path-types N] [--expected-bytes-per-iteration B] [--no-stack-roots] [--wait-for-snapshots [--copy-from PID]]</c>. Writes the <see cref="HeapComparison"/> as JSON to
/// the output file. Exit codes: 0 done, 2 usage error, 3 the analysis failed (message on standard error), 4 standard
/// input ended before every snapshot was announced (the engine stopped waiting for this child).
/// </summary>
/// <remarks>
/// <para>
/// With <c>--wait-for-snapshots</c> the child is started before the snapshots are written (the engine starts it
/// before its first snapshot, so that this process's <c>Process</c> object, pipes and reader thread are on the heap
/// of every snapshot). The protocol: the engine writes one line to the child's standard input when the snapshot at
/// index <c>i</c> (0-based, in the order of <c>--snapshot</c>) is complete, <c>snapshot i written</c> (<see cref="Announcement"/>),
/// in order, and closes standard input after the last. Empty lines are skipped: the engine writes one before its
/// first snapshot, so that the pipe's lazily created socket objects are on the heap of every snapshot. The child reads snapshot <c>i</c> into its histogram as soon as
/// its line arrives, while the engine runs the operation and writes the next; after the last it diffs and searches
/// retention paths exactly as without the option. A line out of order is a failure (exit 3); the end of standard
/// input before a snapshot's line (the engine stopped: a failed dump, a cancellation, its own end) is exit 4.
/// </para>
/// <para>
/// With <c>--copy-from PID</c> as well, a snapshot may be a copy of process PID's memory instead of a dump
/// (<see cref="ProcessMemoryCopy"/>): the child writes <c>ready</c> to standard output when it starts; the engine
/// writes <c>copy snapshot i</c> (<see cref="CopyRequest"/>) and waits; the child stops the engine's process, copies
/// it, lets it go and answers <c>snapshot i copied N</c> (N bytes, <see cref="CopiedReply"/>), or
/// <c>snapshot i not copied: reason</c>, after which the engine writes the dump and announces it as above.
/// </para>
/// <para>
/// Without <c>--wait-for-snapshots</c>, every snapshot must exist when the child starts.
/// </para>
/// </remarks>
internal static class Program
{
    /// <summary>JSON shape of the result file (the engine reads it back with the same options).</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>
    /// Environment variable for fault injection in tests (<c>crash-on-stack-roots</c>, <c>flood-stderr</c>,
    /// <c>crash-while-waiting-for-snapshot-N</c>, <c>fail-copy</c>, <c>hang-on-copy</c>); not for users.
    /// </summary>
    internal const string FaultVariable = "LEAKGUARD_HEAP_ANALYSIS_FAULT";

    /// <summary>The line (without its line feed) that announces on standard input that the snapshot at <paramref name="index"/> is complete (<c>--wait-for-snapshots</c>).</summary>
    internal static string Announcement(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"snapshot {index} written");

    /// <summary>The line (without its line feed) that asks for a copy of the engine's memory as the snapshot at <paramref name="index"/> (<c>--copy-from</c>).</summary>
    internal static string CopyRequest(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"copy snapshot {index}");

    /// <summary>The start of the answer to <see cref="CopyRequest"/> when the copy was taken; the number of bytes copied follows.</summary>
    internal static string CopiedReply(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"snapshot {index} copied ");

    /// <summary>The first line written to standard output with <c>--copy-from</c>, once the child reads requests.</summary>
    internal const string Ready = "ready";

    private const string CrashWhileWaiting = "crash-while-waiting-for-snapshot-";

    internal static int Main(string[] args)
    {
        var snapshots = new List<string>();
        string? output = null;
        var options = new HeapComparisonOptions();
        var waitForSnapshots = false;
        int? copyFrom = null;
        try
        {
            if (args.Length == 0 || args[0] != "compare")
                return Usage("the first argument must be the verb 'compare'");
            for (var i = 1; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--snapshot":
                        snapshots.Add(Next());
                        break;
                    case "--output":
                        output = Next();
                        break;
                    case "--iterations":
                        options = options with { Iterations = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) };
                        break;
                    case "--top":
                        options = options with { TopTypes = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) };
                        break;
                    case "--path-types":
                        options = options with { PathTypes = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) };
                        break;
                    case "--expected-bytes-per-iteration":
                        options = options with { ExpectedBytesPerIteration = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) };
                        break;
                    case "--no-stack-roots":
                        options = options with { IncludeStackRoots = false };
                        break;
                    case "--wait-for-snapshots":
                        waitForSnapshots = true;
                        break;
                    case "--copy-from":
                        copyFrom = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    default:
                        return Usage($"unknown argument '{args[i]}'");
                }
            }
        }
        catch (FormatException e)
        {
            return Usage(e.Message);
        }
        if (snapshots.Count < 2 || output is null)
            return Usage("two or more --snapshot and --output are required");
        if (copyFrom is not null && !waitForSnapshots)
            return Usage("--copy-from needs --wait-for-snapshots");

        // Fault injection for LeakGuard's own tests of the crash path: the process dies the way a crash in the
        // diagnostics reader kills it (SIGABRT), at the point where that crash was reported.
        if (Environment.GetEnvironmentVariable(FaultVariable) == "crash-on-stack-roots")
            RetentionPathFinder.BeforeStackRoots = () => Environment.FailFast("LeakGuard.HeapAnalysis: injected crash before reading stack roots");

        // Fault injection for the test of a child that writes more to standard error than a pipe holds (64 KB).
        if (Environment.GetEnvironmentVariable(FaultVariable) == "flood-stderr")
        {
            var line = new string('x', 1023);
            for (var i = 0; i < 1024; i++)
                Console.Error.WriteLine(line);
        }

        // Fault injection for the test of a child that dies while it waits for a snapshot the engine is still writing.
        var crashBefore =
            Environment.GetEnvironmentVariable(FaultVariable) is { } fault
            && fault.StartsWith(CrashWhileWaiting, StringComparison.Ordinal)
            && int.TryParse(fault.AsSpan(CrashWhileWaiting.Length), System.Globalization.CultureInfo.InvariantCulture, out var index)
                ? index
                : -1;

        try
        {
            HeapComparison comparison;
            if (waitForSnapshots)
            {
                using var input = new StreamReader(Console.OpenStandardInput(), new System.Text.UTF8Encoding(false));
                // Fault injection for the tests of a copy that cannot be taken, and of a child that never answers.
                var copyFault = Environment.GetEnvironmentVariable(FaultVariable) is "fail-copy" or "hang-on-copy"
                    ? Environment.GetEnvironmentVariable(FaultVariable)
                    : null;
                if (copyFrom is not null)
                    Console.Out.WriteLine(Ready);
                var requests = new SnapshotRequests(input, snapshots.Count, copyFrom, copyFault, crashBefore);
                comparison = HeapAnalyzer.CompareAsWritten(snapshots, options, requests.Wait);
            }
            else
            {
                comparison = HeapAnalyzer.Compare(snapshots, options);
            }
            var temporary = output + ".partial";
            File.WriteAllText(temporary, JsonSerializer.Serialize(comparison, Json));
            File.Move(temporary, output, overwrite: true);
            return 0;
        }
        catch (StandardInputEndedException e)
        {
            Console.Error.WriteLine($"LeakGuard.HeapAnalysis: {e.Message}");
            return 4;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
            return 3;
        }
    }

    /// <summary>
    /// Reads the engine's lines on a thread of its own (<c>--wait-for-snapshots</c>): a copy asked for is taken at once,
    /// even while the main thread still reads the previous snapshot, because the engine waits for the answer.
    /// <see cref="Wait"/> returns the snapshots in order: null for a dump announced complete, or the copy taken.
    /// </summary>
    private sealed class SnapshotRequests
    {
        private readonly BlockingCollection<(ProcessMemoryCopy? Copy, Exception? Failure)> _ready = new();
        private readonly BlockingCollection<ProcessMemoryCopy.Arena> _returned = new();
        private readonly StreamReader _input;
        private readonly int _count;
        private readonly int? _copyFrom;
        private readonly string? _copyFault;
        private readonly int _crashBefore;

        public SnapshotRequests(StreamReader input, int count, int? copyFrom, string? copyFault, int crashBefore)
        {
            _input = input;
            _count = count;
            _copyFrom = copyFrom;
            _copyFault = copyFault;
            _crashBefore = crashBefore;
            new Thread(Run) { IsBackground = true, Name = "LeakGuard.HeapAnalysis requests" }.Start();
        }

        /// <summary>Returns when the snapshot at <paramref name="index"/> is complete (snapshots are asked for in order); rethrows what stopped the reading.</summary>
        public ProcessMemoryCopy? Wait(int index)
        {
            if (index == _crashBefore)
                Environment.FailFast($"LeakGuard.HeapAnalysis: injected crash while waiting for snapshot {index}");
            var (copy, failure) = _ready.Take();
            if (failure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            return copy;
        }

        private void Run()
        {
            // Memory for the next copy is mapped and populated while the engine runs towards it (not while it is stopped).
            var arena = _copyFrom is { } pid && _copyFault is null ? ProcessMemoryCopy.Arena.TryPrepare(ProcessMemoryCopy.Arena.Estimate(pid)) : null;
            try
            {
                for (var index = 0; index < _count; index++)
                {
                    var copy = Next(index, ref arena);
                    // The first and the last snapshot are kept for the path search; one in between is read into its
                    // histogram and closed, and its arena serves the next copy.
                    if (copy is not null && index > 0 && index < _count - 1)
                        copy.ReturnArenaTo(_returned.Add);
                    _ready.Add((copy, null));
                    if (copy is null || arena is not null || index == _count - 1)
                        continue;
                    // The next copy reuses the arena of the one before it when that one is in between (closed after
                    // its histogram, which takes less time than the engine's run towards the next snapshot); otherwise
                    // a new arena is prepared while the engine runs on.
                    arena =
                        index > 0 && _returned.TryTake(out var reused, TimeSpan.FromSeconds(5))
                            ? reused
                            : ProcessMemoryCopy.Arena.TryPrepare(copy.CopiedBytes + 64L * 1024 * 1024);
                }
                arena?.Dispose();
            }
            catch (Exception e)
            {
                _ready.Add((null, e));
            }
        }

        private ProcessMemoryCopy? Next(int index, ref ProcessMemoryCopy.Arena? arena)
        {
            while (true)
            {
                string? line;
                // Empty lines are skipped: the engine writes one before its first snapshot (see the class remarks).
                do line = _input.ReadLine() ?? throw new StandardInputEndedException($"standard input ended before snapshot {index} was written");
                while (line.Length == 0);
                if (line == Announcement(index))
                    return null;
                if (_copyFrom is not { } pid || line != CopyRequest(index))
                    throw new InvalidDataException($"expected '{Announcement(index)}' on standard input, but read '{line}'");
                if (_copyFault == "hang-on-copy")
                    Thread.Sleep(Timeout.Infinite);
                try
                {
                    if (_copyFault == "fail-copy")
                        throw new IOException("injected failure (LEAKGUARD_HEAP_ANALYSIS_FAULT=fail-copy)");
                    // The copy owns the arena from here, whether it succeeds or fails.
                    var prepared = arena;
                    arena = null;
                    var copy = ProcessMemoryCopy.Take(pid, prepared);
                    Console.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{CopiedReply(index)}{copy.CopiedBytes}"));
                    return copy;
                }
                catch (Exception e)
                {
                    // Any failure, running out of memory for the copy included: the engine writes the dump instead and
                    // announces it: wait for that line.
                    Console.Out.WriteLine($"snapshot {index} not copied: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
                }
            }
        }
    }

    private sealed class StandardInputEndedException(string message) : Exception(message);

    private static int Usage(string problem)
    {
        Console.Error.WriteLine(
            $"LeakGuard.HeapAnalysis: {problem}.\nUsage: dotnet exec LeakGuard.HeapAnalysis.dll compare --snapshot <dump> --snapshot <dump> [--snapshot <dump> …] --output <result.json> [--iterations N] [--top N] [--path-types N] [--expected-bytes-per-iteration B] [--no-stack-roots] [--wait-for-snapshots [--copy-from PID]]"
        );
        return 2;
    }
}
