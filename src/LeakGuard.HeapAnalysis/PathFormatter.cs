using System.Text;

namespace LeakGuard.HeapAnalysis;

/// <summary>
/// Renders a retention path in one line: the root as the developer names it, then the references followed, with
/// framework internals compressed and the user's types and fields kept.
/// </summary>
/// <remarks>
/// Rules: a delegate's <c>_invocationList</c> → element → <c>_target</c> reads "invocation list", a lone
/// <c>_target</c> reads "target"; an array element is folded into the field that holds the array
/// (<c>_items[]</c>); a type is shown for application types and for the object the path ends at, not for framework
/// objects in between; the same step repeated (a linked list's <c>_next</c>) reads <c>_next ×12</c>.
/// </remarks>
internal static class PathFormatter
{
    /// <summary>One object on the path: the edge that reached it and its type.</summary>
    internal readonly record struct Hop(string Edge, string TypeName, bool IsDelegate, bool IsArray);

    /// <summary>Formats the path of <paramref name="hops"/> (the first is the root's object) from the root named <paramref name="root"/>.</summary>
    public static string Format(string root, IReadOnlyList<Hop> hops)
    {
        var text = new StringBuilder(root);
        if (hops.Count == 0)
            return text.ToString();
        text.Append(" (").Append(TypeNames.Short(hops[0].TypeName)).Append(')');

        var parts = new List<(string Label, string? Type)>();
        for (var i = 1; i < hops.Count; i++)
        {
            var hop = hops[i];
            var previous = hops[i - 1];
            var last = i == hops.Count - 1;
            string label;
            if (previous.IsDelegate && hop.Edge == "_invocationList")
            {
                // delegate → _invocationList (object[]) → [] (delegate) → _target (subscriber): "invocation list".
                label = "invocation list";
                var j = i;
                if (j + 1 < hops.Count && hops[j + 1].Edge.StartsWith("[]", StringComparison.Ordinal))
                    j++;
                if (j + 1 < hops.Count && hops[j].IsDelegate && hops[j + 1].Edge == "_target")
                    j++;
                i = j;
                hop = hops[i];
                last = i == hops.Count - 1;
            }
            else if (previous.IsDelegate && hop.Edge == "_target")
            {
                label = "target";
            }
            else if (hop.IsArray && !last && hops[i + 1].Edge.StartsWith("[]", StringComparison.Ordinal))
            {
                // field → array → element: one step, "_items[]".
                label = hop.Edge + hops[i + 1].Edge;
                i++;
                hop = hops[i];
                last = i == hops.Count - 1;
            }
            else
            {
                label = hop.Edge;
            }
            var showType = last || TypeNames.Ownership(hop.TypeName) < 2;
            parts.Add((label, showType ? TypeNames.Short(hop.TypeName) : null));
        }

        for (var p = 0; p < parts.Count; p++)
        {
            var repeat = 1;
            while (p + repeat < parts.Count && parts[p + repeat] == parts[p])
                repeat++;
            var (label, type) = parts[p];
            text.Append(" → ").Append(label);
            if (repeat > 1)
                text.Append(" ×").Append(repeat);
            if (p == parts.Count - 1)
                text.Append(" → ").Append(type);
            else if (type is not null)
                text.Append(" (").Append(type).Append(')');
            p += repeat - 1;
        }
        return text.ToString();
    }
}
