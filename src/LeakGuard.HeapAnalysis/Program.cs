using System.Text.Json;

namespace LeakGuard.HeapAnalysis;

/// <summary>
/// The child-process entry point: <c>dotnet exec LeakGuard.HeapAnalysis.dll compare --snapshot A --snapshot B [--snapshot C …] --output R
/// [--iterations N] [--top N] [--path-types N] [--expected-bytes-per-iteration B] [--no-stack-roots]</c>. Writes the <see cref="HeapComparison"/> as JSON to
/// the output file. Exit codes: 0 done, 2 usage error, 3 the analysis failed (message on standard error).
/// </summary>
internal static class Program
{
    /// <summary>JSON shape of the result file (the engine reads it back with the same options).</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Environment variable for fault injection in tests (<c>crash-on-stack-roots</c>, <c>flood-stderr</c>); not for users.</summary>
    internal const string FaultVariable = "LEAKGUARD_HEAP_ANALYSIS_FAULT";

    internal static int Main(string[] args)
    {
        var snapshots = new List<string>();
        string? output = null;
        var options = new HeapComparisonOptions();
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

        try
        {
            var comparison = HeapAnalyzer.Compare(snapshots, options);
            var temporary = output + ".partial";
            File.WriteAllText(temporary, JsonSerializer.Serialize(comparison, Json));
            File.Move(temporary, output, overwrite: true);
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
            return 3;
        }
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine(
            $"LeakGuard.HeapAnalysis: {problem}.\nUsage: dotnet exec LeakGuard.HeapAnalysis.dll compare --snapshot <dump> --snapshot <dump> [--snapshot <dump> …] --output <result.json> [--iterations N] [--top N] [--path-types N] [--expected-bytes-per-iteration B] [--no-stack-roots]"
        );
        return 2;
    }
}
