using System.Text;
using System.Text.Json;

namespace LeakGuard.Reporting;

/// <summary>
/// Writes a <see cref="LeakReport"/> as JSON, schema version <see cref="SchemaVersion"/> (documented in
/// <c>docs/report-schema.md</c>). Written field by field, not by reflection, so that the schema changes only on purpose.
/// </summary>
internal static class LeakReportJson
{
    /// <summary>The schema version written in every document's <c>schemaVersion</c>; raised on any incompatible change.</summary>
    public const int SchemaVersion = 1;

    public static string Write(LeakReport report, bool indented)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            json.WriteBoolean("hasLeak", report.HasLeak);
            json.WriteBoolean("failed", report.Failed);
            json.WriteNumber("warmupIterations", report.WarmupIterations);
            json.WriteNumber("iterations", report.Iterations);
            json.WriteNumber("rounds", report.Rounds);
            json.WriteNumber("elapsedSeconds", Math.Round(report.Elapsed.TotalSeconds, 3));
            WriteOptions(json, report.Options);
            json.WriteStartArray("metrics");
            foreach (var metric in report.Metrics)
                WriteMetric(json, metric);
            json.WriteEndArray();
            if (report.HeapSummary is { } heap)
                WriteHeapSummary(json, heap);
            else
                json.WriteNull("heapSummary");
            StringOrNull(json, "heapSummaryUnavailableReason", report.HeapSummaryUnavailableReason);
            WriteArtifacts(json, report);
            NativeAttributionJson.Write(json, report);
            WriteGate(json, report);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The run's name and where its artifacts went (fields added in schema 1; see <c>docs/artifacts.md</c>).</summary>
    private static void WriteArtifacts(Utf8JsonWriter json, LeakReport report)
    {
        json.WriteString("testName", report.Options.TestName);
        json.WriteString("artifactsDirectory", report.ArtifactsDirectory);
        json.WriteString("artifactsUnavailableReason", report.ArtifactsUnavailableReason);
    }

