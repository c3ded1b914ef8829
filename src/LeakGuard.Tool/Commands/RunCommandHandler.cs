using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using LeakGuard.Tool.Output;
using LeakGuard.Tool.Running;
using LeakGuard.Tool.Watching;

namespace LeakGuard.Tool.Commands;

/// <summary><c>leakguard run [options] -- &lt;command&gt; [args]</c>: start a process, watch it for the duration, stop it, report.</summary>
internal static class RunCommandHandler
{
    private static readonly Argument<string[]> CommandArgument = new("command")
    {
        Description = "The command to start and its arguments, after --: e.g. -- dotnet MyService.dll --urls http://127.0.0.1:5000",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<TimeSpan> WarmupOption = new("--warmup", "-w")
    {
        Description = "Time to let the process start up (JIT, caches) before sampling begins: 100ms to 1h.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        CustomParser = CommonOptions.DurationIn(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
    };

    private static readonly Option<TimeSpan> StartupTimeoutOption = new("--startup-timeout")
    {
        Description = "How long to wait for the process's .NET diagnostics port to appear: 1s to 1h.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(15),
        CustomParser = CommonOptions.DurationIn(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
    };

    private static readonly Option<bool> ShowCommandLineOption = new("--show-command-line")
    {
        Description = "Show the target's arguments in the report (by default only the executable and how many arguments were redacted: they may hold secrets).",
    };

    /// <summary>The <c>run</c> command.</summary>
    public static Command RunCommand()
    {
        var command = new Command(
            "run",
            "Start a .NET process, let it warm up, watch it for the duration (as 'watch' does), take heap snapshots if a metric grew over budget, stop it and report: a CI gate for soak tests."
        )
        {
            CommandArgument,
            WarmupOption,
            StartupTimeoutOption,
            ShowCommandLineOption,
        };
        WatchOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = new CliOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(CommonOptions.JsonOption));
        Process? process = null;
        try
        {
            var settings = WatchOptions.Read(parse);
            var command = parse.GetValue(CommandArgument) ?? [];
            if (command.Length == 0)
                throw new ToolException("give the command to run after --, e.g. leakguard run -- dotnet MyService.dll", kind: ErrorKind.Usage);
            var shown = parse.GetValue(ShowCommandLineOption) ? command : RedactedCommandLine(command);
            process = Start(command, output);
            var target = await WaitForRuntimeAsync(process, parse.GetValue(StartupTimeoutOption), cancellationToken).ConfigureAwait(false);
            output.Progress($"started process {process.Id} ({target.Name}); warming up for {Units.Duration(parse.GetValue(WarmupOption))}");
            await Task.Delay(parse.GetValue(WarmupOption), cancellationToken).ConfigureAwait(false);
            if (process.HasExited)
                throw new ToolException($"'{command[0]}' exited with code {process.ExitCode} during the warmup.");
            var report = await WatchSession
                .RunAsync("run", new TargetInfo(process.Id, target.Name, shown), settings, output, () => process.HasExited, cancellationToken)
                .ConfigureAwait(false);
            // A signal during the watch: a CI job was cancelled, or Ctrl+C. What was sampled is no verdict of the soak test.
            if (cancellationToken.IsCancellationRequested)
                return (int)Interrupted(output, process);
            Stop(process, output);
            WatchCommandHandler.Write(output, report);
            return report.ExitCode;
        }
        catch (Exception e) when ((e is OperationCanceledException or ToolException) && cancellationToken.IsCancellationRequested)
        {
            return (int)Interrupted(output, process);
        }
        catch (ToolException e)
        {
            var message = e.Message;
            if (process is { HasExited: true } && !message.Contains("exited with code", StringComparison.Ordinal))
                message += $" (the process exited with code {process.ExitCode})";
            return (int)output.Fail("run", message, e.Kind);
        }
        finally
        {
            // Whatever ended the run — a failure, a signal, an exception leakguard did not expect — the target does not outlive it.
            if (process is not null)
            {
                Stop(process, output);
                ChildProcesses.Remove(process);
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// The command line as the report shows it unless <c>--show-command-line</c> is given: the executable and how many
    /// arguments there were (arguments carry connection strings and tokens, and reports end up in CI logs).
    /// </summary>
    internal static string[] RedactedCommandLine(string[] command) =>
        command.Length <= 1 ? command : [command[0], $"<{command.Length - 1} argument{(command.Length == 2 ? "" : "s")} redacted>"];

    /// <summary>Stops the target after a signal and reports it: exit code 130 (SIGINT) or 143 (SIGTERM).</summary>
    private static ReturnCode Interrupted(CliOutput output, Process? process)
    {
        var what = "before the process was started";
        if (process is not null)
        {
            var pid = process.Id;
            what = Stop(process, output) ? $"process {pid} and its child processes were stopped" : $"process {pid} could not be stopped";
        }
        return output.Fail(
            "run",
            $"stopped by {Termination.SignalName} before the watch ended: {what}; no verdict.",
            ErrorKind.Interrupted,
            Termination.ExitCode
        );
    }

    private static Process Start(string[] command, CliOutput output)
    {
        var info = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1))
            info.ArgumentList.Add(argument);
        try
        {
            var process = Process.Start(info) ?? throw new ToolException($"'{command[0]}' did not start.");
            ChildProcesses.Add(process);
            // The process's output goes to the tool's error stream (standard output carries the report), one prefixed line at a time.
            var prefix = $"[{process.Id}] ";
            process.OutputDataReceived += (_, e) => Forward(output, prefix, e.Data);
            process.ErrorDataReceived += (_, e) => Forward(output, prefix, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (Win32Exception e)
        {
            throw new ToolException($"cannot start '{command[0]}': {e.Message.Trim()}.", e);
        }
    }

    private static void Forward(CliOutput output, string prefix, string? line)
    {
        if (line is null)
            return;
        lock (output.Error)
            output.Error.WriteLine(prefix + line);
    }

    /// <summary>Waits until the started process's diagnostics port answers.</summary>
    private static async Task<TargetProcess> WaitForRuntimeAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? unreachable = null;
        while (true)
        {
            if (process.HasExited)
                throw new ToolException($"'{process.StartInfo.FileName}' exited with code {process.ExitCode} before its .NET runtime started.");
            if (TargetProcess.PublishedProcesses().Contains(process.Id))
            {
                try
                {
                    return TargetProcess.FromPid(process.Id);
                }
                catch (ToolException e)
                {
                    // A port named after this pid that does not answer: not yet listening, or left behind by an
                    // earlier process with the same pid (a busy machine reuses pids).
                    unreachable = e.Message;
                }
            }
            if (clock.Elapsed > timeout)
                throw new ToolException(
                    $"'{process.StartInfo.FileName}' (process {process.Id}) opened no .NET diagnostics port within {Units.Duration(timeout)}: is it a .NET process (and not a launcher that starts one)?"
                        + (unreachable is null ? "" : $" (a port named after its pid did not answer: {unreachable})")
                );
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Stop(Process process, CliOutput output) =>
        ChildProcesses.Stop(process, TimeSpan.FromSeconds(5), message => output.Error.WriteLine($"leakguard run: {message}"));
}
