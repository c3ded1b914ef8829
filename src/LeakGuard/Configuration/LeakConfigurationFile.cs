using System.Globalization;
using System.Text.Json;

namespace LeakGuard;

/// <summary>
/// A parsed <c>.config/leakguard.json</c>: the settings it names, each with its line, and its ignore rules. Parsed with
/// <see cref="Utf8JsonReader"/> so that every error names the line; cached per file until it changes.
/// </summary>
/// <remarks>
/// <code>
/// {
///   "iterations": 100,
///   "maxNativeBytesPerIteration": 1024,
///   "timeout": "00:05:00",
///   "artifacts": "always",
///   "baseline": "leakguard.baseline.json",
///   "ignore": [
///     { "namespace": "Microsoft.Extensions.Caching", "reason": "bounded caches" },
///     { "type": "Contoso.Telemetry.Exporter", "reason": "vendor bug #1234" }
///   ]
/// }
/// </code>
/// </remarks>
internal sealed class LeakConfigurationFile
{
    private static readonly StampedFileCache<LeakConfigurationFile> Cache = new();

    private readonly List<(LeakSetting Setting, object? Value, int Line)> _settings = [];
    private readonly List<LeakIgnoreRule> _rules = [];

    private LeakConfigurationFile(string path) => Path = path;

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Reads (or takes from the cache) and parses the file.</summary>
    /// <exception cref="LeakConfigurationException">The file cannot be read, is not valid JSON, or has an unknown key or a bad value.</exception>
    public static LeakConfigurationFile Load(string path) => Cache.GetOrLoad(System.IO.Path.GetFullPath(path), Read);

