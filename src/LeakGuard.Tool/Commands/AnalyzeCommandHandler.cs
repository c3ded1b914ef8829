using System.CommandLine;
using LeakGuard.HeapAnalysis;
using LeakGuard.Tool.Output;

namespace LeakGuard.Tool.Commands;

/// <summary><c>leakguard analyze &lt;dump&gt; [--type &lt;name&gt;]</c>: the largest types of one dump, and the retention paths of one type.</summary>
internal static class AnalyzeCommandHandler
{
    private static readonly Argument<string> DumpArgument = new("dump") { Description = "A heap dump of a .NET process." };

    private static readonly Option<string?> TypeOption = new("--type", "-t")
    {
        Description = "Show the retention paths to the instances of this type: full name, name without namespace, or a unique part of it.",
    };

    private static readonly Option<int> TopTypesOption = new("--top")
    {
        Description = "How many of the largest types to list.",
        DefaultValueFactory = _ => 20,
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<int>() < 1)
                    r.AddError("--top must be at least 1.");
            },
        },
    };

    private static readonly Option<bool> NoStackRootsOption = new("--no-stack-roots")
    {
        Description = "Do not search thread stacks as roots of retention paths.",
    };

    /// <summary>The <c>analyze</c> command.</summary>
    public static Command AnalyzeCommand()
    {
        var command = new Command(
            "analyze",
            "Summarise one heap dump (largest types by bytes); with --type, the retention paths to the instances of that type."
        )
        {
            DumpArgument,
            TypeOption,
            TopTypesOption,
            NoStackRootsOption,
            CommonOptions.AnalysisTimeoutOption,
            CommonOptions.JsonOption,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = new CliOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(CommonOptions.JsonOption));
        var dump = parse.GetValue(DumpArgument)!;
        try
        {
            var options = new HeapSnapshotOptions
            {
                TopTypes = parse.GetValue(TopTypesOption),
                TypeName = parse.GetValue(TypeOption),
                IncludeStackRoots = !parse.GetValue(NoStackRootsOption),
            };
            var summary = await DumpErrors
                .ReadDumpsWithinAsync(
                    [dump],
                    parse.GetValue(CommonOptions.AnalysisTimeoutOption),
                    token =>
                    {
                        try
                        {
                            return HeapAnalyzer.Analyze(dump, options, token);
                        }
                        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException && options.TypeName is not null && e.ParamName == "wanted")
                        {
                            throw new ToolException(
                                e.Message[..(e.Message.IndexOf(" (Parameter", StringComparison.Ordinal) is var i and >= 0 ? i : e.Message.Length)] + ".",
                                e
                            );
                        }
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (output.Json)
                output.WriteJson(new AnalyzeResult("analyze", (int)ReturnCode.Ok, dump, summary));
            else
                ReportText.WriteSummary(output.Out, dump, summary);
            return (int)ReturnCode.Ok;
        }
        catch (ToolException e)
        {
            return (int)output.Fail("analyze", e);
        }
    }
}

/// <summary>The JSON document of <c>analyze</c>.</summary>
/// <param name="Verb"><c>analyze</c>.</param>
/// <param name="ExitCode">0.</param>
/// <param name="Dump">The dump.</param>
/// <param name="Summary">The summary (LeakGuard.HeapAnalysis <c>HeapSnapshotSummary</c>).</param>
internal sealed record AnalyzeResult(string Verb, int ExitCode, string Dump, HeapSnapshotSummary Summary);
