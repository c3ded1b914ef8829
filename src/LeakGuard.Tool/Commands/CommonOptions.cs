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

    /// <summary>Parses a duration token (<c>30s</c>, <c>10m</c>).</summary>
    public static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Units.TryParseDuration(text, out var duration, out var error))
            return duration;
        result.AddError($"{OptionName(result)}: {error}.");
        return default;
    }

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
