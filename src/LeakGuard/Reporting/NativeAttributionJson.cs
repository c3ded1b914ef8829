using System.Text.Json;

namespace LeakGuard.Reporting;

/// <summary>Writes <see cref="LeakReport.NativeAttribution"/> and <see cref="LeakReport.HandleAttribution"/> into the report JSON (<c>docs/report-schema.md</c>).</summary>
internal static class NativeAttributionJson
{
    public static void Write(Utf8JsonWriter json, LeakReport report)
    {
        if (report.NativeAttribution is { } native)
            WriteNative(json, native);
        else
            json.WriteNull("nativeAttribution");
        if (report.HandleAttribution is { } handles)
            WriteHandles(json, handles);
        else
            json.WriteNull("handleAttribution");
    }

    private static void WriteNative(Utf8JsonWriter json, NativeAttribution native)
    {
        json.WriteStartObject("nativeAttribution");
        json.WriteNumber("iterations", native.Iterations);
        if (native.MallocSource is { } source)
        {
            json.WriteStartObject("malloc");
            json.WriteString("source", source);
            Number(json, "arenaBytesBefore", native.MallocArenaBytesBefore);
            Number(json, "arenaBytesAfter", native.MallocArenaBytesAfter);
            Number(json, "mmappedBytesBefore", native.MallocMmappedBytesBefore);
            Number(json, "mmappedBytesAfter", native.MallocMmappedBytesAfter);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("malloc");
        }
        LeakReportJson.StringOrNull(json, "mappingSource", native.MappingSource);
        json.WriteNumber("mappingsFromIteration", native.MappingsFromIteration);
        json.WriteNumber("mappingsToIteration", native.MappingsToIteration);
        WriteMappings(json, "mappings", native.Mappings);
        WriteMappings(json, "growingFiles", native.GrowingFiles);
        Number(json, "gcCommittedBytesBefore", native.GcCommittedBytesBefore);
        Number(json, "gcCommittedBytesAfter", native.GcCommittedBytesAfter);
        LeakReportJson.WriteTypeCounts(json, "owningHandleTypes", native.OwningHandleTypes);
        LeakReportJson.StringOrNull(json, "unavailableReason", native.UnavailableReason);
        json.WriteEndObject();
    }

    private static void WriteMappings(Utf8JsonWriter json, string name, IReadOnlyList<MappingGrowth> mappings)
    {
        json.WriteStartArray(name);
        foreach (var mapping in mappings)
        {
            json.WriteStartObject();
            json.WriteString("name", mapping.Name);
            json.WriteNumber("countBefore", mapping.CountBefore);
            json.WriteNumber("countAfter", mapping.CountAfter);
            json.WriteNumber("rssBytesBefore", mapping.RssBytesBefore);
            json.WriteNumber("rssBytesAfter", mapping.RssBytesAfter);
            json.WriteNumber("sizeBytesBefore", mapping.SizeBytesBefore);
            json.WriteNumber("sizeBytesAfter", mapping.SizeBytesAfter);
            json.WriteNumber("anonymousBytesBefore", mapping.AnonymousBytesBefore);
            json.WriteNumber("anonymousBytesAfter", mapping.AnonymousBytesAfter);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteHandles(Utf8JsonWriter json, HandleAttribution handles)
    {
        json.WriteStartObject("handleAttribution");
        json.WriteNumber("iterations", handles.Iterations);
        LeakReportJson.StringOrNull(json, "source", handles.Source);
        json.WriteNumber("fromIteration", handles.FromIteration);
        json.WriteStartArray("kinds");
        foreach (var kind in handles.Kinds)
        {
            json.WriteStartObject();
            json.WriteString("kind", kind.Kind);
            json.WriteNumber("countBefore", kind.CountBefore);
            json.WriteNumber("countAfter", kind.CountAfter);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        LeakReportJson.StringOrNull(json, "unavailableReason", handles.UnavailableReason);
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
            json.WriteNumber(name, number);
        else
            json.WriteNull(name);
    }
}
