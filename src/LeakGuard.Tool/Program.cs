using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using LeakGuard.Tool.Commands;
using LeakGuard.Tool.Output;
using LeakGuard.Tool.Running;

namespace LeakGuard.Tool;

/// <summary>The <c>leakguard</c> command: builds the command tree; each verb has its own handler.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // A crash on any thread, or the runtime shutting down, must not leave a process `run` started behind.
        AppDomain.CurrentDomain.UnhandledException += (_, _) => ChildProcesses.StopAll();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.StopAll();
        using var termination = Termination.Register();
        return await InvokeAsync(args, Console.Out, Console.Error, termination.Token).ConfigureAwait(false);
    }

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

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to the given writers. Every failure exits with
    /// <see cref="ReturnCode.Error"/> and one line on <paramref name="error"/> (with <c>--json</c>, an error document on
    /// <paramref name="output"/>): a usage error, a failure a verb reports, and any exception a verb did not expect —
    /// System.CommandLine's own exception handler (a stack trace, exit code 1, which means "growth over budget" here)
    /// never runs, nor its handling of SIGINT/SIGTERM (<see cref="Main"/> registers leakguard's own, <see cref="Termination"/>).
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output: the report.</param>
    /// <param name="error">Standard error: progress and errors.</param>
    /// <param name="cancellationToken">Cancelled on SIGINT or SIGTERM.</param>
    /// <param name="root">The command tree; <see cref="BuildRootCommand"/> when null (tests add verbs of their own).</param>
    internal static async Task<int> InvokeAsync(
        string[] args,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken = default,
        Command? root = null
    )
    {
        ParseResult? parse = null;
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            parse = (root ?? BuildRootCommand()).Parse(args);
            // With --json, standard output carries the error document only, not the help text.
            if (parse.Action is ParseErrorAction parseError && WantsJson(parse))
                parseError.ShowHelp = false;
            var code = await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            if (parse.Action is ParseErrorAction)
            {
                // System.CommandLine has printed the errors; it exits with 1 on a parse error, and 1 means "growth over budget" here.
                if (WantsJson(parse))
                    new CliOutput(output, TextWriter.Null, json: true).Fail(
                        Verb(parse),
                        string.Join(" ", parse.Errors.Select(e => e.Message)),
                        ErrorKind.Usage
                    );
                return (int)ReturnCode.Error;
            }
            return code;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (int)
                new CliOutput(output, error, WantsJson(parse)).Fail(
                    Verb(parse),
                    $"stopped by {Termination.SignalName} before there was a result.",
                    ErrorKind.Interrupted,
                    Termination.ExitCode
                );
        }
        catch (Exception e)
        {
            return (int)new CliOutput(output, error, WantsJson(parse)).Fail(Verb(parse), e);
        }
    }

    /// <summary>The verb of <paramref name="parse"/>: <c>watch</c>, <c>baseline update</c>; empty for the root command.</summary>
    internal static string Verb(ParseResult? parse)
    {
        if (parse is null)
            return "";
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command && command.Parent is not null; result = command.Parent)
            names.Insert(0, command.Command.Name);
        return string.Join(' ', names);
    }

    private static bool WantsJson(ParseResult? parse)
    {
        if (parse is null)
            return false;
        try
        {
            return parse.GetResult(CommonOptions.JsonOption) is { Implicit: false };
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
