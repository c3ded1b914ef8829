namespace LeakGuard.Tool.Watching;

/// <summary>What <c>/proc/&lt;pid&gt;</c> says about a process (Linux): resident memory, open handles, threads. NaN where unavailable.</summary>
/// <param name="RssBytes">Resident set size (<c>VmRSS</c>).</param>
/// <param name="AnonymousRssBytes">Resident anonymous memory (<c>RssAnon</c>): the heaps (managed and native), stacks; not mapped files.</param>
/// <param name="Handles">Entries of <c>/proc/&lt;pid&gt;/fd</c> (needs the same user or root).</param>
/// <param name="Threads">Threads (<c>Threads</c> in <c>/proc/&lt;pid&gt;/status</c>).</param>
/// <param name="CpuSeconds">User plus system CPU time of the process so far (<c>/proc/&lt;pid&gt;/stat</c>).</param>
/// <param name="NonGcAnonymousBytes">
/// Resident anonymous memory outside the GC's own mappings (see <see cref="AnonymousOutside"/>), bytes, read from
/// <c>/proc/&lt;pid&gt;/smaps</c> in the same read as the mappings it leaves out; NaN when no GC address is known yet or
/// not on Linux.
/// </param>
internal readonly record struct ProcStats(
    double RssBytes,
    double AnonymousRssBytes,
    double Handles,
    double Threads,
    double CpuSeconds,
    double NonGcAnonymousBytes = double.NaN
)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Reads the figures of <paramref name="pid"/>; false when the process is gone.</summary>
    /// <param name="pid">The process.</param>
    /// <param name="gcSpan">The addresses the GC was seen using (<see cref="RuntimeReading.GcSpan"/>); null: <see cref="NonGcAnonymousBytes"/> is NaN.</param>
    /// <param name="stats">The figures.</param>
    public static bool TryRead(int pid, GcAddressSpan? gcSpan, out ProcStats stats)
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
        var nonGc = double.NaN;
        if (gcSpan is { } span)
        {
            try
            {
                nonGc = AnonymousOutside(File.ReadLines($"/proc/{pid}/smaps"), span);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        stats = new ProcStats(rss, anon, handles, threads, cpu, nonGc);
        return true;
    }

    /// <summary>
    /// Resident anonymous memory (the <c>Anonymous:</c> lines of <c>/proc/&lt;pid&gt;/smaps</c>, bytes) of the mappings
    /// that are not the GC's. A mapping is the GC's when it is anonymous (no file, no <c>[name]</c>) and either overlaps
    /// the GC's address span (<see cref="GcAddressSpan"/>: the regions the runtime reported), or continues it: lies right
    /// above it, adjacent mapping after adjacent mapping, up to and including the first inaccessible (<c>---p</c>) one of
    /// at least <see cref="GcReservedTailBytes"/> — the unused rest of the GC's reservation.
    /// </summary>
    /// <remarks>
    /// The GC (regions, .NET 7 and later) reserves one range of address space for all its regions (about twice the
    /// physical memory here) and commits and decommits parts of it, which splits the reservation into many anonymous
    /// mappings. Everything the GC committed and touched, and has not yet decommitted, is resident inside them, so leaving
    /// them out of the same read makes the figure independent of the GC's commits and decommits and of when the runtime
    /// last reported its committed bytes. The continuation covers regions the GC took since its last report (events
    /// arrive late). The GC's bookkeeping (card table, mark array: well under 1% of the heap) lies in a separate
    /// reservation below and stays in the figure; so does a glibc arena right above the reservation (its inaccessible
    /// part is under 64 MiB, and it comes after the GC's tail).
    /// </remarks>
    /// <param name="smaps">The lines of <c>/proc/&lt;pid&gt;/smaps</c>, in address order as the kernel writes them.</param>
    /// <param name="gcSpan">The addresses the GC was seen using.</param>
    public static double AnonymousOutside(IEnumerable<string> smaps, GcAddressSpan gcSpan)
    {
        var total = 0.0;
        var gc = false;
        var continuing = false;
        ulong previousEnd = 0;
        foreach (var line in smaps)
        {
            if (TryParseMappingHeader(line, out var mapping))
            {
                if (mapping.Anonymous && mapping.End > gcSpan.Low && mapping.Start <= gcSpan.High)
                {
                    gc = true;
                    continuing = true;
                }
                else if (continuing && mapping.Anonymous && mapping.Start == previousEnd && mapping.Start > gcSpan.High)
                {
                    gc = true;
                    continuing = !(mapping.Inaccessible && mapping.End - mapping.Start >= GcReservedTailBytes);
                }
                else
                {
                    gc = false;
                    continuing = false;
                }
                previousEnd = mapping.End;
                continue;
            }
            if (!gc && line.StartsWith("Anonymous:", StringComparison.Ordinal))
                total += Kilobytes(line);
        }
        return total;
    }

    /// <summary>
    /// The smallest inaccessible mapping taken for the unused rest of the GC's reservation (64 MiB: a glibc arena's whole
    /// reservation is 64 MiB, and the GC reserves gigabytes).
    /// </summary>
    public const ulong GcReservedTailBytes = 64UL << 20;

    private readonly record struct Mapping(ulong Start, ulong End, bool Anonymous, bool Inaccessible);

    // "7fcd45000000-7fcd45361000 rw-p 00000000 00:00 0      [optional path]"
    private static bool TryParseMappingHeader(string line, out Mapping mapping)
    {
        mapping = default;
        var dash = line.IndexOf('-');
        var space = line.IndexOf(' ');
        if (
            dash <= 0
            || space < dash
            || !ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var start)
            || !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var end)
        )
            return false;
        // Fields: range, perms, offset, device, inode, then the path (absent for anonymous memory).
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        mapping = new Mapping(start, end, fields.Length == 5 && fields[4] == "0", fields.Length > 1 && fields[1].StartsWith("---", StringComparison.Ordinal));
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
