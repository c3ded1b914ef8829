using System.CommandLine;
using LeakGuard.Tool.Output;
using LeakGuard.Tool.Watching;

namespace LeakGuard.Tool.Commands;

/// <summary><c>leakguard watch &lt;pid&gt; | --name &lt;name&gt;</c>: watch a running .NET process.</summary>
internal static class WatchCommandHandler
{
    private static readonly Argument<int?> ProcessIdArgument = new("pid")
    {
        Description = "The id of the .NET process to watch.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> NameOption = new("--name", "-n") { Description = "The name of the .NET process to watch, instead of its id." };

    /// <summary>The <c>watch</c> command.</summary>
    public static Command WatchCommand()
    {
        var command = new Command(
            "watch",
            "Sample a running .NET process (managed heap, native memory, RSS, handles, threads), show the figures live, fit growth slopes per hour with 95% confidence bounds, and when a metric grows over its budget take two heap snapshots and name the growing types with their retention paths."
        )
        {
            ProcessIdArgument,
            NameOption,
        };
        WatchOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = new CliOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(CommonOptions.JsonOption));
        try
        {
            var pid = parse.GetValue(ProcessIdArgument);
            var name = parse.GetValue(NameOption);
            if (pid is null == name is null)
                throw new ToolException("give either a process id or --name <process name>, not both and not neither.");
            var settings = WatchOptions.Read(parse);
            var target = pid is { } id ? TargetProcess.FromPid(id) : TargetProcess.FromName(name!);
            var report = await WatchSession
                .RunAsync("watch", new TargetInfo(target.Pid, target.Name), settings, output, exited: null, cancellationToken)
                .ConfigureAwait(false);
            Write(output, report);
            return report.ExitCode;
        }
        catch (ToolException e)
        {
            return (int)output.Fail("watch", e);
        }
    }

    /// <summary>Writes the report as text or JSON.</summary>
    internal static void Write(CliOutput output, WatchReport report)
    {
        if (output.Json)
            output.WriteJson(report);
        else
            ReportText.WriteWatch(output.Out, report);
    }
}
