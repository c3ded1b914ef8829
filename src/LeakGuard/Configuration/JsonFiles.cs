using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace LeakGuard;

/// <summary>
/// What LeakGuard's hand-parsed JSON files (<c>.config/leakguard.json</c>, the baseline file) share: the byte-order mark,
/// the 1-based line of a token for messages, how a value is quoted in a message, and the message for text that is not JSON.
/// </summary>
internal static class JsonFiles
{
    /// <summary>The bytes without a leading UTF-8 byte-order mark.</summary>
    public static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> utf8) =>
        utf8.Span.StartsWith(Encoding.UTF8.Preamble) ? utf8[Encoding.UTF8.Preamble.Length..] : utf8;

    /// <summary>The 1-based line of a byte offset (e.g. <see cref="Utf8JsonReader.TokenStartIndex"/>): newlines before it, plus one.</summary>
    public static int LineOf(ReadOnlySpan<byte> utf8, long index) => utf8[..(int)Math.Min(index, utf8.Length)].Count((byte)'\n') + 1;

    /// <summary>The current value token as it is written (a number, a quoted string, true, false, null), or its kind.</summary>
    public static string Describe(ref Utf8JsonReader reader) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.String => $"\"{Encoding.UTF8.GetString(reader.ValueSpan)}\"",
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            _ => reader.TokenType.ToString(),
        };

    /// <summary>
    /// <c>&lt;file&gt;(&lt;line&gt;): not valid JSON: &lt;the reader's message&gt;</c>, without the reader's own 0-based
    /// " LineNumber: 2 | BytePositionInLine: 4." (the 1-based line is in front).
    /// </summary>
    public static LeakConfigurationException NotValidJson(string file, JsonException e)
    {
        var line = (int)(e.LineNumber ?? 0) + 1;
        var at = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = (at < 0 ? e.Message : e.Message[..at]).TrimEnd(' ', '.') + ".";
        return new LeakConfigurationException($"{file}({line}): not valid JSON: {text}", file, line, null, e);
    }
}

/// <summary>
/// A process-wide cache of parsed files, keyed by full path: a file is parsed again only when its last write time or its
/// length changed. Thread-safe; a failure to load is not cached.
/// </summary>
internal sealed class StampedFileCache<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, ((DateTime WriteTimeUtc, long Length) Stamp, T Value)> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached value of <paramref name="fullPath"/>, or <paramref name="load"/>'s when the file changed or is new.</summary>
    public T GetOrLoad(string fullPath, Func<string, T> load)
    {
        // The stamp is taken before reading: a change during the read leaves an old stamp, and the next call reads again.
        var info = new FileInfo(fullPath);
        var stamp = info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        if (info.Exists && _entries.TryGetValue(fullPath, out var cached) && cached.Stamp == stamp)
            return cached.Value;
        var value = load(fullPath);
        _entries[fullPath] = (stamp, value);
        return value;
    }
}
