namespace LeakGuard;

/// <summary>
/// Sets aside managed heap growth of a known cache or a third-party leak in the leak tests it applies to: on the test
/// assembly (<c>[assembly: LeakIgnore("Microsoft.Extensions.Caching.*")]</c>), a test class or a test method. Rules
/// from every level (and from <c>.config/leakguard.json</c>) add up. See <see cref="LeakIgnoreRule"/> for how a
/// pattern matches and <see cref="LeakOptions.IgnoreRules"/> for what the engine does with it.
/// </summary>
/// <example>
/// <code>
/// [assembly: LeakIgnore("Contoso.Caching.PriceCache", Reason = "bounded cache, 10,000 entries")]
///
/// [NoLeak, LeakIgnore("ThirdParty.Telemetry.*", Reason = "vendor bug #1234")]
/// public void Export_does_not_leak() => _exporter.Export(Batch);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class LeakIgnoreAttribute : Attribute
{
    /// <summary>Creates the rule.</summary>
    /// <param name="pattern">A full type name, or a namespace or name prefix ending in <c>*</c>. Validated when the test runs
    /// (an invalid pattern fails the test with <see cref="LeakConfigurationException"/>).</param>
    public LeakIgnoreAttribute(string pattern) => Pattern = pattern;

    /// <summary>A full type name, or a prefix ending in <c>*</c>.</summary>
    public string Pattern { get; }

    /// <summary>Why the growth is acceptable; shown in the report. Optional.</summary>
    public string? Reason { get; set; }
}
