using System.Reflection;
using Shouldly;
using Xunit;

// The assembly layer for these tests (no other test of this assembly resolves configuration).
[assembly: LeakGuard.LeakSettings(TopTypes = 7, WarmupIterations = 3)]
[assembly: LeakGuard.LeakIgnore("Contoso.Assembly.*", Reason = "assembly rule")]

namespace LeakGuard.Tests.Configuration;

/// <summary>A [NoLeak]-style attribute: the method layer is any attribute implementing <see cref="ILeakAttributeOptions"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TestLeakAttribute : Attribute, ILeakAttributeOptions
{
    public int Iterations { get; set; } = 50;
    public int WarmupIterations { get; set; } = 5;
    public int MaxIterations { get; set; }
    public double MaxManagedBytesPerIteration { get; set; }
    public double MaxNativeBytesPerIteration { get; set; } = 512;
    public double MaxHandlesPerIteration { get; set; }
    public double MaxThreadsPerIteration { get; set; }
    public double ConfidenceLevel { get; set; } = 0.95;
    public bool CaptureHeapSummary { get; set; } = true;
    public int TopTypes { get; set; } = 10;
    public string? SnapshotDirectory { get; set; }
    public double MaxAllocatedBytesPerIteration { get; set; } = double.PositiveInfinity;
    public int Timeout { get; set; }
    public string? Skip { get; set; }
    public string? DisplayName { get; set; }
}

[LeakSettings(Iterations = 20, MaxNativeBytesPerIteration = 2048)]
[LeakIgnore("Contoso.Class.Cache", Reason = "class rule")]
public class LayeredTests
{
    [TestLeak]
    public void Plain() { }

    [TestLeak(Iterations = 30, Timeout = 1500, MaxAllocatedBytesPerIteration = 4096, DisplayName = "ignored by LeakGuard")]
    [LeakIgnore("Contoso.Method.*")]
    public void Overrides() { }

    [TestLeak(Skip = "method skip")]
    public void Skipped() { }
}

[LeakSettings(Skip = "class skip")]
public class SkippedClassTests
{
    [TestLeak]
    public void Anything() { }
}

public class DerivedFromLayered : LayeredTests { }

/// <summary>Settings LEAKGUARD_ITERATIONS_SCALE must not repair: each is invalid before it is scaled.</summary>
[LeakSettings(Iterations = 60)]
public class InvalidIterationsTests
{
    [TestLeak(Iterations = -5)]
    public void Negative() { }

    [TestLeak(Iterations = 0)]
    public void Zero() { }

    [TestLeak(MaxIterations = 30)]
    public void MaxBelowTheClassIterations() { }

    [TestLeak(Iterations = 60_000)]
    public void ScaledOverTheLimit() { }

    [TestLeak(Iterations = 5, MaxIterations = 5)]
    public void Valid() { }
}

