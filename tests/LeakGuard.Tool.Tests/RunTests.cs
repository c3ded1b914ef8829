using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace LeakGuard.Tool.Tests;

/// <summary>`leakguard run`: what a cancelled CI job does to it, and what its report shows of the command line.</summary>
[Collection(LiveProcessCollection.Name)]
public sealed partial class RunTests
{
    [Theory]
    [InlineData("TERM", 143, "SIGTERM")]
    [InlineData("INT", 130, "SIGINT (Ctrl+C)")]
    public async Task Run_stopped_by_a_signal_stops_its_target_and_exits_with_the_signal_code(string signal, int exitCode, string named)
    {
        // The installed tool, as a CI job runs it: its own process, so that it can be sent a signal.
        // A shell starts a background job with SIGINT ignored, and ignored signals are inherited: leakguard, rightly, then
        // ignores it too (as under nohup). The test is of leakguard's handling, so it starts the tool with the default
        // disposition when this test host inherited an ignored SIGINT (coreutils env --default-signal).
        var sigintIgnored = signal == "INT" && IgnoresSigint();
        var info = new ProcessStartInfo(sigintIgnored ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "LeakGuard.Tool.dll"),
            "run",
            "--warmup",
            "100ms",
            "--duration",
            "5m",
            "--no-snapshots",
            "--",
            "dotnet",
            LeakyProcess.AssemblyPath,
            "--leak",
            "none",
        ];
        if (sigintIgnored)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add("dotnet");
        }
        foreach (var argument in args)
            info.ArgumentList.Add(argument);
        using var leakguard = Process.Start(info)!;
        var error = new StringBuilder();
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        leakguard.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (error)
                error.AppendLine(e.Data);
            if (StartedLine().Match(e.Data) is { Success: true } match)
                started.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        var sampling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        leakguard.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("leakguard run: process ", StringComparison.Ordinal) == true)
                sampling.TrySetResult();
        };
        leakguard.BeginErrorReadLine();
        leakguard.BeginOutputReadLine();
        var target = 0;
        try
        {
            target = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await sampling.Task.WaitAsync(TimeSpan.FromSeconds(60));
            IsRunning(target).ShouldBeTrue("the target runs while it is watched");

            using (var kill = Process.Start("kill", ["-s", signal, leakguard.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            await leakguard.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            string text;
            lock (error)
                text = error.ToString();
            leakguard.ExitCode.ShouldBe(exitCode, text);
            IsRunning(target).ShouldBeFalse("the target does not outlive leakguard run");
            text.ShouldContain(
                $"leakguard run: error: stopped by {named} before the watch ended: process {target} and its child processes were stopped; no verdict."
            );
            text.ShouldNotContain("   at ");
        }
        finally
        {
            if (!leakguard.HasExited)
                leakguard.Kill(entireProcessTree: true);
            if (target != 0 && IsRunning(target))
                Process.GetProcessById(target).Kill();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_json_redacts_the_target_arguments_unless_asked_to_show_them(bool show)
    {
        string[] command = ["dotnet", LeakyProcess.AssemblyPath, "--leak", "none", "--rate-kb", "1", "--garbage-kb", "64"];

        var (code, output, error) = await Leakguard.RunAsync([
            "run",
            "--warmup",
            "100ms",
            "--duration",
            "2s",
            "--interval",
            "500ms",
            "--no-snapshots",
            "--max-managed-growth",
            "100GB/h",
            "--max-native-growth",
            "100GB/h",
            "--max-handle-growth",
            "1000000/h",
            "--max-thread-growth",
            "1000000/h",
            "--json",
            .. show ? new[] { "--show-command-line" } : [],
            "--",
            .. command,
        ]);

        code.ShouldBe(0, output + error);
        var shown = JsonDocument.Parse(output).RootElement.GetProperty("process").GetProperty("command").EnumerateArray().Select(a => a.GetString()).ToArray();
        if (show)
        {
            shown.ShouldBe(command);
        }
        else
        {
            shown.ShouldBe(["dotnet", "<7 arguments redacted>"]);
            output.ShouldNotContain("LeakyService.dll");
            output.ShouldNotContain("--garbage-kb");
        }
    }

    /// <summary>Whether <paramref name="pid"/> is a live process (not gone, not a zombie waiting to be reaped).</summary>
    /// <summary>True when this process has SIGINT ignored (bit 1 of SigIgn in /proc/self/status), as a shell's background job has.</summary>
    private static bool IgnoresSigint()
    {
        if (!File.Exists("/proc/self/status"))
            return false;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            // "pid (comm) S ...": the state follows the last ')'.
            return text[(text.LastIndexOf(')') + 2)..].First() != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"started process (\d+) ")]
    private static partial Regex StartedLine();
}
