using System.Globalization;

namespace LeakGuard;

/// <summary>How a setting's value is written in attributes and in the file.</summary>
internal enum SettingKind
{
    Int,
    Double,

    /// <summary>A double where no value means "no budget": attribute <see cref="double.PositiveInfinity"/>, JSON null.</summary>
    OptionalDouble,
    Bool,
    Text,

    /// <summary>A folder or file; relative paths in the file are relative to the folder holding <c>.config</c>.</summary>
    Path,

    /// <summary>A positive duration: JSON "hh:mm:ss" or seconds; attributes in milliseconds.</summary>
    Duration,

    /// <summary>Like <see cref="Duration"/>, where 0 or null means none (<see cref="LeakOptions.Timeout"/>).</summary>
    OptionalDuration,

    /// <summary>An iteration count where 0 or null means the default (<see cref="LeakOptions.MaxIterations"/>).</summary>
    OptionalInt,
    Policy,
}

/// <summary>One configurable setting: its name (the <see cref="LeakOptions"/> property), its kind and how to apply it.</summary>
internal sealed record LeakSetting(string Name, SettingKind Kind, Func<LeakOptions, object?, LeakOptions> Apply)
{
    /// <summary>The key in <c>.config/leakguard.json</c>: the name in camel case.</summary>
    public string Key => char.ToLowerInvariant(Name[0]) + Name[1..];

    /// <summary>An attribute argument (int, double, bool, string, or an enum's underlying int) as this setting's value.</summary>
    public object? FromAttribute(object? raw) =>
        Kind switch
        {
            SettingKind.OptionalDouble => raw is double d && double.IsPositiveInfinity(d) ? null : raw,
            SettingKind.OptionalInt => raw is 0 ? null : raw,
            SettingKind.Duration => raw is int ms ? TimeSpan.FromMilliseconds(ms) : raw,
            SettingKind.OptionalDuration => raw is int ms ? (ms == 0 ? null : TimeSpan.FromMilliseconds(ms)) : raw,
            SettingKind.Policy => raw is int i ? (ArtifactPolicy)i : raw,
            _ => raw,
        };

    /// <summary>The value as the report shows it.</summary>
    public static string Format(object? value) =>
        value switch
        {
            null => "none",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "none",
        };
}

/// <summary>Every setting the layers may set, by name.</summary>
internal static class LeakSettingTable
{
    public static readonly LeakSetting Skip = new("Skip", SettingKind.Text, (o, _) => o);

