using System.Globalization;

namespace LeakGuard;

/// <summary>
/// What one ignore rule (<see cref="LeakIgnoreRule"/>) matched in a run's heap summary: the growing types it set aside
/// and their bytes per iteration. Listed in the report as LeakSanitizer lists the suppressions it used.
/// </summary>
public sealed class IgnoredGrowth
{
    internal IgnoredGrowth(LeakIgnoreRule rule, IReadOnlyList<string> types, double bytesPerIteration)
    {
        Rule = rule;
        Types = types;
        BytesPerIteration = bytesPerIteration;
    }

    /// <summary>The rule.</summary>
    public LeakIgnoreRule Rule { get; }

    /// <summary>Full names of the growing types the rule matched (by name, or by the static field that roots them).</summary>
    public IReadOnlyList<string> Types { get; }

    /// <summary>Shallow bytes per iteration those types grew by in the heap summary, summed.</summary>
    public double BytesPerIteration { get; }

    /// <summary>One line: the rule, how many types it matched and their growth.</summary>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Rule}: {Types.Count} {(Types.Count == 1 ? "type" : "types")}, {MetricReport.FormatNumber(BytesPerIteration)} B/iteration ({string.Join(", ", Types)})"
        );
}
