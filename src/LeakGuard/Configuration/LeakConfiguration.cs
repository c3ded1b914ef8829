using System.Globalization;
using System.Reflection;

namespace LeakGuard;

/// <summary>
/// Builds the settings of one leak test from every layer, lowest first: the built-in defaults
/// (<see cref="LeakOptions.Default"/>) → the JSON file <c>.config/leakguard.json</c> → <c>[assembly: LeakSettings]</c>
/// → <c>[LeakSettings]</c> on the test class (or a base class) → the method's <c>[NoLeak(...)]</c> → environment
/// variables. A higher layer overrides only the settings it names; <c>[LeakIgnore]</c> rules of every layer add up.
/// The xUnit and NUnit adapters call it for every leak test; call it yourself to write an adapter for another framework.
/// </summary>
/// <remarks>
/// <para><b>The file</b> is found by walking up from the test assembly's folder (as <c>dotnet tool</c> finds
/// <c>.config/dotnet-tools.json</c>): the first <c>.config/leakguard.json</c> wins; <c>LEAKGUARD_CONFIG</c> names a file
/// instead. Keys are the <see cref="LeakOptions"/> property names in camel case, plus <c>skip</c> and <c>ignore</c>
/// (see <c>docs/configuration.md</c>); comments and trailing commas are allowed; relative paths are relative to the
/// folder that holds <c>.config</c>. A malformed file, an unknown key or a value of the wrong type fails the test with
/// a <see cref="LeakConfigurationException"/> naming the file, the line and the key.</para>
/// <para><b>Environment variables</b> (for CI): <c>LEAKGUARD_SKIP</c> (skip every leak test; the value is the reason,
/// <c>true</c>/<c>1</c> for a standard one, <c>false</c>/<c>0</c>/empty for none), <c>LEAKGUARD_ITERATIONS_SCALE</c>
/// (a factor, 0.01–1000, for <see cref="LeakOptions.Iterations"/> and <see cref="LeakOptions.MaxIterations"/>: fewer on
/// pull requests, more nightly), <c>LEAKGUARD_ARTIFACTS</c> (<c>onFailure</c>, <c>always</c>, <c>never</c>),
/// <c>LEAKGUARD_ARTIFACTS_DIRECTORY</c>, <c>LEAKGUARD_BASELINE</c> (baseline file),
/// <c>LEAKGUARD_BASELINE_TOLERANCE</c>, <c>LEAKGUARD_CONFIG</c>. An unreadable value fails with a
/// <see cref="LeakConfigurationException"/> naming the variable and the value.</para>
/// <para>Every setting a layer sets (even to its default value) is recorded with its source in
/// <see cref="LeakOptions.Sources"/>, and the report lists them.</para>
/// </remarks>
public static class LeakConfiguration
{
    /// <summary>The configuration file's path relative to a folder: <c>.config/leakguard.json</c>.</summary>
    public const string RelativeFilePath = ".config/leakguard.json";

    /// <summary>
    /// The settings of a leak test: options, skip reason and their sources, from every layer.
    /// </summary>
    /// <param name="testMethod">The test method; its <c>[NoLeak]</c>-style attribute (any attribute implementing
    /// <see cref="ILeakAttributeOptions"/>) is the method layer, and its assembly decides where the file search starts.</param>
    /// <param name="testClass">The class the test runs on (it may derive from <paramref name="testMethod"/>'s declaring
    /// type); null means the declaring type.</param>
    /// <returns>The settings. Without <c>LEAKGUARD_ITERATIONS_SCALE</c> the options are not validated here (the engine
    /// validates them when the run starts); with it, they are validated before they are scaled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="testMethod"/> is null.</exception>
    /// <exception cref="LeakConfigurationException">The file, an attribute's <c>[LeakIgnore]</c> pattern or an
    /// environment variable is invalid; the message names the file and line, or the variable, and the key. With
    /// <c>LEAKGUARD_ITERATIONS_SCALE</c> set, also a setting out of range before scaling (the message names the layer it
    /// came from, the property and the value, e.g. <c>[NoLeak] on M: Iterations = -5 must be at least 1.</c>) or iterations
    /// scaled over their limits.</exception>
    public static LeakSettings Resolve(MethodInfo testMethod, Type? testClass = null) =>
        Resolve(testMethod, testClass, System.Environment.GetEnvironmentVariable, null);

