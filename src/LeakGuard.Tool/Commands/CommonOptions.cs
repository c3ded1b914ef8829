using System.CommandLine;
using System.CommandLine.Parsing;

namespace LeakGuard.Tool.Commands;

/// <summary>Options several verbs share, and the parsers of durations and rates.</summary>
internal static class CommonOptions
{
    /// <summary><c>--json</c>: print one JSON document (docs/cli.md) instead of the text report.</summary>
    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Print the result as one JSON document on standard output (shape: docs/cli.md).",
    };

    /// <summary><c>--top</c>: how many types to list.</summary>
    public static readonly Option<int> TopOption = new("--top")
    {
        Description = "How many types to list (the first 5 get retention paths).",
        DefaultValueFactory = _ => 10,
        Validators = { r => PositiveInt(r) },
    };

    /// <summary>
    /// A parser of duration tokens (<c>30s</c>, <c>10m</c>) that accepts <paramref name="minimum"/> to
    /// <paramref name="maximum"/> only, and otherwise names the option, the value and the range (exit code 2).
    /// </summary>
    /// <param name="minimum">The shortest duration accepted.</param>
    /// <param name="maximum">The longest duration accepted (a single <see cref="Task.Delay(TimeSpan)"/> takes at most about 24.8 days).</param>
    /// <param name="why">Why the range is what it is, for the message; may be empty.</param>
    public static Func<ArgumentResult, TimeSpan> DurationIn(TimeSpan minimum, TimeSpan maximum, string why = "") =>
        result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (!Units.TryParseDuration(text, out var duration, out var error))
            {
                result.AddError($"{OptionName(result)}: {error}.");
                return default;
            }
            if (duration < minimum || duration > maximum)
            {
                result.AddError(
                    $"{OptionName(result)} {text.Trim()} is out of range: it must be from {Units.Duration(minimum)} to {Units.Duration(maximum)}{(why.Length > 0 ? $" ({why})" : "")}."
                );
                return default;
            }
            return duration;
        };

    /// <summary><c>--analysis-timeout</c>: the time limit of reading dumps and searching retention paths.</summary>
    public static readonly Option<TimeSpan> AnalysisTimeoutOption = new("--analysis-timeout")
    {
        Description =
            "Time limit of the heap analysis (reading the dumps with ClrMD, searching retention paths), 1s to 24h; over it, leakguard stops with exit code 2.",
        DefaultValueFactory = _ => DefaultAnalysisTimeout,
        CustomParser = DurationIn(TimeSpan.FromSeconds(1), TimeSpan.FromHours(24)),
    };

    /// <summary>The default of <see cref="AnalysisTimeoutOption"/>: 10 minutes (a 360 MB heap reads in about 5 s here).</summary>
    public static readonly TimeSpan DefaultAnalysisTimeout = TimeSpan.FromMinutes(10);

    /// <summary>A parser of size rates (<c>10MB/h</c>).</summary>
    public static Func<ArgumentResult, GrowthRate> SizeRate => result => ParseRate(result, isSize: true);

    /// <summary>A parser of count rates (<c>5/h</c>).</summary>
    public static Func<ArgumentResult, GrowthRate> CountRate => result => ParseRate(result, isSize: false);

    /// <summary>Parses a size token (<c>10MB</c>).</summary>
    public static long ParseSize(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Units.TryParseSize(text, out var bytes, out var error))
            return bytes;
        result.AddError($"{OptionName(result)}: {error}.");
        return 0;
    }

    private static GrowthRate ParseRate(ArgumentResult result, bool isSize)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Units.TryParseRate(text, isSize, out var perHour, out var error))
            return new GrowthRate(perHour, text);
        result.AddError($"{OptionName(result)}: {error}.");
        return default;
    }

    private static void PositiveInt(OptionResult result)
    {
        if (result.GetValueOrDefault<int>() < 1)
            result.AddError($"{result.Option.Name} must be at least 1.");
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
