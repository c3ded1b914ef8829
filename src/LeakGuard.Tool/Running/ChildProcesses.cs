using System.ComponentModel;
using System.Diagnostics;

namespace LeakGuard.Tool.Running;

/// <summary>
/// The processes <c>run</c> started and has not stopped yet, so that whatever ends leakguard — a second SIGINT or
/// SIGTERM, an exception on another thread, the runtime shutting down — stops them (each with its process tree) rather
/// than leaving a soak target running and holding its ports.
/// </summary>
internal static class ChildProcesses
{
    private static readonly object Gate = new();
    private static readonly List<Process> Running = [];

    /// <summary>Records <paramref name="process"/> as started.</summary>
    public static void Add(Process process)
    {
        lock (Gate)
            Running.Add(process);
    }

    /// <summary>Forgets <paramref name="process"/> (stopped, or about to be disposed).</summary>
    public static void Remove(Process process)
    {
        lock (Gate)
            Running.Remove(process);
    }

    /// <summary>Kills every recorded process with its process tree; never throws.</summary>
    public static void StopAll()
    {
        Process[] processes;
        lock (Gate)
            processes = [.. Running];
        foreach (var process in processes)
            Stop(process, TimeSpan.FromSeconds(5), onError: null);
    }

    /// <summary>Kills <paramref name="process"/> with its process tree and waits up to <paramref name="wait"/> for it to exit.</summary>
    /// <returns>False when it could not be stopped (<paramref name="onError"/> is told why).</returns>
    public static bool Stop(Process process, TimeSpan wait, Action<string>? onError)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(wait);
            }
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            onError?.Invoke($"could not stop process {SafeId(process)}: {e.Message}");
            return false;
        }
    }

    private static string SafeId(Process process)
    {
        try
        {
            return process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }
}
