using System.Security.Cryptography;
using System.Text;
using LeakGuard.Reporting;

namespace LeakGuard;

/// <summary>
/// The files a leak run leaves for a person or a CI job to look at: <c>report.json</c> (<see cref="LeakReport.ToJson"/>,
/// schema in <c>docs/report-schema.md</c>), one SVG chart per measured metric (<c>managed-heap.svg</c>,
/// <c>native-memory.svg</c>, <c>handles.svg</c>, <c>threads.svg</c>: growth since the first sample against iteration,
/// with the fitted slope, its confidence band and the budget line) and <c>summary.md</c> (Markdown for a CI step
/// summary), in one folder per test: <c>&lt;artifacts directory&gt;/&lt;test name&gt;/</c>.
/// </summary>
/// <remarks>
/// The engine writes them at the end of a run when <see cref="LeakOptions.Artifacts"/> asks for it (by default when
/// the run finds a leak) and records the outcome on the report (<see cref="LeakReport.ArtifactsDirectory"/>,
/// <see cref="LeakReport.ArtifactsUnavailableReason"/>). See <c>docs/artifacts.md</c>.
/// </remarks>
public static class LeakArtifacts
{
    /// <summary>The environment variable that sets the artifacts directory when <see cref="LeakOptions.ArtifactsDirectory"/> is null: <c>LEAKGUARD_ARTIFACTS_DIRECTORY</c>.</summary>
    public const string DirectoryEnvironmentVariable = "LEAKGUARD_ARTIFACTS_DIRECTORY";

    /// <summary>The JSON report's file name in a run's folder.</summary>
    public const string ReportFileName = "report.json";

    /// <summary>The Markdown summary's file name in a run's folder.</summary>
    public const string SummaryFileName = "summary.md";

    /// <summary>The folder name of runs without <see cref="LeakOptions.TestName"/>; they overwrite each other's artifacts.</summary>
    public const string UnnamedFolderName = "leak-run";

    /// <summary>Longest folder name made from a test name; longer names are cut and end with a hash of the full name.</summary>
    internal const int MaxFolderNameLength = 100;

    private static readonly Lazy<string> DefaultRoot = new(() => Path.Combine(FindTestResultsDirectory(AppContext.BaseDirectory), "leakguard"));

    /// <summary>
    /// The folder the artifacts of a run with <paramref name="options"/> go to: the artifacts directory
    /// (<see cref="LeakOptions.ArtifactsDirectory"/>; when null <c>LEAKGUARD_ARTIFACTS_DIRECTORY</c>, else
    /// <c>&lt;test results directory&gt;/leakguard</c>) and in it a folder named after <see cref="LeakOptions.TestName"/>
    /// (see there for how names are made safe), or <c>leak-run</c> when the run is unnamed.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <returns>A full path. Nothing is created.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The artifacts directory is not a valid path.</exception>
    public static string GetDirectory(LeakOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = options.ArtifactsDirectory;
        if (string.IsNullOrWhiteSpace(root))
            root = Environment.GetEnvironmentVariable(DirectoryEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(root))
            root = DefaultRoot.Value;
        return Path.GetFullPath(Path.Combine(root, FolderName(options.TestName)));
    }

    /// <summary>The exporters whose files make up a run's artifacts, in the order they are written (the summary, which links the others, last).</summary>
    internal static readonly Reporting.ILeakReportExporter[] ArtifactExporters =
    [
        new Reporting.JsonExporter(),
        new Reporting.SvgChartExporter(),
        new Reporting.MarkdownExporter(),
    ];

    /// <summary>
    /// Writes the artifacts of <paramref name="report"/> into <paramref name="directory"/> (created when missing):
    /// <c>report.json</c>, one chart per measured metric and <c>summary.md</c>. Files of an earlier run with these names
    /// are replaced; a chart of a metric this run did not measure is deleted. Does not change the report.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="directory">The folder, e.g. <see cref="GetDirectory"/> of the report's options.</param>
    /// <returns>The names of the files written, in the order written (summary last).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> or <paramref name="directory"/> is null.</exception>
    /// <exception cref="IOException">A file or the folder could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
    public static IReadOnlyList<string> Write(LeakReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        var written = new List<string>();
        var made = new List<Reporting.ExportedFile>();
        foreach (var exporter in ArtifactExporters)
        {
            var files = exporter.Export(report, made).ToList();
            // A file of an earlier run this run has no content for (a chart of a metric not measured now) goes.
            foreach (var name in exporter.FileNames(report).Where(n => files.All(f => f.FileName != n)))
                File.Delete(Path.Combine(directory, name));
            foreach (var file in files)
            {
                File.WriteAllText(Path.Combine(directory, file.FileName), file.Content, utf8);
                written.Add(file.FileName);
                made.Add(file);
            }
        }
        return written;
    }

