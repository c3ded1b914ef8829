using System.Text.Json;

namespace LeakGuard.Isolated;

/// <summary>The figures of one <see cref="LeakTest.Run(Action, LeakOptions?)"/> made in the isolated process.</summary>
/// <param name="TestName">The run's <see cref="LeakOptions.TestName"/>.</param>
/// <param name="ArtifactsDirectory">Where the run wrote its artifacts, or null.</param>
/// <param name="ArtifactsUnavailableReason">Why it wrote none, or null.</param>
/// <param name="HasLeak">Whether the report found a leak.</param>
/// <param name="Iterations">The measured iterations, all rounds together.</param>
/// <param name="Rounds">The measured rounds.</param>
/// <param name="Text">The report as <see cref="LeakReport.ToString"/> reads, for failure messages.</param>
/// <param name="Metrics">One entry per metric, in enum order.</param>
public sealed record IsolatedRun(
    string? TestName,
    string? ArtifactsDirectory,
    string? ArtifactsUnavailableReason,
    bool HasLeak,
    int Iterations,
    int Rounds,
    string Text,
    IReadOnlyList<IsolatedMetric> Metrics
)
{
    /// <summary>The entry of <paramref name="metric"/>.</summary>
    public IsolatedMetric this[LeakMetric metric] => Metrics.Single(m => m.Metric == metric);

    /// <inheritdoc cref="Text"/>
    public override string ToString() => Text;

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static IsolatedRun Parse(JsonElement json) =>
        new(
            json.GetProperty("testName").GetString(),
            json.GetProperty("artifactsDirectory").GetString(),
            json.GetProperty("artifactsUnavailableReason").GetString(),
            json.GetProperty("hasLeak").GetBoolean(),
            json.GetProperty("iterations").GetInt32(),
            json.GetProperty("rounds").GetInt32(),
            json.GetProperty("text").GetString()!,
            [
                .. json.GetProperty("metrics")
                    .EnumerateArray()
                    .Select(m => new IsolatedMetric(
                        Enum.Parse<LeakMetric>(m.GetProperty("metric").GetString()!),
                        Enum.Parse<MetricVerdict>(m.GetProperty("verdict").GetString()!),
                        Number(m.GetProperty("perIteration")),
                        Number(m.GetProperty("lowerBound"))
                    )),
            ]
        );

    /// <summary>Writes the properties of <paramref name="report"/> that <see cref="Parse"/> reads into the current object.</summary>
    public static void Write(Utf8JsonWriter json, LeakReport report)
    {
        json.WriteString("testName", report.Options.TestName);
        json.WriteString("artifactsDirectory", report.ArtifactsDirectory);
        json.WriteString("artifactsUnavailableReason", report.ArtifactsUnavailableReason);
        json.WriteBoolean("hasLeak", report.HasLeak);
        json.WriteNumber("iterations", report.Iterations);
        json.WriteNumber("rounds", report.Rounds);
        json.WriteString("text", report.ToString());
        json.WriteStartArray("metrics");
        foreach (var metric in report.Metrics)
        {
            json.WriteStartObject();
            json.WriteString("metric", metric.Metric.ToString());
            json.WriteString("verdict", metric.Verdict.ToString());
            WriteNumber("perIteration", metric.Slope.PerIteration);
            WriteNumber("lowerBound", metric.Slope.LowerBound);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        void WriteNumber(string name, double value)
        {
            if (double.IsFinite(value))
                json.WriteNumber(name, value);
            else
                json.WriteNull(name);
        }
    }

    private static double Number(JsonElement value) => value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
}

/// <summary>One metric of an <see cref="IsolatedRun"/>.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Verdict">Its verdict.</param>
/// <param name="PerIteration">The slope's point estimate (NaN when not measured).</param>
/// <param name="LowerBound">The slope's lower confidence bound (NaN when not measured).</param>
public readonly record struct IsolatedMetric(LeakMetric Metric, MetricVerdict Verdict, double PerIteration, double LowerBound)
{
    /// <summary>Whether the platform measures the metric.</summary>
    public bool IsMeasured => Verdict != MetricVerdict.NotMeasured;
}