    /// <summary>
    /// The settings of a leak test, with the environment variables read through <paramref name="environment"/>
    /// instead of the process's: <c>_ =&gt; null</c> leaves the environment layer out (what a test of an adapter's
    /// attribute mapping wants on a CI machine that sets <c>LEAKGUARD_ARTIFACTS_DIRECTORY</c>).
    /// </summary>
    /// <inheritdoc cref="Resolve(MethodInfo, Type?)"/>
    /// <param name="testMethod">The test method.</param>
    /// <param name="testClass">The class the test runs on; null means the declaring type.</param>
    /// <param name="environment">Reads an environment variable by name; null answers "not set".</param>
    /// <exception cref="ArgumentNullException"><paramref name="testMethod"/> or <paramref name="environment"/> is null.</exception>
    public static LeakSettings Resolve(MethodInfo testMethod, Type? testClass, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Resolve(testMethod, testClass, environment, null);
    }

    /// <summary>
    /// The nearest <c>.config/leakguard.json</c>, walking up from <paramref name="startDirectory"/>; null when there is none.
    /// </summary>
    /// <param name="startDirectory">The folder to start from, e.g. the test assembly's folder.</param>
    /// <returns>The file's full path, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="startDirectory"/> is null.</exception>
    public static string? FindConfigFile(string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(startDirectory);
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, ".config", "leakguard.json");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>The layers, with the environment and the start folder of the file search injectable for tests.</summary>
    internal static LeakSettings Resolve(MethodInfo testMethod, Type? testClass, Func<string, string?> environment, string? startDirectory)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        testClass ??= testMethod.ReflectedType ?? testMethod.DeclaringType;
        var assembly = testClass?.Assembly ?? testMethod.Module.Assembly;
        var layers = new SettingsBuilder();

        // 1. The file.
        var configFile = Environment(environment, "LEAKGUARD_CONFIG") is { } explicitFile
            ? ExplicitConfigFile(explicitFile)
            : FindConfigFile(startDirectory ?? AssemblyDirectory(assembly));
        if (configFile is not null)
            LeakConfigurationFile.Load(configFile).ApplyTo(layers);

        // 2. The assembly, 3. the class (base classes first, so that a derived class overrides), 4. the method.
        ApplyAttributes(layers, assembly.GetCustomAttributesData(), "[assembly: LeakSettings]", "[assembly: LeakIgnore]");
        var classes = new List<Type>();
        for (var type = testClass; type is not null && type != typeof(object); type = type.BaseType)
            classes.Add(type);
        for (var i = classes.Count - 1; i >= 0; i--)
        {
            var name = TypeName(classes[i]);
            ApplyAttributes(layers, CustomAttributeData.GetCustomAttributes(classes[i]), $"[LeakSettings] on {name}", $"[LeakIgnore] on {name}");
        }
        foreach (var attribute in CustomAttributeData.GetCustomAttributes(testMethod))
        {
            if (typeof(ILeakAttributeOptions).IsAssignableFrom(attribute.AttributeType))
                ApplyNamedArguments(layers, attribute, $"[{ShortAttributeName(attribute.AttributeType)}] on {testMethod.Name}");
            else if (attribute.AttributeType == typeof(LeakIgnoreAttribute))
                layers.AddRule(IgnoreRule(attribute, $"[LeakIgnore] on {testMethod.Name}"));
        }