    public static readonly IReadOnlyList<LeakSetting> All =
    [
        new(nameof(LeakOptions.Iterations), SettingKind.Int, (o, v) => o with { Iterations = (int)v! }),
        new(nameof(LeakOptions.WarmupIterations), SettingKind.Int, (o, v) => o with { WarmupIterations = (int)v! }),
        new(nameof(LeakOptions.MaxIterations), SettingKind.OptionalInt, (o, v) => o with { MaxIterations = (int?)v }),
        new(nameof(LeakOptions.IterationsPerSample), SettingKind.OptionalInt, (o, v) => o with { IterationsPerSample = (int?)v }),
        new(nameof(LeakOptions.MaxManagedBytesPerIteration), SettingKind.Double, (o, v) => o with { MaxManagedBytesPerIteration = (double)v! }),
        new(nameof(LeakOptions.MaxNativeBytesPerIteration), SettingKind.Double, (o, v) => o with { MaxNativeBytesPerIteration = (double)v! }),
        new(nameof(LeakOptions.MaxHandlesPerIteration), SettingKind.Double, (o, v) => o with { MaxHandlesPerIteration = (double)v! }),
        new(nameof(LeakOptions.MaxThreadsPerIteration), SettingKind.Double, (o, v) => o with { MaxThreadsPerIteration = (double)v! }),
        new(nameof(LeakOptions.MaxAllocatedBytesPerIteration), SettingKind.OptionalDouble, (o, v) => o with { MaxAllocatedBytesPerIteration = (double?)v }),
        new(nameof(LeakOptions.Timeout), SettingKind.OptionalDuration, (o, v) => o with { Timeout = (TimeSpan?)v }),
        new(nameof(LeakOptions.ConfidenceLevel), SettingKind.Double, (o, v) => o with { ConfidenceLevel = (double)v! }),
        new(nameof(LeakOptions.CaptureHeapSummary), SettingKind.Bool, (o, v) => o with { CaptureHeapSummary = (bool)v! }),
        new(nameof(LeakOptions.TopTypes), SettingKind.Int, (o, v) => o with { TopTypes = (int)v! }),
        new(nameof(LeakOptions.RetentionPathTypes), SettingKind.Int, (o, v) => o with { RetentionPathTypes = (int)v! }),
        new(nameof(LeakOptions.KeepHeapDump), SettingKind.Bool, (o, v) => o with { KeepHeapDump = (bool)v! }),
        new(nameof(LeakOptions.MaxHeapDumpBytes), SettingKind.Int, (o, v) => o with { MaxHeapDumpBytes = Convert.ToInt64(v, CultureInfo.InvariantCulture) }),
        new(nameof(LeakOptions.HeapAnalysisTimeout), SettingKind.Duration, (o, v) => o with { HeapAnalysisTimeout = (TimeSpan)v! }),
        new(nameof(LeakOptions.SnapshotDirectory), SettingKind.Path, (o, v) => o with { SnapshotDirectory = (string?)v }),
        new(nameof(LeakOptions.Artifacts), SettingKind.Policy, (o, v) => o with { Artifacts = (ArtifactPolicy)v! }),
        new(nameof(LeakOptions.ArtifactsDirectory), SettingKind.Path, (o, v) => o with { ArtifactsDirectory = (string?)v }),
        new(nameof(LeakOptions.BaselineFile), SettingKind.Path, (o, v) => o with { BaselineFile = (string?)v }),
        new(nameof(LeakOptions.BaselineTolerance), SettingKind.Double, (o, v) => o with { BaselineTolerance = (double)v! }),
        Skip,
    ];

    private static readonly Dictionary<string, LeakSetting> ByName = All.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Each setting's position in <see cref="All"/>: the order the report lists sources in.</summary>
    public static readonly IReadOnlyDictionary<string, int> Order = All.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i);

    /// <summary>The setting of a property name (attribute) or key (file), case-insensitively; null when there is none.</summary>
    public static LeakSetting? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The file's keys, for "known keys" in error messages.</summary>
    public static string KnownKeys => string.Join(", ", All.Select(s => s.Key).Append("ignore").Append("baseline").Append("$schema"));
}

