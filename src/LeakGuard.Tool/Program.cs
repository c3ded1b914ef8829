using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using LeakGuard.Tool.Commands;

namespace LeakGuard.Tool;

/// <summary>The <c>leakguard</c> command: builds the command tree; each verb has its own handler.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => InvokeAsync(args, Console.Out, Console.Error);

    /// <summary>The name help shows in its usage lines: the tool's command, not the name of its assembly.</summary>
    internal const string CommandName = "leakguard";

    /// <summary>
    /// The command tree. A plain <see cref="Command"/> named <see cref="CommandName"/> with help and version options,
    /// rather than a <see cref="RootCommand"/>: a root command is named after the entry assembly, and help of the
    /// installed tool would read "Usage: LeakGuard.Tool [command] [options]".
    /// </summary>
    internal static Command BuildRootCommand() =>
        new(
            CommandName,
            "leakguard: find memory leaks in a live .NET process, or between heap dumps. Exit codes: 0 no growth over budget, 1 growth over budget, 2 usage error or failure."
        )
        {
            new HelpOption(),
            new VersionOption(),
            WatchCommandHandler.WatchCommand(),
            RunCommandHandler.RunCommand(),
            DiffCommandHandler.DiffCommand(),
            AnalyzeCommandHandler.AnalyzeCommand(),
            BaselineCommandHandler.BaselineCommand(),
        };

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers; a usage error exits with <see cref="ReturnCode.Error"/>.</summary>
    internal static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parse = BuildRootCommand().Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var code = await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        // System.CommandLine exits with 1 on a parse error; 1 means "growth over budget" here.
        return parse.Action is ParseErrorAction ? (int)ReturnCode.Error : code;
    }
}
