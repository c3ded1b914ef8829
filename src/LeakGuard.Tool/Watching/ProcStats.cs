namespace LeakGuard.Tool.Watching;

/// <summary>What <c>/proc/&lt;pid&gt;</c> says about a process (Linux): resident memory, open handles, threads. NaN where unavailable.</summary>
/// <param name="RssBytes">Resident set size (<c>VmRSS</c>).</param>
/// <param name="AnonymousRssBytes">Resident anonymous memory (<c>RssAnon</c>): the heaps (managed and native), stacks; not mapped files.</param>
/// <param name="Handles">Entries of <c>/proc/&lt;pid&gt;/fd</c> (needs the same user or root).</param>
/// <param name="Threads">Threads (<c>Threads</c> in <c>/proc/&lt;pid&gt;/status</c>).</param>
/// <param name="CpuSeconds">User plus system CPU time of the process so far (<c>/proc/&lt;pid&gt;/stat</c>).</param>
internal readonly record struct ProcStats(double RssBytes, double AnonymousRssBytes, double Handles, double Threads, double CpuSeconds)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Reads the figures of <paramref name="pid"/>; false when the process is gone.</summary>
    public static bool TryRead(int pid, out ProcStats stats)
    {
        stats = new ProcStats(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        if (!OperatingSystem.IsLinux())
        {
            return TryReadPortable(pid, out stats);
        }
        double rss = double.NaN,
            anon = double.NaN,
            threads = double.NaN,
            handles = double.NaN,
            cpu = double.NaN;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = Kilobytes(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                    anon = Kilobytes(line);
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                    threads = double.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        try
        {
            handles = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may contain spaces) in parentheses: utime is the 12th, stime the 13th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            cpu =
                (
                    double.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                    + double.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)
                ) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        stats = new ProcStats(rss, anon, handles, threads, cpu);
        return true;
    }

    private static bool TryReadPortable(int pid, out ProcStats stats)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            stats = new ProcStats(
                process.WorkingSet64,
                process.PrivateMemorySize64,
                OperatingSystem.IsWindows() ? process.HandleCount : double.NaN,
                process.Threads.Count,
                process.TotalProcessorTime.TotalSeconds
            );
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            stats = default;
            return false;
        }
    }

    private static double Kilobytes(string line)
    {
        var value = line[(line.IndexOf(':') + 1)..].Trim();
        var space = value.IndexOf(' ');
        return double.Parse(space < 0 ? value : value[..space], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