    /// <summary>
    /// Writes the artifacts when the report's <see cref="LeakOptions.Artifacts"/> policy asks for them and records the
    /// folder, or why it could not be written, on the report. Never throws.
    /// </summary>
    internal static void WriteIfRequested(LeakReport report)
    {
        var policy = report.Options.Artifacts;
        if (policy == ArtifactPolicy.Never || (policy == ArtifactPolicy.OnFailure && !report.Failed))
            return;

        string? directory = null;
        try
        {
            directory = GetDirectory(report.Options);
            // report.json carries the folder: set it (and the file names planned) before writing.
            report.ArtifactsDirectory = directory;
            report.ArtifactFiles = PlannedFiles(report);
            report.ArtifactFiles = Write(report, directory);
        }
#pragma warning disable CA1031 // Writing artifacts must never change the test's outcome: every failure becomes a note on the report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            report.ArtifactsDirectory = null;
            report.ArtifactFiles = [];
            report.ArtifactsUnavailableReason =
                $"Artifacts could not be written to '{directory ?? report.Options.ArtifactsDirectory ?? DirectoryEnvironmentVariable}': {ex.Message.TrimEnd('.', ' ')} ({ex.GetType().Name}).";
        }
    }

    private static string[] PlannedFiles(LeakReport report) =>
        [ReportFileName, .. report.Metrics.Where(m => m.IsMeasured).Select(m => SvgChart.FileName(m.Metric)), SummaryFileName];

    /// <summary>
    /// A folder name for <paramref name="testName"/>, different for different test names: characters other than ASCII
    /// letters, digits and <c>. - _ ( ) [ ] , + = @</c> become <c>_</c> (runs of them one <c>_</c>), leading and trailing
    /// dots, spaces and underscores go, Windows device names get a leading <c>_</c>. When that changed the name, or it is
    /// longer than <see cref="MaxFolderNameLength"/> characters, it is cut to 91 characters and ends with <c>-</c> and 8 hex
    /// digits of the SHA-256 of the exact test name (UTF-8), so that <c>M(x: "a/b")</c> and <c>M(x: "a:b")</c> get folders of
    /// their own. A name that is already safe and short is the folder name as it is. Empty or null gives
    /// <see cref="UnnamedFolderName"/>. The same name gives the same folder on every run and machine.
    /// </summary>
    internal static string FolderName(string? testName)
    {
        if (string.IsNullOrWhiteSpace(testName))
            return UnnamedFolderName;
        var safe = new StringBuilder(testName.Length);
        foreach (var c in testName)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || ".-_()[],+=@".Contains(c, StringComparison.Ordinal);
            if (keep)
                safe.Append(c);
            else if (safe.Length == 0 || safe[^1] != '_')
                safe.Append('_');
        }
        var name = safe.ToString().Trim('.', ' ', '_');
        if (name.Length == 0)
            name = "test";
        // Windows reserves these device names, whatever the extension.
        var stem = name.Split('.')[0];
        if (stem.Length is 3 or 4 && IsReservedDeviceName(stem))
            name = "_" + name;
        // Making the name safe maps many names to one (a/b and a:b both become a_b), and so does cutting it: the hash of
        // the exact name keeps their folders apart. A name already safe and short stays readable as it is.
        if (!string.Equals(name, testName, StringComparison.Ordinal) || name.Length > MaxFolderNameLength)
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(testName)))[..8].ToLowerInvariant();
            name = name[..Math.Min(name.Length, MaxFolderNameLength - 9)].TrimEnd('.', ' ') + "-" + hash;
        }
        return name;
    }

    private static bool IsReservedDeviceName(string stem) =>
        stem.ToUpperInvariant() switch
        {
            "CON" or "PRN" or "AUX" or "NUL" => true,
            var s
                when s.Length == 4
                    && (s.StartsWith("COM", StringComparison.Ordinal) || s.StartsWith("LPT", StringComparison.Ordinal))
                    && char.IsAsciiDigit(s[3]) => true,
            _ => false,
        };

    /// <summary>
    /// <c>dotnet test</c>'s default results directory: the <c>TestResults</c> folder of the nearest folder, from
    /// <paramref name="start"/> up, that holds a <c>*.csproj</c>, <c>*.fsproj</c> or <c>*.vbproj</c>; when there is
    /// none, <c>TestResults</c> under <paramref name="start"/>.
    /// </summary>
    internal static string FindTestResultsDirectory(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            try
            {
                if (folder.EnumerateFiles("*.*proj").Any(f => f.Extension is ".csproj" or ".fsproj" or ".vbproj"))
                    return Path.Combine(folder.FullName, "TestResults");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                // An unreadable folder on the way up: keep walking.
            }
        }
        return Path.Combine(start, "TestResults");
    }
}
