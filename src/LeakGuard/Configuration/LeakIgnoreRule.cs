namespace LeakGuard;

/// <summary>
/// A rule that sets aside managed heap growth of a known cache or a third-party leak, as a LeakSanitizer suppression
/// does: by type or by namespace. A growing type (from the heap summary) matches when its full name matches
/// <see cref="Pattern"/>, or when every retention path that gained instances starts at a static field of a matching
/// type (a cache held in <c>static Contoso.Caching.PriceCache._entries</c> matches <c>Contoso.Caching.*</c>).
/// </summary>
/// <remarks>
/// <para>Patterns: a full type name (<c>Contoso.Caching.PriceCache</c>; generic types by their name up to the
/// <c>&lt;</c>, e.g. <c>System.Collections.Generic.List</c>), or a namespace or name prefix ending in <c>*</c>
/// (<c>Microsoft.Extensions.Caching.*</c>). Matching is ordinal and case-sensitive, as type names are.</para>
/// <para>Where a rule comes from: <c>[LeakIgnore]</c> on the assembly, the test class or the test method, or the
/// <c>ignore</c> list of <c>.config/leakguard.json</c>. The engine applies the rules after a managed leak verdict: when
/// the bytes per iteration of the matched types explain the slope over budget, the managed heap's verdict becomes
/// <see cref="MetricVerdict.Ignored"/>.</para>
/// </remarks>
public sealed record LeakIgnoreRule
{
    /// <summary>Creates a rule.</summary>
    /// <param name="pattern">A full type name, or a prefix ending in <c>*</c>.</param>
    /// <param name="reason">Why the growth is acceptable (shown in the report); may be null.</param>
    /// <param name="source">Where the rule was declared (shown in the report); null means "code".</param>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is null, empty, white space, contains white space or has a <c>*</c> anywhere but at the end.</exception>
    public LeakIgnoreRule(string pattern, string? reason = null, string? source = null)
    {
        if (string.IsNullOrWhiteSpace(pattern) || pattern.Any(char.IsWhiteSpace) || pattern.IndexOf('*') is var star && star >= 0 && star != pattern.Length - 1)
        {
            throw new ArgumentException(
                $"LeakIgnoreRule pattern must be a full type name or a prefix ending in '*' (e.g. 'Contoso.Caching.*'), but was '{pattern}'.",
                nameof(pattern)
            );
        }
        Pattern = pattern;
        Reason = string.IsNullOrWhiteSpace(reason) ? null : reason;
        Source = string.IsNullOrWhiteSpace(source) ? "code" : source;
    }

    /// <summary>The type name or prefix (ending in <c>*</c>) the rule matches.</summary>
    public string Pattern { get; }

    /// <summary>Why the growth is acceptable; null when not given.</summary>
    public string? Reason { get; }

    /// <summary>Where the rule was declared, e.g. <c>[LeakIgnore] on Contoso.Tests.OrderTests</c> or a file and line.</summary>
    public string Source { get; }

    /// <summary>Whether a full type name matches the pattern (generic arguments and array ranks are not part of the match).</summary>
    /// <param name="typeName">A full type name, e.g. <c>System.Collections.Generic.List&lt;Contoso.Order&gt;</c>.</param>
    /// <returns>True when it matches.</returns>
    public bool MatchesType(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        if (Pattern.EndsWith('*'))
            return typeName.StartsWith(Pattern.AsSpan(0, Pattern.Length - 1), StringComparison.Ordinal);
        var end = typeName.IndexOfAny(['<', '[', '`']);
        var name = end < 0 ? typeName.AsSpan() : typeName.AsSpan(0, end);
        return name.SequenceEqual(Pattern);
    }

    /// <summary>
    /// Whether a retention path's root is a static field of a type the pattern matches: <paramref name="root"/> as the
    /// heap summary names it, <c>static Namespace.Type.Field</c>. Other roots (handles, stacks) never match.
    /// </summary>
    /// <param name="root">The root text of a retention path.</param>
    /// <returns>True when it matches.</returns>
    public bool MatchesStaticRoot(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        const string Prefix = "static ";
        if (!root.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var field = root.AsSpan(Prefix.Length);
        var space = field.IndexOf(' ');
        if (space >= 0)
            field = field[..space];
        if (Pattern.EndsWith('*'))
            return field.StartsWith(Pattern.AsSpan(0, Pattern.Length - 1), StringComparison.Ordinal);
        // "Namespace.Type.Field": the declaring type is everything before the last dot.
        var lastDot = field.LastIndexOf('.');
        return lastDot > 0 && field[..lastDot].SequenceEqual(Pattern);
    }

    /// <summary><c>'Pattern'</c>, the reason and the source, for reports.</summary>
    public override string ToString() => $"'{Pattern}'{(Reason is null ? "" : $" ({Reason})")} from {Source}";
}
