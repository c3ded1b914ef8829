using System.Globalization;
using System.Text.Json;

namespace LeakGuard.Tool.Baselines;

/// <summary>The slope of one metric in one report.json: <c>slope.perIteration</c> and <c>slope.lowerBound</c>, in the metric's unit per iteration.</summary>
/// <param name="PerIteration">The Theil–Sen slope per iteration (bytes for the heaps, handles or threads otherwise); may be negative.</param>
/// <param name="LowerBound">The lower bound of its confidence interval; <paramref name="PerIteration"/> when the report has none.</param>
/// <param name="Verdict">The metric's verdict as the report writes it (<c>pass</c>, <c>plateau</c>, <c>inconclusive</c>, <c>leak</c>).</param>
internal sealed record MeasuredSlope(double PerIteration, double LowerBound, string Verdict);

/// <summary>What <c>baseline update</c> takes from one report.json (schema: docs/report-schema.md).</summary>
/// <param name="File">Full path of the report.</param>
/// <param name="TestName">Its <c>testName</c>; null when the run was unnamed (the report is skipped).</param>
/// <param name="Slopes">The measured metrics; a metric not measured (<c>notMeasured</c>, or a null slope) is absent.</param>
/// <param name="Warnings">Metrics the report names that this tool does not know (a newer LeakGuard), skipped.</param>
internal sealed record ArtifactReport(string File, string? TestName, IReadOnlyDictionary<LeakMetric, MeasuredSlope> Slopes, IReadOnlyList<string> Warnings);

/// <summary>Finds and reads the report.json files a test run left in its artifacts directory (docs/artifacts.md).</summary>
internal static class ArtifactReports
{
    /// <summary>Every <c>report.json</c> under <paramref name="directory"/>, at any depth, as full paths in ordinal order.</summary>
    /// <exception cref="ToolException">The folder does not exist, cannot be listed, or holds no report.json.</exception>
    public static IReadOnlyList<string> Find(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new ToolException(
                File.Exists(full)
                    ? $"'{full}' is a file; --artifacts takes the folder the test runs wrote their artifacts to."
                    : $"no artifacts directory at '{full}'."
            );
        List<string> files;
        try
        {
            files = [.. Directory.EnumerateFiles(full, LeakArtifacts.ReportFileName, SearchOption.AllDirectories)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot list '{full}' ({e.Message.Trim()}).", e);
        }
        if (files.Count == 0)
            throw new ToolException(
                $"no {LeakArtifacts.ReportFileName} under '{full}'. Run the tests with their artifacts written for every test (Artifacts = ArtifactPolicy.Always) into this folder ({LeakArtifacts.DirectoryEnvironmentVariable}={full}), then run this again."
            );
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Reads one report.json.</summary>
    /// <exception cref="ToolException">It cannot be read, is not JSON, or is not a LeakGuard report of schema version 1; the message names the file and the field.</exception>
    public static ArtifactReport Read(string file)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot read '{file}' ({e.Message.Trim()}).", e);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return Read(file, document.RootElement);
        }
        catch (JsonException e)
        {
            var message = e.Message;
            var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            throw new ToolException($"'{file}' is not valid JSON (line {(e.LineNumber ?? 0) + 1}): {(at < 0 ? message : message[..at]).TrimEnd('.', ' ')}.", e);
        }
    }

    private static ArtifactReport Read(string file, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Bad(file, $"not a LeakGuard report: the document is {Kind(root)}, not an object");
        if (!root.TryGetProperty("schemaVersion", out var version))
            throw Bad(file, "not a LeakGuard report: no 'schemaVersion'");
        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != 1)
            throw Bad(
                file,
                $"report schemaVersion {version.GetRawText()} is not supported; this leakguard reads report schema version 1 (docs/report-schema.md)"
            );
        string? testName = null;
        if (root.TryGetProperty("testName", out var name))
        {
            if (name.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw Bad(file, $"testName must be a string or null, but was {name.GetRawText()}");
            testName = name.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(name.GetString()) ? name.GetString() : null;
        }
        if (!root.TryGetProperty("metrics", out var metrics) || metrics.ValueKind != JsonValueKind.Array)
            throw Bad(file, "not a LeakGuard report: no 'metrics' array");
        var slopes = new Dictionary<LeakMetric, MeasuredSlope>();
        var warnings = new List<string>();
        var index = 0;
        foreach (var entry in metrics.EnumerateArray())
        {
            var at = $"metrics[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
                throw Bad(file, $"{at} must be an object, but was {Kind(entry)}");
            var key = String(file, entry, "metric", at);
            var verdict = String(file, entry, "verdict", at);
            if (!LeakBaseline.TryParseMetricKey(key, out var metric))
            {
                warnings.Add($"{file}: {at} is metric '{key}', which this leakguard does not know; not recorded.");
                continue;
            }
            if (verdict == "notMeasured")
                continue;
            if (!entry.TryGetProperty("slope", out var slope) || slope.ValueKind != JsonValueKind.Object)
                throw Bad(file, $"{at}.slope must be an object");
            var perIteration = Number(file, slope, "perIteration", $"{at}.slope");
            if (perIteration is null)
                continue;
            var lowerBound = Number(file, slope, "lowerBound", $"{at}.slope") ?? perIteration.Value;
            if (!slopes.TryAdd(metric, new MeasuredSlope(perIteration.Value, lowerBound, verdict)))
                throw Bad(file, $"{at} repeats metric '{key}'");
        }
        return new ArtifactReport(file, testName, slopes, warnings);
    }

    private static string String(string file, JsonElement entry, string property, string at) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Bad(
                file,
                $"{at}.{property} must be a string{(entry.TryGetProperty(property, out var v) ? $", but was {v.GetRawText()}" : ", but is missing")}"
            );

    private static double? Number(string file, JsonElement entry, string property, string at)
    {
        if (!entry.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            throw Bad(file, $"{at}.{property} must be a number or null, but was {value.GetRawText()}");
        return number;
    }

    private static string Kind(JsonElement element) =>
        element.ValueKind switch
        {
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => element.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
        };

    private static ToolException Bad(string file, string problem) => new($"'{file}': {problem}.");
}
