using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LeakGuard;

/// <summary>
/// A baseline file: per test, the growth slopes measured when the file was written, so that a CI gate can fail a test
/// whose slope rose above its recorded slope by more than a tolerance (even under the absolute budget) and accept a
/// known leak recorded at adoption until it is fixed. An immutable value: <see cref="WithTest"/> and
/// <see cref="WithoutTest"/> return new baselines.
/// </summary>
/// <remarks>
/// <para>The file is JSON in UTF-8 (schema in <c>docs/baselines.md</c>):
/// <c>{"schemaVersion": 1, "tests": {"Contoso.Tests.OrderTests.Lookup_does_not_leak": {"managedHeap": 0, "nativeHeap": 84.2, "handles": 0, "threads": 0}}}</c>.
/// Values are Theil–Sen slopes per iteration, in bytes per iteration for <c>managedHeap</c> and <c>nativeHeap</c>,
/// handles or threads per iteration for <c>handles</c> and <c>threads</c>, never negative. A metric that is absent was
/// not recorded (not measured); <see cref="TryGetSlope"/> returns false for it and the absolute budget applies.</para>
/// <para><see cref="ToJson"/> writes the same bytes for the same content: tests sorted ordinally by name, metrics in
/// the order of <see cref="LeakMetric"/>, two-space indentation, <c>\n</c> line ends, no timestamps, so that a change
/// of the file in a pull request shows only the slopes that changed.</para>
/// <para>The budget rule the engine applies with a baseline is <see cref="GetBudget"/>.</para>
/// </remarks>
public sealed class LeakBaseline
{
    /// <summary>The schema version this LeakGuard reads and writes (<c>"schemaVersion": 1</c>).</summary>
    public const int SchemaVersion = 1;

    /// <summary>The conventional file name, in the folder the tests run from: <c>leakguard.baseline.json</c>.</summary>
    public const string DefaultFileName = "leakguard.baseline.json";

    /// <summary>The default relative tolerance over a recorded slope: 0.25 (25 %).</summary>
    public const double DefaultTolerance = 0.25;

    /// <summary>The largest relative tolerance <see cref="GetBudget"/> accepts: 10 (1,000 %).</summary>
    public const double MaxTolerance = 10;

    /// <summary>
    /// Absolute slack over a recorded managed heap slope: 64 bytes per iteration. An empty operation measures exactly
    /// 0 B/iteration on the managed heap, but a test host's other threads (a runner reporting results, a timer) can
    /// leave a few small objects live at a sample; 64 B is two or three of them.
    /// </summary>
    public const double ManagedHeapFloorBytesPerIteration = 64;

    /// <summary>
    /// Absolute slack over a recorded native heap slope: 256 bytes per iteration. Measured here: the runtime's own work in
    /// a busy test host (JIT, reflection stubs, allocator caches) grows the native heap by up to ~200 B per iteration of
    /// an empty test body; the gate compares the slope's lower confidence bound with the budget, so 256 B keeps that
    /// noise from failing a clean test recorded at 0.
    /// </summary>
    public const double NativeHeapFloorBytesPerIteration = 256;

    /// <summary>
    /// Absolute slack over a recorded handle slope: 0.1 handles per iteration (one handle every ten iterations, e.g. a
    /// pool or the runner opening a file during the run). One leaked handle per iteration is 1.
    /// </summary>
    public const double HandlesFloorPerIteration = 0.1;

    /// <summary>
    /// Absolute slack over a recorded thread slope: 0.1 threads per iteration (the thread pool injecting a thread during
    /// the run). One leaked thread per iteration is 1.
    /// </summary>
    public const double ThreadsFloorPerIteration = 0.1;

    private static readonly string[] RootKeys = ["schemaVersion", "tests"];

    private static readonly string[] MetricKeys = [.. Enum.GetValues<LeakMetric>().Select(MetricKey)];

