using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakGuard.Tool.Watching;

/// <summary>A .NET process the tool can talk to through its diagnostics port.</summary>
internal sealed record TargetProcess(int Pid, string Name)
{
    /// <summary>Checks that <paramref name="pid"/> is a running .NET process whose diagnostics port this user may connect to.</summary>
    /// <exception cref="ToolException">It is not (the message says why).</exception>
    public static TargetProcess FromPid(int pid)
    {
        if (pid <= 0)
            throw new ToolException($"'{pid}' is not a process id.");
        string name;
        try
        {
            using var process = Process.GetProcessById(pid);
            name = process.ProcessName;
        }
        catch (ArgumentException)
        {
            throw new ToolException($"no process with id {pid} is running.");
        }
        catch (InvalidOperationException)
        {
            throw new ToolException($"process {pid} has exited.");
        }
        // For `dotnet app.dll` the process is named dotnet: the main assembly names it better.
        if (name == "dotnet" && MainAssemblyName(pid) is { } assembly)
            name = assembly;
        try
        {
            _ = new DiagnosticsClient(pid).GetProcessEnvironment();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ToolException(
                $"no permission to connect to process {pid} ({name}): run leakguard as the user that runs it, or as root ({e.Message.Trim()}).",
                e
            );
        }
        catch (ServerNotAvailableException)
        {
            throw new ToolException(
                $"process {pid} ({name}) is not a .NET process leakguard can connect to: it has no diagnostics port (not .NET 5+, another user's process, another container's /tmp, or DOTNET_EnableDiagnostics=0)."
            );
        }
        catch (Exception e) when (e is ServerErrorException or IOException or TimeoutException)
        {
            throw new ToolException($"process {pid} ({name}) did not answer on its diagnostics port ({e.GetType().Name}: {e.Message.Trim()}).", e);
        }
        return new TargetProcess(pid, name);
    }

    /// <summary>The one .NET process named <paramref name="name"/> (as <c>ps</c> shows it, or the main assembly's name).</summary>
    /// <exception cref="ToolException">None or several are.</exception>
    public static TargetProcess FromName(string name)
    {
        var published = PublishedProcesses();
        var matches = new List<int>();
        foreach (var pid in published)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (string.Equals(process.ProcessName, name, StringComparison.Ordinal) || MainAssemblyName(pid) == name)
                    matches.Add(pid);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
        }
        matches.Remove(Environment.ProcessId);
        return matches.Count switch
        {
            1 => FromPid(matches[0]),
            0 => throw new ToolException($"no .NET process named '{name}' is running (leakguard lists the .NET processes of the current user)."),
            _ => throw new ToolException(
                $"{matches.Count} .NET processes are named '{name}' ({string.Join(", ", matches.Order())}): give the process id instead."
            ),
        };
    }

    /// <summary>
    /// Ids of the processes with a diagnostics port this user can see. <see cref="DiagnosticsClient.GetPublishedProcesses"/>
    /// throws when a process exits while it reads <c>/proc</c>; the sockets in the temp folder are then listed directly.
    /// </summary>
    public static HashSet<int> PublishedProcesses()
    {
        try
        {
            return DiagnosticsClient.GetPublishedProcesses().ToHashSet();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var pids = new HashSet<int>();
            try
            {
                foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), "dotnet-diagnostic-*-socket"))
                {
                    var parts = Path.GetFileName(socket).Split('-');
                    if (parts.Length > 2 && int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var pid))
                        pids.Add(pid);
                }
            }
            catch (Exception inner) when (inner is IOException or UnauthorizedAccessException) { }
            return pids;
        }
    }

    /// <summary>For <c>dotnet app.dll</c>: <c>app</c>, read from <c>/proc/&lt;pid&gt;/cmdline</c> on Linux; null elsewhere.</summary>
    private static string? MainAssemblyName(int pid)
    {
        try
        {
            var path = $"/proc/{pid}/cmdline";
            if (!File.Exists(path))
                return null;
            var args = File.ReadAllText(path).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var dll = args.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
            return dll is null ? null : Path.GetFileNameWithoutExtension(dll);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
