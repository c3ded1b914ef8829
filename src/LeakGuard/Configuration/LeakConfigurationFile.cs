using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
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
    private static readonly ConcurrentDictionary<string, (DateTime WriteTime, long Length, LeakConfigurationFile File)> Cache = new(StringComparer.Ordinal);

    private readonly List<(LeakSetting Setting, object? Value, int Line)> _settings = [];
    private readonly List<LeakIgnoreRule> _rules = [];

    private LeakConfigurationFile(string path) => Path = path;

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Reads (or takes from the cache) and parses the file.</summary>
    /// <exception cref="LeakConfigurationException">The file cannot be read, is not valid JSON, or has an unknown key or a bad value.</exception>
    public static LeakConfigurationFile Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        FileInfo info;
        byte[] bytes;
        try
        {
            info = new FileInfo(path);
            if (Cache.TryGetValue(path, out var cached) && cached.WriteTime == info.LastWriteTimeUtc && cached.Length == info.Length)
                return cached.File;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LeakConfigurationException($"{path}: cannot be read: {ex.Message}", path, innerException: ex);
        }
        var file = Parse(path, bytes);
        Cache[path] = (info.LastWriteTimeUtc, info.Length, file);
        return file;
    }

    /// <summary>Parses the file's bytes (UTF-8, a BOM allowed).</summary>
    /// <exception cref="LeakConfigurationException">Not valid JSON, not an object, an unknown key or a bad value.</exception>
    internal static LeakConfigurationFile Parse(string path, byte[] bytes)
    {
        var file = new LeakConfigurationFile(path);
        var json = bytes.AsSpan();
        if (json.StartsWith(Encoding.UTF8.Preamble))
            json = json[Encoding.UTF8.Preamble.Length..];
        var text = json.ToArray();
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read())
                throw file.Error(text, 0, null, "is empty; it must hold a JSON object, e.g. { \"iterations\": 100 }");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw file.Error(text, reader.TokenStartIndex, null, "must hold a JSON object, e.g. { \"iterations\": 100 }");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                var keyStart = reader.TokenStartIndex;
                reader.Read();
                if (key == "$schema")
                {
                    reader.Skip();
                    continue;
                }
                if (string.Equals(key, "ignore", StringComparison.OrdinalIgnoreCase))
                {
                    file.ReadIgnoreRules(ref reader, text);
                    continue;
                }
                var setting = string.Equals(key, "baseline", StringComparison.OrdinalIgnoreCase)
                    ? LeakSettingTable.Find(nameof(LeakOptions.BaselineFile))
                    : LeakSettingTable.Find(key);
                if (setting is null)
                    throw file.Error(text, keyStart, key, $"unknown key '{key}'. Known keys: {LeakSettingTable.KnownKeys}");
                var value = file.ReadValue(ref reader, text, key, setting);
                file._settings.Add((setting, value, LineOf(text, keyStart)));
            }
            // Anything after the object (a second object, stray text) is a syntax error the reader reports.
            while (reader.Read()) { }
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            throw new LeakConfigurationException($"{path}({line}): not valid JSON: {ex.Message}", path, line, innerException: ex);
        }
        return file;
    }

    /// <summary>Applies the file's settings and rules as one layer.</summary>
    public void ApplyTo(SettingsBuilder layers)
    {
        foreach (var (setting, value, line) in _settings)
            layers.Set(setting, value, $"{Path}:{line}");
        foreach (var rule in _rules)
            layers.AddRule(rule);
    }

    private object? ReadValue(ref Utf8JsonReader reader, byte[] text, string key, LeakSetting setting)
    {
        var start = reader.TokenStartIndex;
        var raw = RawText(ref reader, text);
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
            throw Error(text, start, key, $"{key} must be {Expected(setting.Kind)}, but was {raw}");
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            reader.Skip();
        return value;
    }

    private static readonly object Invalid = new();

    private void ReadIgnoreRules(ref Utf8JsonReader reader, byte[] text)
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
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                var keyStart = reader.TokenStartIndex;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw Error(text, keyStart, $"ignore.{key}", $"ignore.{key} must be a string, but was {RawText(ref reader, text)}");
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
                _rules.Add(new LeakIgnoreRule(pattern, reason, $"{Path}:{LineOf(text, ruleStart)}"));
            }
            catch (ArgumentException ex)
            {
                throw Error(text, ruleStart, "ignore", ex.Message.Split(" (Parameter", 2)[0].TrimEnd('.'));
            }
        }
    }

    private string ResolvePath(string value)
    {
        // Relative to the folder that holds .config, as dotnet tools resolve their manifest's neighbours.
        var root = System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(Path)) ?? ".";
        return System.IO.Path.IsPathRooted(value) || value.Length == 0 ? value : System.IO.Path.GetFullPath(System.IO.Path.Combine(root, value));
    }

    private static bool TryParseDuration(string text, out TimeSpan value) =>
        TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;

    private static bool TryParsePolicy(string text, out ArtifactPolicy policy) =>
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

    private static string RawText(ref Utf8JsonReader reader, byte[] text)
    {
        var length = reader.TokenType switch
        {
            JsonTokenType.StartObject => 1,
            JsonTokenType.StartArray => 1,
            _ => (int)
                Math.Min(
                    text.Length - reader.TokenStartIndex,
                    Math.Max(
                        1,
                        (reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) + (reader.TokenType == JsonTokenType.String ? 2 : 0)
                    )
                ),
        };
        var raw = Encoding.UTF8.GetString(text, (int)reader.TokenStartIndex, length);
        return reader.TokenType switch
        {
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            _ => raw.Length > 60 ? raw[..60] + "…" : raw,
        };
    }

    private LeakConfigurationException Error(byte[] text, long index, string? key, string problem)
    {
        var line = LineOf(text, index);
        return new LeakConfigurationException($"{Path}({line}): {problem}.", Path, line, key);
    }

    /// <summary>The 1-based line of a byte offset: newlines before it, plus one.</summary>
    private static int LineOf(byte[] text, long index) => text.AsSpan(0, (int)Math.Min(index, text.Length)).Count((byte)'\n') + 1;
}
