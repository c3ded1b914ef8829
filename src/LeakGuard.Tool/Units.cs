using System.Globalization;
using System.Text.RegularExpressions;

namespace LeakGuard.Tool;

/// <summary>Parsing and printing of durations (<c>30s</c>, <c>10m</c>), sizes (<c>10MB</c>) and rates (<c>10MB/h</c>, <c>5/min</c>).</summary>
internal static partial class Units
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Parses <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h</c>, combinations such as <c>1m30s</c>, or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration, out string? error)
    {
        duration = default;
        text = text.Trim();
        if (text.Contains(':') && TimeSpan.TryParse(text, Invariant, out duration) && duration > TimeSpan.Zero)
        {
            error = null;
            return true;
        }
        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            error = $"'{text}' is not a duration: use a number and a unit, e.g. 500ms, 30s, 10m, 1h or 1m30s";
            return false;
        }
        var total = 0.0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var m = DurationPart().Match(part.Value);
            var value = double.Parse(m.Groups[1].Value, Invariant);
            total += m.Groups[2].Value.ToLowerInvariant() switch
            {
                "ms" => value / 1000,
                "s" => value,
                "m" or "min" => value * 60,
                "h" => value * 3600,
                _ => value * 86400,
            };
        }
        if (total <= 0)
        {
            error = $"'{text}' is not a positive duration";
            return false;
        }
        // Longer than a TimeSpan holds (99999999d): the longest one, which every option's range then refuses by name.
        duration = total >= TimeSpan.MaxValue.TotalSeconds || !double.IsFinite(total) ? TimeSpan.MaxValue : TimeSpan.FromSeconds(total);
        error = null;
        return true;
    }

    /// <summary>Parses a growth rate: a size or a count per unit of time, e.g. <c>10MB/h</c>, <c>512KB/min</c>, <c>0B/h</c>, <c>5/h</c>; returns units per hour.</summary>
    /// <param name="text">The text.</param>
    /// <param name="isSize">True for a size rate (B, KB, MB, GB; binary multiples); false for a count rate (no unit before the slash).</param>
    /// <param name="perHour">The rate in bytes (or units) per hour.</param>
    /// <param name="error">Why the text is not a rate.</param>
    public static bool TryParseRate(string text, bool isSize, out double perHour, out string? error)
    {
        perHour = 0;
        var match = RatePattern().Match(text.Trim());
        var example = isSize ? "10MB/h, 512KB/min or 1GB/d" : "5/h or 1/min";
        if (!match.Success)
        {
            error = $"'{text}' is not a growth rate: use an amount per time unit, e.g. {example}";
            return false;
        }
        var value = double.Parse(match.Groups["value"].Value, Invariant);
        var unit = match.Groups["unit"].Value.ToUpperInvariant();
        double multiplier;
        if (isSize)
        {
            multiplier = unit switch
            {
                "B" => 1,
                "KB" or "KIB" or "K" => 1024,
                "MB" or "MIB" or "M" => 1024 * 1024,
                "GB" or "GIB" or "G" => 1024 * 1024 * 1024,
                _ => double.NaN,
            };
        }
        else
        {
            multiplier = unit.Length == 0 ? 1 : double.NaN;
        }
        if (double.IsNaN(multiplier))
        {
            error = $"'{text}' has an unknown unit '{match.Groups["unit"].Value}': use e.g. {example}";
            return false;
        }
        var perTime = match.Groups["time"].Value.ToLowerInvariant() switch
        {
            "s" => 3600.0,
            "m" or "min" => 60.0,
            "h" => 1.0,
            _ => 1 / 24.0,
        };
        perHour = value * multiplier * perTime;
        error = null;
        return true;
    }

    /// <summary>Parses a size: <c>0</c>, <c>512B</c>, <c>64KB</c>, <c>10MB</c>, <c>1GB</c> (binary multiples).</summary>
    public static bool TryParseSize(string text, out long bytes, out string? error)
    {
        bytes = 0;
        text = text.Trim();
        if (text.Length > 0 && char.IsDigit(text[^1]))
            text += "B"; // a bare number is bytes
        if (!TryParseRate(text + "/h", isSize: true, out var perHour, out _))
        {
            error = $"'{text}' is not a size: use e.g. 0, 512B, 64KB, 10MB or 1GB";
            return false;
        }
        bytes = (long)perHour;
        error = null;
        return true;
    }

    /// <summary>A size in binary units: <c>512 B</c>, <c>1.5 KB</c>, <c>12.3 MB</c>, <c>2.01 GB</c>.</summary>
    public static string Bytes(double bytes)
    {
        var sign = bytes < 0 ? "-" : "";
        var abs = Math.Abs(bytes);
        return abs switch
        {
            < 1024 => $"{sign}{abs.ToString("0", Invariant)} B",
            < 1024 * 1024 => $"{sign}{(abs / 1024).ToString("0.#", Invariant)} KB",
            < 1024.0 * 1024 * 1024 => $"{sign}{(abs / 1024 / 1024).ToString("0.##", Invariant)} MB",
            _ => $"{sign}{(abs / 1024 / 1024 / 1024).ToString("0.##", Invariant)} GB",
        };
    }

    /// <summary>A duration as the options take it: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h30m</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
            return $"{duration.TotalMilliseconds.ToString("0", Invariant)}ms";
        if (duration < TimeSpan.FromMinutes(1))
            return $"{duration.TotalSeconds.ToString("0.#", Invariant)}s";
        if (duration >= TimeSpan.FromDays(2) && duration.Ticks % TimeSpan.TicksPerDay == 0)
            return $"{(long)duration.TotalDays}d";
        if (duration < TimeSpan.FromHours(1))
            return duration.Seconds == 0 ? $"{(int)duration.TotalMinutes}m" : $"{(int)duration.TotalMinutes}m{duration.Seconds}s";
        return duration.Minutes == 0 ? $"{(int)duration.TotalHours}h" : $"{(int)duration.TotalHours}h{duration.Minutes}m";
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?\s*(ms|s|min|m|h|d))+$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPart();

    [GeneratedRegex(@"^(?<value>\d+(\.\d+)?)\s*(?<unit>[A-Za-z]*)\s*/\s*(?<time>s|min|m|h|d)$", RegexOptions.IgnoreCase)]
    private static partial Regex RatePattern();
}

/// <summary>A growth rate as given on the command line (<c>10MB/h</c>) and its value per hour.</summary>
/// <param name="PerHour">Bytes (or units) per hour.</param>
/// <param name="Text">As given.</param>
internal readonly record struct GrowthRate(double PerHour, string Text)
{
    /// <summary>The text as given: the default values in <c>--help</c> read <c>10MB/h</c>.</summary>
    public override string ToString() => Text;
}
