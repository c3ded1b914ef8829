using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using LeakGuard.Tool.Output;
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
        Description = "Time to let the process start up (JIT, caches) before sampling begins.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        CustomParser = CommonOptions.ParseDuration,
    };

    private static readonly Option<TimeSpan> StartupTimeoutOption = new("--startup-timeout")
    {
        Description = "How long to wait for the process's .NET diagnostics port to appear.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(15),
        CustomParser = CommonOptions.ParseDuration,
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
                throw new ToolException("give the command to run after --, e.g. leakguard run -- dotnet MyService.dll");
            process = Start(command, output);
            var target = await WaitForRuntimeAsync(process, parse.GetValue(StartupTimeoutOption), cancellationToken).ConfigureAwait(false);
            output.Progress($"started process {process.Id} ({target.Name}); warming up for {Units.Duration(parse.GetValue(WarmupOption))}");
            await Task.Delay(parse.GetValue(WarmupOption), cancellationToken).ConfigureAwait(false);
            if (process.HasExited)
                throw new ToolException($"'{command[0]}' exited with code {process.ExitCode} during the warmup.");
            var report = await WatchSession
                .RunAsync("run", new TargetInfo(process.Id, target.Name, command), settings, output, () => process.HasExited, cancellationToken)
                .ConfigureAwait(false);
            Stop(process, output);
            WatchCommandHandler.Write(output, report);
            return report.ExitCode;
        }
        catch (ToolException e)
        {
            var message = e.Message;
            if (process is { HasExited: true } && !message.Contains("exited with code", StringComparison.Ordinal))
                message += $" (the process exited with code {process.ExitCode})";
            return (int)output.Fail("run", message);
        }
        catch (OperationCanceledException)
        {
            return (int)output.Fail("run", "stopped before the watch began.");
        }
        finally
        {
            if (process is not null)
            {
                Stop(process, output);
                process.Dispose();
            }
        }
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
                catch (ToolException) when (clock.Elapsed < timeout) { }
            }
            if (clock.Elapsed > timeout)
                throw new ToolException(
                    $"'{process.StartInfo.FileName}' (process {process.Id}) opened no .NET diagnostics port within {Units.Duration(timeout)}: is it a .NET process (and not a launcher that starts one)?"
                );
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Stop(Process process, CliOutput output)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            output.Error.WriteLine($"leakguard run: could not stop process {process.Id}: {e.Message}");
        }
    }
}