    private static readonly StampedFileCache<LeakBaseline> Cache = new();

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // A file in a repository, not HTML: test names keep their quotes, '<', '+' and non-ASCII letters readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly ImmutableSortedDictionary<string, IReadOnlyDictionary<LeakMetric, double>> _tests;

    private LeakBaseline(ImmutableSortedDictionary<string, IReadOnlyDictionary<LeakMetric, double>> tests) => _tests = tests;

    /// <summary>A baseline that records no test: every test is judged by its absolute budget.</summary>
    public static LeakBaseline Empty { get; } = new(ImmutableSortedDictionary.Create<string, IReadOnlyDictionary<LeakMetric, double>>(StringComparer.Ordinal));

    /// <summary>
    /// The recorded tests, enumerated in ordinal order of their names (case-sensitive), each with its recorded slopes per
    /// iteration enumerated in the order of <see cref="LeakMetric"/> (bytes per iteration for the heaps, handles or threads
    /// per iteration otherwise; 0 or more). A metric that was not recorded is absent.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<LeakMetric, double>> Tests => _tests;

    /// <summary>The recorded slope of one metric of one test.</summary>
    /// <param name="testName">The test's name as the report names it (<see cref="LeakOptions.TestName"/>); compared ordinally.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="slopePerIteration">The recorded slope: bytes per iteration for the heaps, handles or threads per
    /// iteration otherwise, 0 or more; 0 when the method returns false.</param>
    /// <returns>True when the baseline records this metric of this test.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="testName"/> is null.</exception>
    public bool TryGetSlope(string testName, LeakMetric metric, out double slopePerIteration)
    {
        ArgumentNullException.ThrowIfNull(testName);
        slopePerIteration = 0;
        return _tests.TryGetValue(testName, out var slopes) && slopes.TryGetValue(metric, out slopePerIteration);
    }

    /// <summary>
    /// A baseline in which <paramref name="testName"/> records exactly <paramref name="slopesPerIteration"/> (replacing
    /// what was recorded for it). Each slope is clamped at 0 (a shrinking metric is recorded as 0) and rounded to three
    /// significant digits, and then to 0.1 B for the heaps or 0.001 for handles and threads, so that noise below that
    /// does not show as a change of the file.
    /// </summary>
    /// <param name="testName">The test's name (<see cref="LeakOptions.TestName"/>); not empty or white space.</param>
    /// <param name="slopesPerIteration">The measured slopes per iteration (bytes for the heaps, handles or threads
    /// otherwise); metrics not in it are not recorded. May be empty.</param>
    /// <returns>The new baseline; this one is unchanged.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="testName"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A slope is NaN or infinite, or a metric is not a defined <see cref="LeakMetric"/>.</exception>
    public LeakBaseline WithTest(string testName, IReadOnlyDictionary<LeakMetric, double> slopesPerIteration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(testName);
        ArgumentNullException.ThrowIfNull(slopesPerIteration);
        var slopes = ImmutableSortedDictionary.CreateBuilder<LeakMetric, double>();
        foreach (var (metric, slope) in slopesPerIteration)
        {
            if (!Enum.IsDefined(metric))
                throw new ArgumentOutOfRangeException(nameof(slopesPerIteration), metric, $"{metric} is not a defined LeakMetric.");
            if (!double.IsFinite(slope))
                throw new ArgumentOutOfRangeException(
                    nameof(slopesPerIteration),
                    slope,
                    $"The {MetricKey(metric)} slope of test '{testName}' must be a finite number, but was {Format(slope)}."
                );
            slopes[metric] = RoundSlope(slope, metric);
        }
        return new(_tests.SetItem(testName, slopes.ToImmutable()));
    }

    /// <summary>A baseline without <paramref name="testName"/> (the same baseline when it is not recorded).</summary>
    /// <param name="testName">The test's name; compared ordinally.</param>
    /// <returns>The new baseline; this one is unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="testName"/> is null.</exception>
    public LeakBaseline WithoutTest(string testName)
    {
        ArgumentNullException.ThrowIfNull(testName);
        return _tests.ContainsKey(testName) ? new(_tests.Remove(testName)) : this;
    }

