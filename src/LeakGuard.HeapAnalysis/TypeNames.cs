using System.Text.RegularExpressions;

namespace LeakGuard.HeapAnalysis;

/// <summary>How type and field names are shown: application types first, namespaces dropped inside paths.</summary>
internal static partial class TypeNames
{
    /// <summary>
    /// 0 for an application type, 1 for a framework type over application types (e.g.
    /// <c>System.EventHandler&lt;Contoso.Quote&gt;</c>), 2 for a framework type. The developer's own types come first:
    /// the leaked object is usually one of them, while the framework containers holding it are larger.
    /// </summary>
    public static int Ownership(string typeName)
    {
        var names = typeName.Split(['<', '>', ',', ' ', '[', ']', '+'], StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0 || !IsFramework(names[0]))
            return 0;
        return names.Skip(1).Any(n => n.Contains('.') && !IsFramework(n)) ? 1 : 2;
    }

    /// <summary>
    /// True for a type of the runtime or its libraries (<c>System.*</c>, <c>Microsoft.*</c>, …) or of the test runners
    /// a leak test runs in (<c>Xunit.*</c>, <c>NUnit.*</c>, and <c>Newtonsoft.Json.*</c>, which the test platform's
    /// host uses to report results on another thread while the next test runs: its contract cache grows then, and as an
    /// "application" type it pushed a test's own leaked type out of the types that get retention paths).
    /// </summary>
    public static bool IsFramework(string name) =>
        name.StartsWith("System.", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name.StartsWith("Internal.", StringComparison.Ordinal)
        || name.StartsWith("Interop", StringComparison.Ordinal)
        || name.StartsWith("Xunit.", StringComparison.Ordinal)
        || name.StartsWith("NUnit.", StringComparison.Ordinal)
        || name.StartsWith("Newtonsoft.Json.", StringComparison.Ordinal)
        || name == "System"
        || !name.Contains('.');

    /// <summary>The type name without namespaces, generic arguments included: <c>List&lt;Quote&gt;</c>.</summary>
    public static string Short(string typeName) => Namespaces().Replace(typeName, "");

    /// <summary>A field name as written in source: an auto-property's backing field <c>&lt;Items&gt;k__BackingField</c> becomes <c>Items</c>.</summary>
    public static string Field(string fieldName)
    {
        var match = BackingField().Match(fieldName);
        return match.Success ? match.Groups[1].Value : fieldName;
    }

    [GeneratedRegex(@"(?<![\w+`])(?:[A-Za-z_][\w`]*\.)+(?=[A-Za-z_<])")]
    private static partial Regex Namespaces();

    [GeneratedRegex(@"^<([^>]+)>k__BackingField$")]
    private static partial Regex BackingField();
}
