using System.Text.Json;

namespace LeakGuard.HeapAnalysis;

/// <summary>
/// The child-process entry point: <c>dotnet exec LeakGuard.HeapAnalysis.dll compare --snapshot A --snapshot B [--snapshot C …] --output R
/// [--iterations N] [--top N] [--path-types N] [--expected-bytes-per-iteration B] [--no-stack-roots] [--wait-for-snapshots]</c>. Writes the <see cref="HeapComparison"/> as JSON to
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
/// Without it, every snapshot must exist when the child starts.
/// </para>
/// </remarks>
internal static class Program
{
    /// <summary>JSON shape of the result file (the engine reads it back with the same options).</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>
    /// Environment variable for fault injection in tests (<c>crash-on-stack-roots</c>, <c>flood-stderr</c>,
    /// <c>crash-while-waiting-for-snapshot-N</c>); not for users.
    /// </summary>
    internal const string FaultVariable = "LEAKGUARD_HEAP_ANALYSIS_FAULT";

    /// <summary>The line (without its line feed) that announces on standard input that the snapshot at <paramref name="index"/> is complete (<c>--wait-for-snapshots</c>).</summary>
    internal static string Announcement(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"snapshot {index} written");

    private const string CrashWhileWaiting = "crash-while-waiting-for-snapshot-";

    internal static int Main(string[] args)
    {
        var snapshots = new List<string>();
        string? output = null;
        var options = new HeapComparisonOptions();
        var waitForSnapshots = false;
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
                comparison = HeapAnalyzer.CompareAsWritten(snapshots, options, i => WaitForSnapshot(input, i, crashBefore));
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

    /// <summary>Returns when the line announcing the snapshot at <paramref name="index"/> has been read (<c>--wait-for-snapshots</c>).</summary>
    private static void WaitForSnapshot(StreamReader input, int index, int crashBefore)
    {
        if (index == crashBefore)
            Environment.FailFast($"LeakGuard.HeapAnalysis: injected crash while waiting for snapshot {index}");
        string? line;
        // Empty lines are skipped: the engine writes one before its first snapshot (see the class remarks).
        do line = input.ReadLine() ?? throw new StandardInputEndedException($"standard input ended before snapshot {index} was written");
        while (line.Length == 0);
        if (line != Announcement(index))
            throw new InvalidDataException($"expected '{Announcement(index)}' on standard input, but read '{line}'");
    }

    private sealed class StandardInputEndedException(string message) : Exception(message);

    private static int Usage(string problem)
    {
        Console.Error.WriteLine(
            $"LeakGuard.HeapAnalysis: {problem}.\nUsage: dotnet exec LeakGuard.HeapAnalysis.dll compare --snapshot <dump> --snapshot <dump> [--snapshot <dump> …] --output <result.json> [--iterations N] [--top N] [--path-types N] [--expected-bytes-per-iteration B] [--no-stack-roots] [--wait-for-snapshots]"
        );
        return 2;
    }
}