    /// <summary>
    /// The baseline file's text: <c>schemaVersion</c> then <c>tests</c>, tests sorted ordinally by name, metrics in the
    /// order <c>managedHeap</c>, <c>nativeHeap</c>, <c>handles</c>, <c>threads</c>, indented by two spaces, <c>\n</c> line
    /// ends and a final <c>\n</c>. The same content gives the same text on every platform.
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            json.WriteStartObject("tests");
            foreach (var (test, slopes) in _tests)
            {
                json.WriteStartObject(test);
                foreach (var (metric, slope) in slopes)
                    json.WriteNumber(MetricKey(metric), slope);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        // Utf8JsonWriter ends lines with Environment.NewLine; the file is the same on every platform. JSON strings cannot
        // hold a raw line break (it is escaped), so only the writer's own line ends change.
        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>
    /// Writes <see cref="ToJson"/> to <paramref name="path"/> in UTF-8 without a byte order mark: to a temporary file in the
    /// same folder, then renamed over the file, so that a reader (a test run, <see cref="LoadCached"/>) never sees half a
    /// file. The folder is created when missing.
    /// </summary>
    /// <param name="path">The file; a relative path is relative to the current directory.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or not a valid path.</exception>
    /// <exception cref="IOException">The file or its temporary file could not be written or renamed.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write there.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, ToJson(), new UTF8Encoding(false));
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write's own failure is the one to report; a leftover hidden .tmp file is harmless.
        }
    }

    /// <summary>Reads a baseline file.</summary>
    /// <param name="path">The file; a relative path is relative to the current directory.</param>
    /// <returns>The baseline.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or not a valid path.</exception>
    /// <exception cref="LeakConfigurationException">The file is missing or unreadable, is not valid JSON, has an unknown key
    /// (at the top: <c>schemaVersion</c>, <c>tests</c>; in a test: <c>managedHeap</c>, <c>nativeHeap</c>, <c>handles</c>,
    /// <c>threads</c>), a key twice, a value that is not a number or is negative, a missing or unsupported
    /// <c>schemaVersion</c>, or an empty test name. The message starts with the file's full path and the 1-based line,
    /// e.g. <c>/repo/leakguard.baseline.json(4): 'nativeHeap' of test 'T' must be 0 or more, but was -3.</c>, and
    /// <see cref="LeakConfigurationException.FilePath"/>, <see cref="LeakConfigurationException.Line"/> and
    /// <see cref="LeakConfigurationException.Key"/> carry the same. A missing file is an error, not an empty baseline: a
    /// mistyped path must not turn the gate off silently.</exception>
    public static LeakBaseline Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message.TrimEnd('.');
            throw new LeakConfigurationException($"{full}: cannot read the baseline file: {reason}.", full, innerException: e);
        }
        return Parse(bytes, full);
    }

    /// <summary>
    /// <see cref="Load"/> through a process-wide cache, for the engine that consults the baseline in every test: the file
    /// is read again only when its last write time or its length changed since it was last read. Thread-safe; two threads
    /// may read a changed file at the same time, and both get an equal baseline.
    /// </summary>
    /// <param name="path">The file; a relative path is relative to the current directory (the cache is keyed by the full path).</param>
    /// <returns>The baseline; the same instance while the file is unchanged.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or not a valid path.</exception>
    /// <exception cref="LeakConfigurationException">As <see cref="Load"/>; a failure is not cached (the next call reads the file again).</exception>
    public static LeakBaseline LoadCached(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Cache.GetOrLoad(Path.GetFullPath(path), Load);
    }

    /// <summary>
    /// The effective budget of a metric of a test recorded in a baseline, in the metric's unit per iteration. With the
    /// allowance <c>a = max(b × tolerance, floor(metric))</c> over the recorded slope <c>b</c>:
    /// <list type="bullet">
    /// <item><c>b ≤ absoluteBudget</c> (the test met its budget when recorded): <c>min(absoluteBudget, b + a)</c>. The
    /// baseline can only tighten the budget.</item>
    /// <item><c>b &gt; absoluteBudget</c> (a known leak accepted at adoption): <c>b + a</c>. A worse leak still fails;
    /// fixing it and updating the baseline lowers the budget (a ratchet).</item>
    /// </list>
    /// Floors: <see cref="ManagedHeapFloorBytesPerIteration"/> (64 B), <see cref="NativeHeapFloorBytesPerIteration"/>
    /// (256 B), <see cref="HandlesFloorPerIteration"/> (0.1), <see cref="ThreadsFloorPerIteration"/> (0.1).
    /// </summary>
    /// <remarks>
    /// The engine compares the lower bound of the slope's confidence interval with this budget, as with the absolute
    /// budget. Example, native heap, absolute budget 512 B, tolerance 0.25: recorded 84.2 B gives
    /// <c>min(512, 84.2 + max(21.05, 256)) = 340.2</c> B; recorded 4,110 B (a known leak) gives
    /// <c>4110 + max(1027.5, 256) = 5137.5</c> B.
    /// </remarks>
    /// <param name="absoluteBudget">The metric's budget from the options (<see cref="LeakOptions.GetBudget"/>), per iteration; 0 or
    /// more (positive infinity, no absolute budget, leaves <c>b + a</c>).</param>
    /// <param name="baselineSlope">The recorded slope (<see cref="TryGetSlope"/>), per iteration; 0 or more.</param>
    /// <param name="tolerance">Relative tolerance over the recorded slope, from 0 to <see cref="MaxTolerance"/>; <see cref="DefaultTolerance"/> is 0.25.</param>
    /// <param name="metric">The metric, which chooses the floor.</param>
    /// <returns>The effective budget, in the metric's unit per iteration.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A number is NaN, infinite or negative, <paramref name="tolerance"/> is over
    /// <see cref="MaxTolerance"/>, or <paramref name="metric"/> is not a defined <see cref="LeakMetric"/>; the message names
    /// the parameter and the value.</exception>
    public static double GetBudget(double absoluteBudget, double baselineSlope, double tolerance, LeakMetric metric)
    {
        if (!(absoluteBudget >= 0))
            throw new ArgumentOutOfRangeException(
                nameof(absoluteBudget),
                absoluteBudget,
                $"absoluteBudget must be 0 or more, but was {Format(absoluteBudget)}."
            );
        if (!(baselineSlope >= 0) || double.IsInfinity(baselineSlope))
            throw new ArgumentOutOfRangeException(
                nameof(baselineSlope),
                baselineSlope,
                $"baselineSlope must be a number, 0 or more, but was {Format(baselineSlope)}."
            );
        if (!(tolerance >= 0 && tolerance <= MaxTolerance))
            throw new ArgumentOutOfRangeException(
                nameof(tolerance),
                tolerance,
                $"tolerance must be between 0 and {MaxTolerance}, but was {Format(tolerance)}."
            );
        var allowed = baselineSlope + Math.Max(baselineSlope * tolerance, GetFloor(metric));
        return baselineSlope <= absoluteBudget ? Math.Min(absoluteBudget, allowed) : allowed;
    }

    /// <summary>The absolute slack per iteration <see cref="GetBudget"/> allows over a recorded slope of <paramref name="metric"/>.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>64 (bytes, managed heap), 256 (bytes, native heap), 0.1 (handles), 0.1 (threads).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined <see cref="LeakMetric"/>.</exception>
    public static double GetFloor(LeakMetric metric) =>
        Enum.IsDefined(metric)
            ? Sampling.MetricTable.Get(metric).BaselineFloorPerIteration
            : throw new ArgumentOutOfRangeException(nameof(metric), metric, $"{metric} is not a defined LeakMetric.");

    /// <summary>The key of a metric in the file, as in report.json: <c>managedHeap</c>, <c>nativeHeap</c>, <c>handles</c>, <c>threads</c>.</summary>
    internal static string MetricKey(LeakMetric metric) =>
        Enum.IsDefined(metric)
            ? Sampling.MetricTable.Get(metric).JsonKey
            : throw new ArgumentOutOfRangeException(nameof(metric), metric, $"{metric} is not a defined LeakMetric.");

    /// <summary>The metric a file or report.json key names (exact, case-sensitive).</summary>
    internal static bool TryParseMetricKey(string key, out LeakMetric metric)
    {
        foreach (var candidate in Enum.GetValues<LeakMetric>())
        {
            if (string.Equals(MetricKey(candidate), key, StringComparison.Ordinal))
            {
                metric = candidate;
                return true;
            }
        }
        metric = default;
        return false;
    }

    /// <summary>
    /// A measured slope as the file records it: clamped at 0, rounded to three significant digits, then to 0.1 B (heaps)
    /// or 0.001 (handles, threads). 4,112 → 4,110; 84.23 → 84.2; 0.04 B → 0; 0.0213 handles → 0.021.
    /// </summary>
    internal static double RoundSlope(double slope, LeakMetric metric)
    {
        if (!(slope > 0))
            return 0;
        var digits = 2 - (int)Math.Floor(Math.Log10(slope));
        var rounded =
            digits >= 0
                ? Math.Round(slope, Math.Min(digits, 15), MidpointRounding.AwayFromZero)
                : Math.Round(slope / Math.Pow(10, -digits), MidpointRounding.AwayFromZero) * Math.Pow(10, -digits);
        var resolution = metric is LeakMetric.ManagedHeap or LeakMetric.NativeHeap ? 1 : 3;
        return Math.Round(rounded, resolution, MidpointRounding.AwayFromZero);
    }

    /// <summary>Parses a baseline file's bytes; <paramref name="file"/> names it in messages.</summary>
    internal static LeakBaseline Parse(ReadOnlyMemory<byte> utf8, string file)
    {
        var parser = new Parser(JsonFiles.WithoutBom(utf8), file);
        return parser.Parse();
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Suggest(string key, string[] known)
    {
        var match = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
        return match is null ? "" : $" (did you mean '{match}'?)";
    }

    private static string Unit(LeakMetric metric) =>
        metric switch
        {
            LeakMetric.Handles => "handles per iteration",
            LeakMetric.Threads => "threads per iteration",
            _ => "bytes per iteration",
        };

    /// <summary>Reads the file with <see cref="Utf8JsonReader"/>, keeping the position of every token for the messages.</summary>
    private sealed class Parser(ReadOnlyMemory<byte> utf8, string file)
    {
        public LeakBaseline Parse()
        {
            if (utf8.Span.Trim(" \t\r\n"u8).IsEmpty)
                throw Error(1, null, "the file is empty; a baseline file is a JSON object with the keys schemaVersion and tests.");
            var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            try
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw Error(
                        LineOf(reader),
                        null,
                        $"a baseline file is a JSON object with the keys schemaVersion and tests, but this one is {JsonFiles.Describe(ref reader)}."
                    );
                var rootLine = LineOf(reader);
                int? version = null;
                var tests = Empty._tests.ToBuilder();
                var sawTests = false;
                var rootKeyLines = new Dictionary<string, int>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    var line = LineOf(reader);
                    if (RootKeys.Contains(key, StringComparer.Ordinal) && !rootKeyLines.TryAdd(key, line))
                        throw Error(line, key, $"'{key}' appears twice (also on line {rootKeyLines[key]}).");
                    reader.Read();
                    switch (key)
                    {
                        case "schemaVersion":
                            version = ReadVersion(ref reader, line);
                            break;
                        case "tests":
                            sawTests = true;
                            ReadTests(ref reader, line, tests);
                            break;
                        default:
                            throw Error(line, key, $"unknown key '{key}'{Suggest(key, RootKeys)}. Known keys: {string.Join(", ", RootKeys)}.");
                    }
                }
                // Anything after the root object is a syntax error the reader reports.
                reader.Read();
                if (version is null)
                    throw Error(rootLine, "schemaVersion", $"missing key 'schemaVersion': a baseline file starts with \"schemaVersion\": {SchemaVersion}.");
                if (!sawTests)
                    throw Error(rootLine, "tests", "missing key 'tests': the recorded tests, e.g. \"tests\": {} when there are none.");
                return new(tests.ToImmutable());
            }
            catch (JsonException e)
            {
                throw JsonFiles.NotValidJson(file, e);
            }
            catch (InvalidOperationException e)
            {
                // Utf8JsonReader.GetString on text that is not UTF-8.
                var line = LineOf(reader);
                throw new LeakConfigurationException($"{file}({line}): {e.Message.TrimEnd('.')}.", file, line, null, e);
            }
        }

        private int ReadVersion(ref Utf8JsonReader reader, int line)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var version))
                throw Error(line, "schemaVersion", $"'schemaVersion' must be the number {SchemaVersion}, but was {JsonFiles.Describe(ref reader)}.");
            if (version != SchemaVersion)
                throw Error(
                    line,
                    "schemaVersion",
                    $"schemaVersion {version} is not supported: this version of LeakGuard reads baseline files of schema version {SchemaVersion}."
                );
            return version;
        }

        private void ReadTests(ref Utf8JsonReader reader, int line, ImmutableSortedDictionary<string, IReadOnlyDictionary<LeakMetric, double>>.Builder tests)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Error(line, "tests", $"'tests' must be an object with one key per test, but was {JsonFiles.Describe(ref reader)}.");
            var testLines = new Dictionary<string, int>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var test = reader.GetString()!;
                var testLine = LineOf(reader);
                if (string.IsNullOrWhiteSpace(test))
                    throw Error(testLine, test, "a test name must not be empty or white space.");
                if (!testLines.TryAdd(test, testLine))
                    throw Error(testLine, test, $"test '{test}' appears twice (also on line {testLines[test]}).");
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw Error(
                        testLine,
                        test,
                        $"test '{test}' must be an object of slopes per iteration, e.g. {{\"managedHeap\": 0, \"nativeHeap\": 84.2}}, but was {JsonFiles.Describe(ref reader)}."
                    );
                tests[test] = ReadSlopes(ref reader, test);
            }
        }

        private ImmutableSortedDictionary<LeakMetric, double> ReadSlopes(ref Utf8JsonReader reader, string test)
        {
            var slopes = ImmutableSortedDictionary.CreateBuilder<LeakMetric, double>();
            var metricLines = new Dictionary<LeakMetric, int>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                var line = LineOf(reader);
                if (!TryParseMetricKey(key, out var metric))
                    throw Error(line, key, $"unknown key '{key}' in test '{test}'{Suggest(key, MetricKeys)}. Known keys: {string.Join(", ", MetricKeys)}.");
                if (!metricLines.TryAdd(metric, line))
                    throw Error(line, key, $"'{key}' appears twice in test '{test}' (also on line {metricLines[metric]}).");
                reader.Read();
                var valueLine = LineOf(reader);
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var slope) || !double.IsFinite(slope))
                    throw Error(
                        valueLine,
                        key,
                        $"'{key}' of test '{test}' must be a number of {Unit(metric)}, 0 or more, but was {JsonFiles.Describe(ref reader)}."
                    );
                if (slope < 0)
                    throw Error(
                        valueLine,
                        key,
                        $"'{key}' of test '{test}' must be 0 or more (slopes are recorded clamped at 0), but was {JsonFiles.Describe(ref reader)}."
                    );
                slopes[metric] = slope;
            }
            return slopes.ToImmutable();
        }

        private int LineOf(Utf8JsonReader reader) => JsonFiles.LineOf(utf8.Span, reader.TokenStartIndex);

        private LeakConfigurationException Error(int line, string? key, string message) => new($"{file}({line}): {message}", file, line, key);
    }
}