/// <summary>Accumulates the layers: the options so far, the source of every setting set, the ignore rules, the skip reason.</summary>
internal sealed class SettingsBuilder
{
    private readonly Dictionary<string, LeakSettingSource> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string File, int Line, string Key)> _fileLocations = new(StringComparer.Ordinal);
    private readonly List<LeakIgnoreRule> _rules = [];
    private LeakOptions _options = LeakOptions.Default;
    private string? _skip;

    public void Set(LeakSetting setting, object? value, string source)
    {
        if (ReferenceEquals(setting, LeakSettingTable.Skip))
            _skip = string.IsNullOrWhiteSpace(value as string) ? null : (string)value!;
        else
            _options = setting.Apply(_options, value);
        _sources[setting.Name] = new LeakSettingSource(setting.Name, LeakSetting.Format(value), source);
        _fileLocations.Remove(setting.Name);
    }

    /// <summary>A setting from the JSON file: as <see cref="Set(LeakSetting, object?, string)"/>, remembering the file and line for messages.</summary>
    public void Set(LeakSetting setting, object? value, string file, int line)
    {
        Set(setting, value, $"{file}:{line}");
        _fileLocations[setting.Name] = (file, line, setting.Key);
    }

    public void AddRule(LeakIgnoreRule rule) => _rules.Add(rule);

    /// <summary>
    /// <c>LEAKGUARD_ITERATIONS_SCALE</c>: scales the iterations in force (at least 1), both rounded half away from zero so
    /// that <see cref="LeakOptions.MaxIterations"/> stays at least <see cref="LeakOptions.Iterations"/>. The settings are
    /// checked before they are scaled (scaling must not turn <c>Iterations = -5</c> into 1, nor hide a
    /// <see cref="LeakOptions.MaxIterations"/> below <see cref="LeakOptions.Iterations"/>), and the scaled iterations after.
    /// </summary>
    /// <exception cref="LeakConfigurationException">A setting is invalid before scaling (the message names the layer it
    /// came from, the property and the value), or the scaled iterations are over their limits (the message names the variable).</exception>
    public void Scale(double factor, string source)
    {
        if (_options.FindInvalid() is { } invalid)
            throw LayerError(invalid);

        var iterations = Math.Max(1, Math.Round(_options.Iterations * factor, MidpointRounding.AwayFromZero));
        double? max = _options.MaxIterations is { } m ? Math.Max(iterations, Math.Round(m * factor, MidpointRounding.AwayFromZero)) : null;
        if (iterations > LeakOptions.IterationsLimit)
            throw ScaledError(source, factor, nameof(LeakOptions.Iterations), iterations, $"must be at most {LeakOptions.IterationsLimit}");
        if (max > LeakOptions.MaxIterationsLimit)
            throw ScaledError(source, factor, nameof(LeakOptions.MaxIterations), max.Value, $"must be at most {LeakOptions.MaxIterationsLimit}");

        _options = _options with { Iterations = (int)iterations, MaxIterations = (int?)max };
        _sources[nameof(LeakOptions.Iterations)] = new(nameof(LeakOptions.Iterations), LeakSetting.Format((int)iterations), source);
        _fileLocations.Remove(nameof(LeakOptions.Iterations));
        if (max is not null)
        {
            _sources[nameof(LeakOptions.MaxIterations)] = new(nameof(LeakOptions.MaxIterations), LeakSetting.Format((int)max.Value), source);
            _fileLocations.Remove(nameof(LeakOptions.MaxIterations));
        }
    }

    /// <summary>
    /// An invalid setting, named with the layer it came from: <c>[NoLeak] on M: Iterations = -5 must be at least 1.</c>,
    /// or for the file <c>/repo/.config/leakguard.json(3): MaxIterations = 20 must be …</c> with the file and line.
    /// </summary>
    private LeakConfigurationException LayerError(InvalidOption invalid)
    {
        var value = _sources.TryGetValue(invalid.Property, out var set) ? set.Value : LeakOptions.Format(invalid.Value);
        var problem = $"{invalid.Property} = {value} {invalid.Rule}";
        // A rule that compares with Iterations says where Iterations came from.
        if (invalid.Property == nameof(LeakOptions.MaxIterations))
            problem += $" (Iterations = {_options.Iterations} from {SourceOf(nameof(LeakOptions.Iterations))})";
        if (_fileLocations.TryGetValue(invalid.Property, out var location))
            return new($"{location.File}({location.Line}): {problem}.", location.File, location.Line, location.Key);
        return new($"{SourceOf(invalid.Property)}: {problem}.", key: invalid.Property);
    }

    private LeakConfigurationException ScaledError(string source, double factor, string property, double scaled, string rule)
    {
        var scale = factor.ToString("R", CultureInfo.InvariantCulture);
        var before = property == nameof(LeakOptions.Iterations) ? _options.Iterations : _options.MaxIterations!.Value;
        return new(
            $"{source}: {property} = {scaled.ToString("0", CultureInfo.InvariantCulture)} ({before} from {SourceOf(property)}, scaled by {scale}) {rule}.",
            key: "LEAKGUARD_ITERATIONS_SCALE"
        );
    }

    private string SourceOf(string property) => _sources.TryGetValue(property, out var set) ? set.Source : "the built-in default";

    public LeakSettings Build(string? configFile)
    {
        var sources = _sources.Values.OrderBy(s => LeakSettingTable.Order[s.Name]).ToArray();
        // Empty lists as the defaults' own (Array.Empty): options no layer changed equal LeakOptions.Default.
        var options = _options with
        {
            IgnoreRules = _rules.Count == 0 ? [] : _rules.ToArray(),
            Sources = sources.Length == 0 ? [] : sources,
        };
        return new LeakSettings(options, _skip, configFile);
    }
}
