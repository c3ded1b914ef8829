namespace LeakGuard;

/// <summary>One setting in force for a leak test and where it came from, as the report shows it.</summary>
/// <param name="Name">The <see cref="LeakOptions"/> property, e.g. <c>Iterations</c>; <c>Skip</c> for a skip reason.</param>
/// <param name="Value">The value as text, invariant culture, e.g. <c>100</c>, <c>00:02:00</c>, <c>Always</c>.</param>
/// <param name="Source">Where it came from: <c>.config/leakguard.json:4</c> (full path and line), <c>[assembly: LeakSettings]</c>,
/// <c>[LeakSettings] on Contoso.Tests.OrderTests</c>, <c>[NoLeak] on Lookup_does_not_leak</c>, <c>env LEAKGUARD_ITERATIONS_SCALE=2</c>.</param>
public readonly record struct LeakSettingSource(string Name, string Value, string Source)
{
    /// <summary><c>Name = Value (Source)</c>.</summary>
    public override string ToString() => $"{Name} = {Value} ({Source})";
}