    /// <summary>Allocation traffic, ignore rules that matched, and where the settings came from (fields added in schema 1; see <c>docs/configuration.md</c>).</summary>
    private static void WriteGate(Utf8JsonWriter json, LeakReport report)
    {
        var allocations = report.Allocations;
        json.WriteStartObject("allocations");
        json.WriteNumber("totalBytes", allocations.TotalBytes);
        json.WriteNumber("iterations", allocations.Iterations);
        Number(json, "bytesPerIteration", allocations.BytesPerIteration);
        Number(json, "budgetPerIteration", allocations.BudgetPerIteration);
        json.WriteBoolean("isOverBudget", allocations.IsOverBudget);
        json.WriteString("source", allocations.Source);
        json.WriteEndObject();

        json.WriteStartArray("ignoredGrowth");
        foreach (var ignored in report.IgnoredGrowth)
        {
            json.WriteStartObject();
            WriteRuleFields(json, ignored.Rule);
            json.WriteStartArray("types");
            foreach (var type in ignored.Types)
                json.WriteStringValue(type);
            json.WriteEndArray();
            Number(json, "bytesPerIteration", ignored.BytesPerIteration);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        StringOrNull(json, "ignoreRulesNote", report.IgnoreRulesNote);

        json.WriteStartArray("settings");
        foreach (var setting in report.Options.Sources)
        {
            json.WriteStartObject();
            json.WriteString("name", setting.Name);
            json.WriteString("value", setting.Value);
            json.WriteString("source", setting.Source);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteOptions(Utf8JsonWriter json, LeakOptions options)
    {
        json.WriteStartObject("options");
        json.WriteNumber("iterations", options.Iterations);
        json.WriteNumber("warmupIterations", options.WarmupIterations);
        json.WriteNumber("maxIterations", options.EffectiveMaxIterations);
        json.WriteNumber("iterationsPerSample", options.EffectiveIterationsPerSample);
        json.WriteNumber("maxManagedBytesPerIteration", options.MaxManagedBytesPerIteration);
        json.WriteNumber("maxNativeBytesPerIteration", options.MaxNativeBytesPerIteration);
        json.WriteNumber("maxHandlesPerIteration", options.MaxHandlesPerIteration);
        json.WriteNumber("maxThreadsPerIteration", options.MaxThreadsPerIteration);
        Number(json, "timeoutSeconds", options.Timeout?.TotalSeconds);
        json.WriteNumber("confidenceLevel", options.ConfidenceLevel);
        json.WriteBoolean("captureHeapSummary", options.CaptureHeapSummary);
        json.WriteNumber("retentionPathTypes", options.RetentionPathTypes);
        json.WriteNumber("heapAnalysisTimeoutSeconds", options.HeapAnalysisTimeout.TotalSeconds);
        json.WriteNumber("topTypes", options.TopTypes);
        json.WriteString("artifacts", JsonNamingPolicy.CamelCase.ConvertName(options.Artifacts.ToString()));
        Number(json, "maxAllocatedBytesPerIteration", options.MaxAllocatedBytesPerIteration);
        json.WriteString("baselineFile", options.BaselineFile);
        json.WriteNumber("baselineTolerance", options.BaselineTolerance);
        json.WriteStartArray("ignoreRules");
        foreach (var rule in options.IgnoreRules)
        {
            json.WriteStartObject();
            WriteRuleFields(json, rule);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteMetric(Utf8JsonWriter json, MetricReport metric)
    {
        json.WriteStartObject();
        json.WriteString("metric", Sampling.MetricTable.Get(metric.Metric).JsonKey);
        json.WriteString("name", metric.Name);
        json.WriteString("unit", metric.Unit);
        json.WriteString("source", metric.Source);
        json.WriteString("verdict", JsonNamingPolicy.CamelCase.ConvertName(metric.Verdict.ToString()));
        json.WriteString("reason", metric.Reason);
        Number(json, "budgetPerIteration", metric.BudgetPerIteration);
        Number(json, "baselinePerIteration", metric.BaselinePerIteration);
        json.WriteStartObject("slope");
        Number(json, "perIteration", metric.Slope.PerIteration);
        Number(json, "lowerBound", metric.Slope.LowerBound);
        Number(json, "upperBound", metric.Slope.UpperBound);
        Number(json, "confidenceLevel", metric.Slope.ConfidenceLevel);
        json.WriteNumber("sampleCount", metric.Slope.SampleCount);
        json.WriteEndObject();
        json.WriteStartArray("samples");
        foreach (var sample in metric.Samples)
        {
            json.WriteStartArray();
            json.WriteNumberValue(sample.Iteration);
            if (double.IsFinite(sample.Value))
                json.WriteNumberValue(sample.Value);
            else
                json.WriteNullValue();
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteHeapSummary(Utf8JsonWriter json, HeapSummary heap)
    {
        json.WriteStartObject("heapSummary");
        json.WriteNumber("snapshotCount", heap.SnapshotCount);
        json.WriteNumber("iterationsBetweenSnapshots", heap.IterationsBetweenSnapshots);
        json.WriteBoolean("grewInEveryInterval", heap.GrewInEveryInterval);
        json.WriteNumber("totalBytesBefore", heap.TotalBytesBefore);
        json.WriteNumber("totalBytesAfter", heap.TotalBytesAfter);
        json.WriteStartArray("types");
        foreach (var type in heap.Types)
        {
            json.WriteStartObject();
            WriteCountFields(json, type);
            json.WriteNumber("instancesPerIteration", type.InstancesPerIteration);
            json.WriteNumber("bytesPerIteration", type.BytesPerIteration);
            json.WriteStartArray("retentionPaths");
            foreach (var path in type.Paths)
                WritePath(json, path);
            json.WriteEndArray();
            StringOrNull(json, "retentionPathsNote", type.PathsUnavailableReason);
            if (type.SizeGrowth is { } largest)
            {
                json.WriteStartObject("sizeGrowth");
                json.WriteNumber("bytesBefore", largest.BytesBefore);
                json.WriteNumber("bytesAfter", largest.BytesAfter);
                json.WritePropertyName("retentionPath");
                WritePath(json, largest.Path);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("sizeGrowth");
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteTypeCounts(json, "safeHandleTypes", heap.SafeHandleTypes);
        StringOrNull(json, "retentionPathsNote", heap.PathsNote);
        StringOrNull(json, "keptDumpPath", heap.KeptDumpPath);
        json.WriteEndObject();
    }

    private static void WritePath(Utf8JsonWriter json, RetentionPath path)
    {
        json.WriteStartObject();
        json.WriteString("rootKind", JsonNamingPolicy.CamelCase.ConvertName(path.RootKind.ToString()));
        json.WriteString("root", path.Root);
        json.WriteNumber("instances", path.Instances);
        json.WriteNumber("instancesBefore", path.InstancesBefore);
        json.WriteString("text", path.Text);
        json.WriteStartArray("steps");
        foreach (var step in path.Steps)
        {
            json.WriteStartObject();
            json.WriteString("edge", step.Edge);
            json.WriteString("typeName", step.TypeName);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A string property, or null.</summary>
    internal static void StringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    /// <summary>An array of types with their instance counts and shallow bytes in the first and last snapshot.</summary>
    internal static void WriteTypeCounts(Utf8JsonWriter json, string name, IReadOnlyList<TypeGrowth> types)
    {
        json.WriteStartArray(name);
        foreach (var type in types)
        {
            json.WriteStartObject();
            WriteCountFields(json, type);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>JSON has no NaN or infinity: those are written as null, as is a missing value.</summary>
    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
            json.WriteNumber(name, number);
        else
            json.WriteNull(name);
    }

    /// <summary>An ignore rule's fields: <c>pattern</c>, <c>reason</c>, <c>source</c>.</summary>
    private static void WriteRuleFields(Utf8JsonWriter json, LeakIgnoreRule rule)
    {
        json.WriteString("pattern", rule.Pattern);
        json.WriteString("reason", rule.Reason);
        json.WriteString("source", rule.Source);
    }

    /// <summary>A type's instance counts and shallow bytes in the first and last snapshot.</summary>
    private static void WriteCountFields(Utf8JsonWriter json, TypeGrowth type)
    {
        json.WriteString("typeName", type.TypeName);
        json.WriteNumber("countBefore", type.CountBefore);
        json.WriteNumber("countAfter", type.CountAfter);
        json.WriteNumber("bytesBefore", type.BytesBefore);
        json.WriteNumber("bytesAfter", type.BytesAfter);
    }
}