    private static LeakConfigurationFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LeakConfigurationException($"{path}: cannot be read: {ex.Message}", path, innerException: ex);
        }
        return Parse(path, bytes);
    }

    /// <summary>Parses the file's bytes (UTF-8, a BOM allowed).</summary>
    /// <exception cref="LeakConfigurationException">Not valid JSON, not an object, an unknown key or a bad value.</exception>
    internal static LeakConfigurationFile Parse(string path, byte[] bytes)
    {
        var file = new LeakConfigurationFile(path);
        var text = JsonFiles.WithoutBom(bytes);
        var reader = new Utf8JsonReader(text.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read())
                throw file.Error(text, 0, null, "is empty; it must hold a JSON object, e.g. { \"iterations\": 100 }");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw file.Error(text, reader.TokenStartIndex, null, "must hold a JSON object, e.g. { \"iterations\": 100 }");
            // A key twice is an error, never "the last one wins": keys are case-insensitive, and baseline is baselineFile.
            var seen = new Dictionary<string, (int Line, string Key)>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                var keyStart = reader.TokenStartIndex;
                var setting = string.Equals(key, "baseline", StringComparison.OrdinalIgnoreCase)
                    ? LeakSettingTable.Find(nameof(LeakOptions.BaselineFile))
                    : LeakSettingTable.Find(key);
                var isIgnore = string.Equals(key, "ignore", StringComparison.OrdinalIgnoreCase);
                if (setting is not null || isIgnore || key == "$schema")
                    file.CheckOnce(seen, setting?.Name ?? key, key, text, keyStart, "");
                reader.Read();
                if (key == "$schema")
                {
                    reader.Skip();
                    continue;
                }
                if (isIgnore)
                {
                    file.ReadIgnoreRules(ref reader, text);
                    continue;
                }
                if (setting is null)
                    throw file.Error(text, keyStart, key, $"unknown key '{key}'. Known keys: {LeakSettingTable.KnownKeys}");
                var value = file.ReadValue(ref reader, text, key, setting);
                file._settings.Add((setting, value, JsonFiles.LineOf(text.Span, keyStart)));
            }
            // Anything after the object (a second object, stray text) is a syntax error the reader reports.
            while (reader.Read()) { }
        }
        catch (JsonException ex)
        {
            throw JsonFiles.NotValidJson(path, ex);
        }
        return file;
    }

    /// <summary>Applies the file's settings and rules as one layer.</summary>
    public void ApplyTo(SettingsBuilder layers)
    {
        foreach (var (setting, value, line) in _settings)
            layers.Set(setting, value, Path, line);
        foreach (var rule in _rules)
            layers.AddRule(rule);
    }

    private object? ReadValue(ref Utf8JsonReader reader, ReadOnlyMemory<byte> text, string key, LeakSetting setting)
    {
        var start = reader.TokenStartIndex;
        if (setting.Kind is SettingKind.Duration or SettingKind.OptionalDuration && IsOverMaxDuration(ref reader))
            throw Error(
                text,
                start,
                key,
                $"{key} must be at most 1 day (\"1.00:00:00\", or {MaxDuration.TotalSeconds:0} seconds), but was {JsonFiles.Describe(ref reader)}"
            );
        object? value = (setting.Kind, reader.TokenType) switch
        {
            (SettingKind.Int, JsonTokenType.Number) when reader.TryGetInt64(out var l) && l is >= int.MinValue and <= int.MaxValue => (int)l,
            (SettingKind.Int, JsonTokenType.Number) when setting.Name == nameof(LeakOptions.MaxHeapDumpBytes) && reader.TryGetInt64(out var big) => big,
            (SettingKind.OptionalInt, JsonTokenType.Number) when reader.TryGetInt32(out var i) => i == 0 ? null : i,
            (SettingKind.OptionalInt, JsonTokenType.Null) => null,
            (SettingKind.Double or SettingKind.OptionalDouble, JsonTokenType.Number) => reader.GetDouble(),
            (SettingKind.OptionalDouble, JsonTokenType.Null) => null,
            (SettingKind.Bool, JsonTokenType.True) => true,
            (SettingKind.Bool, JsonTokenType.False) => false,
            (SettingKind.Text, JsonTokenType.String) => reader.GetString(),
            (SettingKind.Text, JsonTokenType.Null) => null,
            (SettingKind.Path, JsonTokenType.String) => ResolvePath(reader.GetString()!),
            (SettingKind.Path, JsonTokenType.Null) => null,
            (SettingKind.Duration or SettingKind.OptionalDuration, JsonTokenType.String) when TryParseDuration(reader.GetString()!, out var t) => t,
            (SettingKind.Duration or SettingKind.OptionalDuration, JsonTokenType.Number) when reader.GetDouble() is var seconds && seconds >= 0 => setting.Kind
                == SettingKind.OptionalDuration
            && seconds == 0
                ? null
                : TimeSpan.FromSeconds(seconds),
            (SettingKind.OptionalDuration, JsonTokenType.Null) => null,
            (SettingKind.Policy, JsonTokenType.String) when TryParsePolicy(reader.GetString()!, out var p) => p,
            _ => Invalid,
        };
        if (ReferenceEquals(value, Invalid))
            throw Error(text, start, key, $"{key} must be {Expected(setting.Kind)}, but was {JsonFiles.Describe(ref reader)}");
        // A number too large for a double reads as infinity: never a budget, a tolerance or a level.
        if (value is double d && !double.IsFinite(d))
            throw Error(text, start, key, $"{key} must be a finite number, but was {JsonFiles.Describe(ref reader)}");
        // The rules of LeakOptions, for this setting alone (a rule relating it to another setting waits for every layer).
        if (setting.Apply(LeakOptions.Default, value).Check(setting.Name, alone: true) is { } invalid)
            throw Error(text, start, key, $"{key} {invalid.Rule}, but was {JsonFiles.Describe(ref reader)}");
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            reader.Skip();
        return value;
    }

    /// <summary>The longest duration the file takes (<c>timeout</c>, <c>heapAnalysisTimeout</c>): 1 day.</summary>
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    /// <summary>A duration token (seconds, or "hh:mm:ss") that is longer than <see cref="MaxDuration"/>; 1e300 or 1e400 seconds included.</summary>
    private static bool IsOverMaxDuration(ref Utf8JsonReader reader) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => !(reader.GetDouble() <= MaxDuration.TotalSeconds),
            JsonTokenType.String => TryParseDuration(reader.GetString()!, out var duration) && duration > MaxDuration,
            _ => false,
        };

    private static readonly object Invalid = new();

    private void ReadIgnoreRules(ref Utf8JsonReader reader, ReadOnlyMemory<byte> text)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Error(
                text,
                reader.TokenStartIndex,
                "ignore",
                "ignore must be an array of rules, e.g. [ { \"namespace\": \"Contoso.Caching\", \"reason\": \"...\" } ]"
            );
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var ruleStart = reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Error(text, ruleStart, "ignore", "each ignore rule must be an object with \"type\" or \"namespace\" and an optional \"reason\"");
            string? pattern = null;
            string? reason = null;
            var seen = new Dictionary<string, (int Line, string Key)>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                var keyStart = reader.TokenStartIndex;
                CheckOnce(seen, key, key, text, keyStart, " in an ignore rule", "ignore.");
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw Error(text, keyStart, $"ignore.{key}", $"ignore.{key} must be a string, but was {JsonFiles.Describe(ref reader)}");
                var value = reader.GetString()!;
                switch (key.ToLowerInvariant())
                {
                    case "type":
                        pattern = pattern is null
                            ? value
                            : throw Error(text, keyStart, "ignore.type", "an ignore rule takes \"type\" or \"namespace\", not both");
                        break;
                    case "namespace":
                        pattern = pattern is null
                            ? value.TrimEnd('*').TrimEnd('.') + ".*"
                            : throw Error(text, keyStart, "ignore.namespace", "an ignore rule takes \"type\" or \"namespace\", not both");
                        break;
                    case "reason":
                        reason = value;
                        break;
                    default:
                        throw Error(text, keyStart, $"ignore.{key}", $"unknown key '{key}' in an ignore rule. Known keys: type, namespace, reason");
                }
            }
            if (pattern is null)
                throw Error(text, ruleStart, "ignore", "an ignore rule needs \"type\" (a full type name, or a prefix ending in '*') or \"namespace\"");
            try
            {
                _rules.Add(new LeakIgnoreRule(pattern, reason, $"{Path}:{JsonFiles.LineOf(text.Span, ruleStart)}"));
            }
            catch (ArgumentException ex)
            {
                throw Error(text, ruleStart, "ignore", ex.Message.Split(" (Parameter", 2)[0].TrimEnd('.'));
            }
        }
    }

    /// <summary>Records that <paramref name="key"/> (for the setting <paramref name="name"/>) was read; a second time is an error.</summary>
    private void CheckOnce(
        Dictionary<string, (int Line, string Key)> seen,
        string name,
        string key,
        ReadOnlyMemory<byte> text,
        long keyStart,
        string where,
        string keyPrefix = ""
    )
    {
        var line = JsonFiles.LineOf(text.Span, keyStart);
        if (seen.TryAdd(name, (line, key)))
            return;
        var first = seen[name];
        var spelling = first.Key == key ? "" : $", as '{first.Key}'";
        throw Error(text, keyStart, keyPrefix + key, $"'{key}' appears twice{where} (also on line {first.Line}{spelling})");
    }

    private string ResolvePath(string value)
    {
        // Relative to the folder that holds .config, as dotnet tools resolve their manifest's neighbours.
        var root = System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(Path)) ?? ".";
        return System.IO.Path.IsPathRooted(value) || value.Length == 0 ? value : System.IO.Path.GetFullPath(System.IO.Path.Combine(root, value));
    }

    private static bool TryParseDuration(string text, out TimeSpan value) =>
        TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;

    /// <summary>An artifacts policy by name, case-insensitively (<c>onFailure</c>, <c>always</c>, <c>never</c>); numbers are refused.</summary>
    internal static bool TryParsePolicy(string text, out ArtifactPolicy policy) =>
        Enum.TryParse(text, ignoreCase: true, out policy) && Enum.IsDefined(policy) && !int.TryParse(text, out _);

    private static string Expected(SettingKind kind) =>
        kind switch
        {
            SettingKind.Int => "a whole number",
            SettingKind.OptionalInt => "a whole number (0 or null for the default)",
            SettingKind.Double => "a number",
            SettingKind.OptionalDouble => "a number, or null for no budget",
            SettingKind.Bool => "true or false",
            SettingKind.Text => "a string",
            SettingKind.Path => "a path (a string)",
            SettingKind.Duration => "a duration: \"hh:mm:ss\" or a number of seconds",
            SettingKind.OptionalDuration => "a duration: \"hh:mm:ss\" or a number of seconds (0 or null for none)",
            SettingKind.Policy => "\"onFailure\", \"always\" or \"never\"",
            _ => kind.ToString(),
        };

    private LeakConfigurationException Error(ReadOnlyMemory<byte> text, long index, string? key, string problem)
    {
        var line = JsonFiles.LineOf(text.Span, index);
        return new LeakConfigurationException($"{Path}({line}): {problem}.", Path, line, key);
    }
}