        // 5. The environment.
        ApplyEnvironment(layers, environment);
        return layers.Build(configFile);
    }

    private static string AssemblyDirectory(Assembly assembly)
    {
        var location = assembly.IsDynamic ? "" : assembly.Location;
        return string.IsNullOrEmpty(location) ? AppContext.BaseDirectory : Path.GetDirectoryName(location) ?? AppContext.BaseDirectory;
    }

    private static string ExplicitConfigFile(string path)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full)
            ? full
            : throw new LeakConfigurationException(
                $"LEAKGUARD_CONFIG names the file '{path}', which does not exist (full path '{full}').",
                key: "LEAKGUARD_CONFIG"
            );
    }

    private static void ApplyAttributes(SettingsBuilder layers, IEnumerable<CustomAttributeData> attributes, string settingsSource, string ignoreSource)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.AttributeType == typeof(LeakSettingsAttribute))
                ApplyNamedArguments(layers, attribute, settingsSource);
            else if (attribute.AttributeType == typeof(LeakIgnoreAttribute))
                layers.AddRule(IgnoreRule(attribute, ignoreSource));
        }
    }

    /// <summary>Only the properties the attribute's user named: an unnamed one keeps the lower layer's value.</summary>
    private static void ApplyNamedArguments(SettingsBuilder layers, CustomAttributeData attribute, string source)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (LeakSettingTable.Find(argument.MemberName) is not { } setting)
                continue; // the test framework's own properties (DisplayName, Explicit, ...)
            var value = setting.FromAttribute(argument.TypedValue.Value);
            layers.Set(setting, value, source);
        }
    }

    private static LeakIgnoreRule IgnoreRule(CustomAttributeData attribute, string source)
    {
        var pattern = attribute.ConstructorArguments.Count > 0 ? attribute.ConstructorArguments[0].Value as string : null;
        var reason = attribute.NamedArguments.FirstOrDefault(a => a.MemberName == nameof(LeakIgnoreAttribute.Reason)).TypedValue.Value as string;
        try
        {
            return new LeakIgnoreRule(pattern!, reason, source);
        }
        catch (ArgumentException ex)
        {
            throw new LeakConfigurationException($"{source}: {ex.Message}", key: "LeakIgnore", innerException: ex);
        }
    }

    private static void ApplyEnvironment(SettingsBuilder layers, Func<string, string?> environment)
    {
        if (Environment(environment, "LEAKGUARD_SKIP") is { } skip)
        {
            var reason = skip.ToLowerInvariant() switch
            {
                "false" or "0" or "no" => null,
                "true" or "1" or "yes" => "leak tests are switched off (LEAKGUARD_SKIP is set)",
                _ => skip,
            };
            if (reason is not null)
                layers.Set(LeakSettingTable.Skip, reason, $"env LEAKGUARD_SKIP");
        }
        if (Environment(environment, "LEAKGUARD_ARTIFACTS") is { } policy)
        {
            if (!LeakConfigurationFile.TryParsePolicy(policy, out var parsed))
                throw EnvironmentError("LEAKGUARD_ARTIFACTS", policy, "must be onFailure, always or never");
            layers.Set(LeakSettingTable.Find(nameof(LeakOptions.Artifacts))!, parsed, "env LEAKGUARD_ARTIFACTS");
        }
        if (Environment(environment, "LEAKGUARD_ARTIFACTS_DIRECTORY") is { } artifacts)
            layers.Set(LeakSettingTable.Find(nameof(LeakOptions.ArtifactsDirectory))!, artifacts, "env LEAKGUARD_ARTIFACTS_DIRECTORY");
        if (Environment(environment, "LEAKGUARD_BASELINE") is { } baseline)
            layers.Set(LeakSettingTable.Find(nameof(LeakOptions.BaselineFile))!, Path.GetFullPath(baseline), "env LEAKGUARD_BASELINE");
        if (Environment(environment, "LEAKGUARD_BASELINE_TOLERANCE") is { } tolerance)
        {
            if (!double.TryParse(tolerance, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !(parsed >= 0 && parsed <= 10))
                throw EnvironmentError("LEAKGUARD_BASELINE_TOLERANCE", tolerance, "must be a number between 0 and 10 (0.25 is 25 %)");
            layers.Set(LeakSettingTable.Find(nameof(LeakOptions.BaselineTolerance))!, parsed, "env LEAKGUARD_BASELINE_TOLERANCE");
        }
        if (Environment(environment, "LEAKGUARD_ITERATIONS_SCALE") is { } scaleText)
        {
            if (!double.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || !(scale >= 0.01 && scale <= 1000))
                throw EnvironmentError("LEAKGUARD_ITERATIONS_SCALE", scaleText, "must be a number between 0.01 and 1000");
            layers.Scale(scale, $"env LEAKGUARD_ITERATIONS_SCALE={scaleText}");
        }
    }

    private static string? Environment(Func<string, string?> environment, string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;

    private static LeakConfigurationException EnvironmentError(string variable, string value, string rule) =>
        new($"Environment variable {variable} {rule}, but was '{value}'.", key: variable);

    private static string ShortAttributeName(Type attribute) =>
        attribute.Name.EndsWith("Attribute", StringComparison.Ordinal) ? attribute.Name[..^"Attribute".Length] : attribute.Name;

    private static string TypeName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');
}

/// <summary>The effective settings of one leak test, from <see cref="LeakConfiguration.Resolve(MethodInfo, Type?)"/>.</summary>
public sealed class LeakSettings
{
    /// <summary>Creates settings; <see cref="LeakConfiguration.Resolve(MethodInfo, Type?)"/> is the usual way to get them.</summary>
    /// <param name="options">The options.</param>
    /// <param name="skipReason">Why the test is skipped; null when it runs.</param>
    /// <param name="configFile">The configuration file applied; null when none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public LeakSettings(LeakOptions options, string? skipReason = null, string? configFile = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        SkipReason = skipReason;
        ConfigFile = configFile;
    }

    /// <summary>The options, every layer applied, with <see cref="LeakOptions.Sources"/> saying where each non-default one came from. Not validated.</summary>
    public LeakOptions Options { get; }

    /// <summary>Why the test is skipped (from <c>Skip</c> on an attribute or in the file, or <c>LEAKGUARD_SKIP</c>); null when it runs.</summary>
    public string? SkipReason { get; }

    /// <summary>The configuration file that was applied, as a full path; null when none was found.</summary>
    public string? ConfigFile { get; }
}