public sealed class LeakConfigurationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("leakguard-config-").FullName;
    private readonly Dictionary<string, string> _environment = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static MethodInfo Method<T>(string name) => typeof(T).GetMethod(name)!;

    private LeakSettings Resolve<T>(string method, string? startDirectory = null) =>
        LeakConfiguration.Resolve(Method<T>(method), typeof(T), name => _environment.GetValueOrDefault(name), startDirectory ?? _root);

    private string WriteConfig(string json, string folder = "")
    {
        var directory = Path.Combine(_root, folder, ".config");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "leakguard.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Without_any_layer_but_the_attributes_the_defaults_stand_for_unnamed_settings()
    {
        var settings = Resolve<LayeredTests>(nameof(LayeredTests.Plain));

        settings.ConfigFile.ShouldBeNull();
        settings.SkipReason.ShouldBeNull();
        var options = settings.Options;
        options.Iterations.ShouldBe(20); // class
        options.WarmupIterations.ShouldBe(3); // assembly
        options.TopTypes.ShouldBe(7); // assembly
        options.MaxNativeBytesPerIteration.ShouldBe(2048); // class
        options.MaxManagedBytesPerIteration.ShouldBe(0); // default
        options.MaxAllocatedBytesPerIteration.ShouldBeNull();
        options
            .Sources.Select(s => s.ToString())
            .ShouldBe([
                "Iterations = 20 ([LeakSettings] on LeakGuard.Tests.Configuration.LayeredTests)",
                "WarmupIterations = 3 ([assembly: LeakSettings])",
                "MaxNativeBytesPerIteration = 2048 ([LeakSettings] on LeakGuard.Tests.Configuration.LayeredTests)",
                "TopTypes = 7 ([assembly: LeakSettings])",
            ]);
    }

    [Fact]
    public void The_method_attribute_overrides_only_what_it_names_and_rules_add_up()
    {
        var options = Resolve<LayeredTests>(nameof(LayeredTests.Overrides)).Options;

        options.Iterations.ShouldBe(30);
        options.Timeout.ShouldBe(TimeSpan.FromMilliseconds(1500));
        options.MaxAllocatedBytesPerIteration.ShouldBe(4096);
        options.MaxNativeBytesPerIteration.ShouldBe(2048);
        options.Sources.ShouldContain(new LeakSettingSource("Iterations", "30", "[TestLeak] on Overrides"));
        options.Sources.ShouldContain(new LeakSettingSource("Timeout", "00:00:01.5000000", "[TestLeak] on Overrides"));
        options.Sources.ShouldNotContain(s => s.Name == "DisplayName");
        options
            .IgnoreRules.Select(r => (r.Pattern, r.Source))
            .ShouldBe([
                ("Contoso.Assembly.*", "[assembly: LeakIgnore]"),
                ("Contoso.Class.Cache", "[LeakIgnore] on LeakGuard.Tests.Configuration.LayeredTests"),
                ("Contoso.Method.*", "[LeakIgnore] on Overrides"),
            ]);
    }

    [Fact]
    public void A_derived_test_class_inherits_its_base_class_settings()
    {
        var options = Resolve<DerivedFromLayered>(nameof(LayeredTests.Plain)).Options;
        options.Iterations.ShouldBe(20);
        options.IgnoreRules.ShouldContain(r => r.Pattern == "Contoso.Class.Cache");
    }

    [Fact]
    public void Skips_come_from_the_method_or_the_class()
    {
        Resolve<LayeredTests>(nameof(LayeredTests.Skipped)).SkipReason.ShouldBe("method skip");
        Resolve<SkippedClassTests>(nameof(SkippedClassTests.Anything)).SkipReason.ShouldBe("class skip");
    }

    [Fact]
    public void The_file_is_found_walking_up_and_sits_below_the_attributes()
    {
        var path = WriteConfig(
            """
            {
              // comments are allowed
              "iterations": 99,
              "maxManagedBytesPerIteration": 64,
              "timeout": "00:05:00",
              "artifacts": "always",
              "baseline": "leakguard.baseline.json",
              "ignore": [ { "namespace": "Microsoft.Extensions.Caching", "reason": "bounded" } ],
            }
            """
        );
        var nested = Directory.CreateDirectory(Path.Combine(_root, "tests", "bin", "Debug")).FullName;

        var settings = Resolve<LayeredTests>(nameof(LayeredTests.Plain), nested);

        settings.ConfigFile.ShouldBe(path);
        var options = settings.Options;
        options.Iterations.ShouldBe(20); // the class attribute is above the file
        options.MaxManagedBytesPerIteration.ShouldBe(64);
        options.Timeout.ShouldBe(TimeSpan.FromMinutes(5));
        options.Artifacts.ShouldBe(ArtifactPolicy.Always);
        options.BaselineFile.ShouldBe(Path.Combine(_root, "leakguard.baseline.json"));
        options.Sources.ShouldContain(new LeakSettingSource("MaxManagedBytesPerIteration", "64", $"{path}:4"));
        options.IgnoreRules[0].ShouldBe(new LeakIgnoreRule("Microsoft.Extensions.Caching.*", "bounded", $"{path}:8"));
    }

    [Fact]
    public void LEAKGUARD_CONFIG_names_the_file_instead()
    {
        var path = WriteConfig("""{ "topTypes": 3 }""", "elsewhere");
        _environment["LEAKGUARD_CONFIG"] = path;
        _environment["LEAKGUARD_SKIP"] = "";

        Resolve<LayeredTests>(nameof(LayeredTests.Plain), Path.GetTempPath()).Options.TopTypes.ShouldBe(7); // assembly over file
        Resolve<LayeredTests>(nameof(LayeredTests.Plain), Path.GetTempPath()).ConfigFile.ShouldBe(path);

        _environment["LEAKGUARD_CONFIG"] = Path.Combine(_root, "missing.json");
        var error = Should.Throw<LeakConfigurationException>(() => Resolve<LayeredTests>(nameof(LayeredTests.Plain)));
        error.Message.ShouldContain("LEAKGUARD_CONFIG names the file");
        error.Key.ShouldBe("LEAKGUARD_CONFIG");
    }

    [Fact]
    public void Environment_variables_are_the_top_layer()
    {
        _environment["LEAKGUARD_ITERATIONS_SCALE"] = "0.5";
        _environment["LEAKGUARD_ARTIFACTS"] = "never";
        _environment["LEAKGUARD_ARTIFACTS_DIRECTORY"] = "/tmp/leakguard-artifacts";
        _environment["LEAKGUARD_BASELINE_TOLERANCE"] = "0.5";

        var options = Resolve<LayeredTests>(nameof(LayeredTests.Overrides)).Options;

        options.Iterations.ShouldBe(15); // method 30 × 0.5
        options.Artifacts.ShouldBe(ArtifactPolicy.Never);
        options.ArtifactsDirectory.ShouldBe("/tmp/leakguard-artifacts");
        options.BaselineTolerance.ShouldBe(0.5);
        options.Sources.ShouldContain(new LeakSettingSource("Iterations", "15", "env LEAKGUARD_ITERATIONS_SCALE=0.5"));
    }

    [Theory]
    [InlineData(nameof(InvalidIterationsTests.Negative), "Iterations", "[TestLeak] on Negative: Iterations = -5 must be at least 1.")]
    [InlineData(nameof(InvalidIterationsTests.Zero), "Iterations", "[TestLeak] on Zero: Iterations = 0 must be at least 1.")]
    [InlineData(
        nameof(InvalidIterationsTests.MaxBelowTheClassIterations),
        "MaxIterations",
        "[TestLeak] on MaxBelowTheClassIterations: MaxIterations = 30 must be at least Iterations (60) and at most 10000000 (Iterations = 60 from [LeakSettings] on LeakGuard.Tests.Configuration.InvalidIterationsTests)."
    )]
    public void LEAKGUARD_ITERATIONS_SCALE_does_not_repair_invalid_iterations_but_fails_naming_the_layer(string method, string key, string message)
    {
        _environment["LEAKGUARD_ITERATIONS_SCALE"] = "2";

        var error = Should.Throw<LeakConfigurationException>(() =>
            LeakConfiguration.Resolve(Method<InvalidIterationsTests>(method), typeof(InvalidIterationsTests), name => _environment.GetValueOrDefault(name))
        );

        error.Message.ShouldBe(message);
        error.Key.ShouldBe(key);
        error.FilePath.ShouldBeNull();
    }

    [Fact]
    public void LEAKGUARD_ITERATIONS_SCALE_does_not_raise_a_MaxIterations_from_the_file_below_Iterations()
    {
        var path = WriteConfig("{\n  \"iterations\": 40,\n  \"maxIterations\": 20\n}");
        _environment["LEAKGUARD_CONFIG"] = path;
        _environment["LEAKGUARD_ITERATIONS_SCALE"] = "0.5";

        var error = Should.Throw<LeakConfigurationException>(() =>
            LeakConfiguration.Resolve(Method<SkippedClassTests>(nameof(SkippedClassTests.Anything)), null, name => _environment.GetValueOrDefault(name))
        );

        error.Message.ShouldBe($"{path}(3): MaxIterations = 20 must be at least Iterations (40) and at most 10000000 (Iterations = 40 from {path}:2).");
        (error.FilePath, error.Line, error.Key).ShouldBe((path, 3, "maxIterations"));
    }

    [Fact]
    public void LEAKGUARD_ITERATIONS_SCALE_that_takes_Iterations_over_its_limit_fails_naming_the_variable()
    {
        _environment["LEAKGUARD_ITERATIONS_SCALE"] = "2";

        var error = Should.Throw<LeakConfigurationException>(() =>
            LeakConfiguration.Resolve(
                Method<InvalidIterationsTests>(nameof(InvalidIterationsTests.ScaledOverTheLimit)),
                typeof(InvalidIterationsTests),
                name => _environment.GetValueOrDefault(name)
            )
        );

        error.Message.ShouldBe(
            "env LEAKGUARD_ITERATIONS_SCALE=2: Iterations = 120000 (60000 from [TestLeak] on ScaledOverTheLimit, scaled by 2) must be at most 100000."
        );
        error.Key.ShouldBe("LEAKGUARD_ITERATIONS_SCALE");
    }

    [Fact]
    public void LEAKGUARD_ITERATIONS_SCALE_scales_valid_iterations_and_keeps_MaxIterations_at_least_Iterations()
    {
        _environment["LEAKGUARD_ITERATIONS_SCALE"] = "0.5";

        var options = LeakConfiguration
            .Resolve(
                Method<InvalidIterationsTests>(nameof(InvalidIterationsTests.Valid)),
                typeof(InvalidIterationsTests),
                name => _environment.GetValueOrDefault(name)
            )
            .Options;

        (options.Iterations, options.MaxIterations).ShouldBe((3, 3)); // 2.5 rounds up for both
        options.Sources.ShouldContain(new LeakSettingSource("MaxIterations", "3", "env LEAKGUARD_ITERATIONS_SCALE=0.5"));
        Should.NotThrow(options.Validate);
    }

    [Theory]
    [InlineData("true", "leak tests are switched off (LEAKGUARD_SKIP is set)")]
    [InlineData("1", "leak tests are switched off (LEAKGUARD_SKIP is set)")]
    [InlineData("nightly only", "nightly only")]
    [InlineData("false", null)]
    [InlineData("0", null)]
    public void LEAKGUARD_SKIP_switches_leak_tests_off(string value, string? reason)
    {
        _environment["LEAKGUARD_SKIP"] = value;
        Resolve<LayeredTests>(nameof(LayeredTests.Plain)).SkipReason.ShouldBe(reason);
    }

    [Theory]
    [InlineData(
        "LEAKGUARD_ITERATIONS_SCALE",
        "fast",
        "Environment variable LEAKGUARD_ITERATIONS_SCALE must be a number between 0.01 and 1000, but was 'fast'."
    )]
    [InlineData("LEAKGUARD_ITERATIONS_SCALE", "0", "Environment variable LEAKGUARD_ITERATIONS_SCALE must be a number between 0.01 and 1000, but was '0'.")]
    [InlineData("LEAKGUARD_ARTIFACTS", "sometimes", "Environment variable LEAKGUARD_ARTIFACTS must be onFailure, always or never, but was 'sometimes'.")]
    [InlineData("LEAKGUARD_ARTIFACTS", "1", "Environment variable LEAKGUARD_ARTIFACTS must be onFailure, always or never, but was '1'.")]
    [InlineData(
        "LEAKGUARD_BASELINE_TOLERANCE",
        "-1",
        "Environment variable LEAKGUARD_BASELINE_TOLERANCE must be a number between 0 and 10 (0.25 is 25 %), but was '-1'."
    )]
    public void Unreadable_environment_variables_name_the_variable_and_value(string variable, string value, string message)
    {
        _environment[variable] = value;
        var error = Should.Throw<LeakConfigurationException>(() => Resolve<LayeredTests>(nameof(LayeredTests.Plain)));
        error.Message.ShouldBe(message);
        error.Key.ShouldBe(variable);
    }

    [Theory]
    [InlineData("{\n  \"iterations\": 10,\n  \"iteratons\": 5\n}", 3, "iteratons", "unknown key 'iteratons'. Known keys: iterations, warmupIterations")]
    [InlineData("{\n  \"iterations\": \"many\"\n}", 2, "iterations", "iterations must be a whole number, but was \"many\"")]
    [InlineData("{\n  \"confidenceLevel\": true\n}", 2, "confidenceLevel", "confidenceLevel must be a number, but was true")]
    [InlineData("{\n\n  \"artifacts\": \"sometimes\"\n}", 3, "artifacts", "artifacts must be \"onFailure\", \"always\" or \"never\", but was \"sometimes\"")]
    [InlineData(
        "{\n  \"timeout\": \"five minutes\"\n}",
        2,
        "timeout",
        "timeout must be a duration: \"hh:mm:ss\" or a number of seconds (0 or null for none), but was \"five minutes\""
    )]
    [InlineData("{\n  \"ignore\": [ { \"type\": \"A\" },\n  { \"reason\": \"no pattern\" } ]\n}", 3, "ignore", "an ignore rule needs \"type\"")]
    [InlineData("{\n  \"ignore\": [ { \"type\": \"A*B\" } ]\n}", 2, "ignore", "LeakIgnoreRule pattern must be a full type name or a prefix ending in '*'")]
    [InlineData("{\n  \"ignore\": [ { \"typ\": \"A\" } ]\n}", 2, "ignore.typ", "unknown key 'typ' in an ignore rule")]
    [InlineData("[ 1, 2 ]", 1, null, "must hold a JSON object")]
    [InlineData("{\n  \"iterations\": 10,\n  \"topTypes\": 3 3\n}", 3, null, "not valid JSON")]
    public void A_bad_file_fails_naming_file_line_and_key(string json, int line, string? key, string problem)
    {
        var path = WriteConfig(json);

        var error = Should.Throw<LeakConfigurationException>(() => Resolve<LayeredTests>(nameof(LayeredTests.Plain)));

        error.Message.ShouldStartWith($"{path}({line}): ");
        error.Message.ShouldContain(problem);
        error.FilePath.ShouldBe(path);
        error.Line.ShouldBe(line);
        error.Key.ShouldBe(key);
    }

    [Theory]
    [InlineData("timeout", "1e300", "timeout must be at most 1 day (\"1.00:00:00\", or 86400 seconds), but was 1e300")]
    [InlineData("timeout", "1e400", "timeout must be at most 1 day (\"1.00:00:00\", or 86400 seconds), but was 1e400")]
    [InlineData("timeout", "\"10675199.02:48:05\"", "timeout must be at most 1 day (\"1.00:00:00\", or 86400 seconds), but was \"10675199.02:48:05\"")]
    [InlineData("heapAnalysisTimeout", "86401", "heapAnalysisTimeout must be at most 1 day (\"1.00:00:00\", or 86400 seconds), but was 86401")]
    [InlineData("heapAnalysisTimeout", "0", "heapAnalysisTimeout must be positive, but was 0")]
    [InlineData("maxNativeBytesPerIteration", "1e400", "maxNativeBytesPerIteration must be a finite number, but was 1e400")]
    [InlineData("maxAllocatedBytesPerIteration", "-1e400", "maxAllocatedBytesPerIteration must be a finite number, but was -1e400")]
    [InlineData("maxManagedBytesPerIteration", "-1", "maxManagedBytesPerIteration must be 0 or more, but was -1")]
    [InlineData("iterations", "-5", "iterations must be at least 1, but was -5")]
    [InlineData("iterations", "100001", "iterations must be at most 100000, but was 100001")]
    [InlineData("warmupIterations", "-1", "warmupIterations must be 0 or more, but was -1")]
    [InlineData("maxIterations", "-3", "maxIterations must be between 1 and 10000000, but was -3")]
    [InlineData("confidenceLevel", "2", "confidenceLevel must be between 0.5 and 0.999, but was 2")]
    [InlineData("topTypes", "0", "topTypes must be at least 1, but was 0")]
    [InlineData("retentionPathTypes", "101", "retentionPathTypes must be between 0 and 100, but was 101")]
    [InlineData("maxHeapDumpBytes", "0", "maxHeapDumpBytes must be at least 1, but was 0")]
    [InlineData("baselineTolerance", "1e400", "baselineTolerance must be a finite number, but was 1e400")]
    [InlineData("baselineTolerance", "11", "baselineTolerance must be between 0 and 10, but was 11")]
    public void Every_number_in_the_file_is_range_checked_naming_file_line_and_key(string key, string value, string problem)
    {
        var path = WriteConfig($"{{\n  \"captureHeapSummary\": true,\n  \"{key}\": {value}\n}}");
        _environment["LEAKGUARD_CONFIG"] = path;

        var error = Should.Throw<LeakConfigurationException>(() =>
            LeakConfiguration.Resolve(Method<LayeredTests>(nameof(LayeredTests.Plain)), null, name => _environment.GetValueOrDefault(name))
        );

        error.Message.ShouldBe($"{path}(3): {problem}.");
        (error.FilePath, error.Line, error.Key).ShouldBe((path, 3, key));
    }

    [Fact]
    public void Numbers_in_range_are_taken_from_the_file()
    {
        var path = WriteConfig("""{ "timeout": 86400, "heapAnalysisTimeout": "1.00:00:00", "maxNativeBytesPerIteration": 1e300, "baselineTolerance": 10 }""");
        _environment["LEAKGUARD_CONFIG"] = path;

        var options = LeakConfiguration.Resolve(Method<LayeredTests>(nameof(LayeredTests.Plain)), null, name => _environment.GetValueOrDefault(name)).Options;

        options.Timeout.ShouldBe(TimeSpan.FromDays(1));
        options.HeapAnalysisTimeout.ShouldBe(TimeSpan.FromDays(1));
        options.BaselineTolerance.ShouldBe(10);
        options.MaxNativeBytesPerIteration.ShouldBe(2048); // the class attribute is above the file
    }

    [Theory]
    [InlineData("{\n  \"iterations\": 10,\n  \"topTypes\": 3,\n  \"iterations\": 20\n}", 4, "iterations", "'iterations' appears twice (also on line 2)")]
    [InlineData("{\n  \"Iterations\": 10,\n  \"iterations\": 20\n}", 3, "iterations", "'iterations' appears twice (also on line 2, as 'Iterations')")]
    [InlineData(
        "{\n  \"baseline\": \"a.json\",\n  \"baselineFile\": \"b.json\"\n}",
        3,
        "baselineFile",
        "'baselineFile' appears twice (also on line 2, as 'baseline')"
    )]
    [InlineData("{\n  \"ignore\": [],\n  \"ignore\": [ { \"type\": \"A\" } ]\n}", 3, "ignore", "'ignore' appears twice (also on line 2)")]
    [InlineData("{\n  \"$schema\": \"a\",\n  \"$schema\": \"b\"\n}", 3, "$schema", "'$schema' appears twice (also on line 2)")]
    [InlineData(
        "{\n  \"ignore\": [ { \"type\": \"A\",\n    \"reason\": \"x\",\n    \"reason\": \"y\" } ]\n}",
        4,
        "ignore.reason",
        "'reason' appears twice in an ignore rule (also on line 3)"
    )]
    [InlineData(
        "{\n  \"ignore\": [ { \"type\": \"A\",\n    \"type\": \"B\" } ]\n}",
        3,
        "ignore.type",
        "'type' appears twice in an ignore rule (also on line 2)"
    )]
    public void A_key_twice_in_the_file_fails_naming_file_line_and_key(string json, int line, string key, string problem)
    {
        var path = WriteConfig(json);
        _environment["LEAKGUARD_CONFIG"] = path;

        var error = Should.Throw<LeakConfigurationException>(() =>
            LeakConfiguration.Resolve(Method<LayeredTests>(nameof(LayeredTests.Plain)), null, name => _environment.GetValueOrDefault(name))
        );

        error.Message.ShouldBe($"{path}({line}): {problem}.");
        (error.FilePath, error.Line, error.Key).ShouldBe((path, line, key));
    }

    [Fact]
    public void An_edited_file_is_read_again()
    {
        var path = WriteConfig("""{ "maxThreadsPerIteration": 1 }""");
        Resolve<LayeredTests>(nameof(LayeredTests.Plain)).Options.MaxThreadsPerIteration.ShouldBe(1);

        File.WriteAllText(path, """{ "maxThreadsPerIteration": 2.5 }""");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));

        Resolve<LayeredTests>(nameof(LayeredTests.Plain)).Options.MaxThreadsPerIteration.ShouldBe(2.5);
    }

    [Fact]
    public void Every_property_of_LeakSettings_and_every_LeakOptions_setting_has_a_layer_entry()
    {
        // A property unknown to the table would be silently ignored on the attributes and refused in the file.
        foreach (var property in typeof(LeakSettingsAttribute).GetProperties().Where(p => p.CanWrite))
            LeakSettingTable.Find(property.Name).ShouldNotBeNull(property.Name);
        var notConfigurable = new[]
        {
            nameof(LeakOptions.TestName),
            nameof(LeakOptions.IgnoreRules),
            nameof(LeakOptions.Sources),
            nameof(LeakOptions.Progress),
        };
        foreach (var property in typeof(LeakOptions).GetProperties().Where(p => p.CanWrite && !notConfigurable.Contains(p.Name)))
            LeakSettingTable.Find(property.Name).ShouldNotBeNull(property.Name);
    }

    [Fact]
    public void Options_that_no_layer_changed_equal_the_defaults() =>
        LeakConfiguration.Resolve(typeof(object).GetMethod(nameof(ToString))!, typeof(object), _ => null, _root).Options.ShouldBe(LeakOptions.Default);

    [Theory]
    [InlineData("Contoso.Caching.PriceCache", "Contoso.Caching.PriceCache", true)]
    [InlineData("Contoso.Caching.PriceCache", "Contoso.Caching.PriceCacheEntry", false)]
    [InlineData("System.Collections.Generic.List", "System.Collections.Generic.List<Contoso.Order>", true)]
    [InlineData("Contoso.Caching.*", "Contoso.Caching.PriceCache+Entry", true)]
    [InlineData("Contoso.Caching.*", "Contoso.Pricing.Quote", false)]
    [InlineData("Contoso.Order", "Contoso.Order[]", true)]
    public void Ignore_rules_match_type_names(string pattern, string typeName, bool matches) =>
        new LeakIgnoreRule(pattern).MatchesType(typeName).ShouldBe(matches);

    [Theory]
    [InlineData("Contoso.Caching.PriceCache", "static Contoso.Caching.PriceCache._entries", true)]
    [InlineData("Contoso.Caching.*", "static Contoso.Caching.PriceCache._entries (Dictionary<String, Quote>)", true)]
    [InlineData("Contoso.Caching.PriceCache", "static Contoso.Caching.Other._entries", false)]
    [InlineData("Contoso.Caching.*", "strong GC handle", false)]
    public void Ignore_rules_match_static_roots_by_declaring_type(string pattern, string root, bool matches) =>
        new LeakIgnoreRule(pattern).MatchesStaticRoot(root).ShouldBe(matches);

    [Theory]
    [InlineData("")]
    [InlineData("Contoso.*.Cache")]
    [InlineData("Contoso Cache")]
    public void Bad_ignore_patterns_are_refused(string pattern) =>
        Should.Throw<ArgumentException>(() => new LeakIgnoreRule(pattern)).Message.ShouldContain($"but was '{pattern}'");
}
