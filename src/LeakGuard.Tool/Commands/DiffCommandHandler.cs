using System.CommandLine;
using LeakGuard.HeapAnalysis;
using LeakGuard.Tool.Output;

namespace LeakGuard.Tool.Commands;

/// <summary><c>leakguard diff &lt;before.dmp&gt; &lt;after.dmp&gt;</c>: the types that grew between two dumps of one process, with retention paths.</summary>
internal static class DiffCommandHandler
{
    private static readonly Argument<string> BeforeArgument = new("before.dmp") { Description = "The earlier dump (with the heap)." };

    private static readonly Argument<string> AfterArgument = new("after.dmp") { Description = "The later dump of the same process." };

    private static readonly Option<long?> MaxGrowthOption = new("--max-growth")
    {
        Description = "Exit with code 1 when the heap grew by more than this between the dumps, e.g. 0, 1MB.",
        CustomParser = r => CommonOptions.ParseSize(r),
    };

    private static readonly Option<bool> NoStackRootsOption = new("--no-stack-roots")
    {
        Description = "Do not search thread stacks as roots of retention paths.",
    };

    /// <summary>The <c>diff</c> command.</summary>
    public static Command DiffCommand()
    {
        var command = new Command(
            "diff",
            "Compare two heap dumps of one process: per-type growth in instances and bytes (application types first) and the retention paths of the top growers."
        )
        {
            BeforeArgument,
            AfterArgument,
            MaxGrowthOption,
            NoStackRootsOption,
            CommonOptions.TopOption,
            CommonOptions.AnalysisTimeoutOption,
            CommonOptions.JsonOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = new CliOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(CommonOptions.JsonOption));
        var before = parse.GetValue(BeforeArgument)!;
        var after = parse.GetValue(AfterArgument)!;
        try
        {
            var options = new HeapComparisonOptions
            {
                TopTypes = parse.GetValue(CommonOptions.TopOption),
                PathTypes = Math.Min(5, parse.GetValue(CommonOptions.TopOption)),
                IncludeStackRoots = !parse.GetValue(NoStackRootsOption),
            };
            var comparison = await DumpErrors
                .ReadDumpsWithinAsync(
                    [before, after],
                    parse.GetValue(CommonOptions.AnalysisTimeoutOption),
                    token => HeapAnalyzer.Compare([before, after], options, token),
                    cancellationToken
                )
                .ConfigureAwait(false);
            var growth = comparison.TotalBytesAfter - comparison.TotalBytesBefore;
            var max = parse.GetValue(MaxGrowthOption);
            var over = max is { } limit && growth > limit;
            var code = over ? ReturnCode.GrowthOverBudget : ReturnCode.Ok;
            if (output.Json)
            {
                output.WriteJson(new DiffResult("diff", (int)code, before, after, growth, max, over, comparison));
            }
            else
            {
                ReportText.WriteComparison(output.Out, comparison, seconds: null);
                if (max is { } m)
                    output.Out.WriteLine(
                        over
                            ? $"Exit code 1: the heap grew {Units.Bytes(growth)}, more than --max-growth {Units.Bytes(m)}."
                            : $"The heap grew {Units.Bytes(growth)}, within --max-growth {Units.Bytes(m)}."
                    );
            }
            return (int)code;
        }
        catch (ToolException e)
        {
            return (int)output.Fail("diff", e);
        }
    }
}

/// <summary>The JSON document of <c>diff</c>.</summary>
/// <param name="Verb"><c>diff</c>.</param>
/// <param name="ExitCode">0, or 1 when the heap grew more than <c>--max-growth</c>.</param>
/// <param name="Before">The earlier dump.</param>
/// <param name="After">The later dump.</param>
/// <param name="GrowthBytes">Total shallow bytes after minus before.</param>
/// <param name="MaxGrowthBytes">The <c>--max-growth</c> budget; null when not given.</param>
/// <param name="OverBudget">True when <paramref name="GrowthBytes"/> exceeds it.</param>
/// <param name="Comparison">The comparison (LeakGuard.HeapAnalysis <c>HeapComparison</c>).</param>
internal sealed record DiffResult(
    string Verb,
    int ExitCode,
    string Before,
    string After,
    long GrowthBytes,
    long? MaxGrowthBytes,
    bool OverBudget,
    HeapComparison Comparison
);
