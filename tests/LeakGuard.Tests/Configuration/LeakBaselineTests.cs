using System.Text;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Configuration;

/// <summary>The baseline file: parsing, canonical output, every malformed input's message, the budget rule and the cache.</summary>
public sealed class LeakBaselineTests : IDisposable
{
    private const string Lookup = "Contoso.Tests.OrderTests.Lookup_does_not_leak";

    /// <summary>The canonical text of a file with two tests; <see cref="LeakBaseline.ToJson"/> must write exactly this.</summary>
    private const string Canonical = """
        {
          "schemaVersion": 1,
          "tests": {
            "Contoso.Tests.OrderTests.Lookup_does_not_leak": {
              "managedHeap": 0,
              "nativeHeap": 84.2,
              "handles": 0,
              "threads": 0
            },
            "Contoso.Tests.PriceTests.Quote(currency: \"EUR\")": {
              "managedHeap": 496,
              "handles": 0.021
            }
          }
        }

        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"leakguard-baseline-tests-{Guid.NewGuid():N}");

    public LeakBaselineTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Load_reads_slopes_per_test_and_metric()
    {
        var baseline = LeakBaseline.Load(Write(Canonical));

        baseline.Tests.Count.ShouldBe(2);
        baseline.TryGetSlope(Lookup, LeakMetric.NativeHeap, out var native).ShouldBeTrue();
        native.ShouldBe(84.2);
        baseline.TryGetSlope(Lookup, LeakMetric.ManagedHeap, out var managed).ShouldBeTrue();
        managed.ShouldBe(0);
        baseline.TryGetSlope("Contoso.Tests.PriceTests.Quote(currency: \"EUR\")", LeakMetric.Handles, out var handles).ShouldBeTrue();
        handles.ShouldBe(0.021);
    }

    [Fact]
    public void A_metric_or_test_not_recorded_is_absent()
    {
        var baseline = LeakBaseline.Load(Write(Canonical));

        baseline.TryGetSlope("Contoso.Tests.PriceTests.Quote(currency: \"EUR\")", LeakMetric.NativeHeap, out var slope).ShouldBeFalse();
        slope.ShouldBe(0);
        baseline.TryGetSlope("Contoso.Tests.Unknown", LeakMetric.ManagedHeap, out _).ShouldBeFalse();
        // Test names are compared ordinally: case matters.
        baseline.TryGetSlope(Lookup.ToUpperInvariant(), LeakMetric.ManagedHeap, out _).ShouldBeFalse();
        LeakBaseline.Empty.Tests.ShouldBeEmpty();
        LeakBaseline.Empty.TryGetSlope(Lookup, LeakMetric.ManagedHeap, out _).ShouldBeFalse();
    }

    [Fact]
    public void ToJson_of_a_loaded_canonical_file_is_the_same_bytes()
    {
        var path = Write(Canonical);

        var json = LeakBaseline.Load(path).ToJson();

        json.ShouldBe(Canonical.ReplaceLineEndings("\n"));
        Encoding.UTF8.GetBytes(json).ShouldBe(File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_then_Load_round_trips_and_leaves_no_temporary_file()
    {
        var baseline = LeakBaseline
            .Empty.WithTest(Lookup, Slopes((LeakMetric.ManagedHeap, 24.0), (LeakMetric.NativeHeap, 4112.0), (LeakMetric.Threads, 1.0)))
            .WithTest("Other", Slopes((LeakMetric.Handles, 0.5)));
        var path = Path.Combine(_directory, "sub", LeakBaseline.DefaultFileName);

        baseline.Save(path);
        baseline.WithoutTest("Other").Save(path); // overwrites

        var loaded = LeakBaseline.Load(path);
        loaded.Tests.Keys.ShouldBe(new[] { Lookup });
        loaded.Tests[Lookup].ShouldBe(baseline.Tests[Lookup]);
        loaded.ToJson().ShouldBe(baseline.WithoutTest("Other").ToJson());
        File.ReadAllBytes(path)[0].ShouldBe((byte)'{', "no byte order mark");
        Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).ShouldBe(new[] { LeakBaseline.DefaultFileName });
    }

    [Fact]
    public void Save_that_cannot_rename_throws_and_removes_its_temporary_file()
    {
        // A folder where the file should be: writing the temporary file works, renaming over the folder does not.
        var path = Path.Combine(_directory, "taken");
        Directory.CreateDirectory(path);

        var error = Should.Throw<Exception>(() => LeakBaseline.Empty.Save(path));

        error.ShouldBeAssignableTo<IOException>();
        Directory.GetFiles(_directory).ShouldBeEmpty();
    }

    [Fact]
    public void Output_is_sorted_ordinally_and_independent_of_insertion_order()
    {
        (string Name, LeakMetric Metric, double Slope)[] entries =
        [
            ("b.Tests.Second", LeakMetric.Threads, 1),
            ("B.Tests.First", LeakMetric.NativeHeap, 300),
            ("b.Tests.Second", LeakMetric.ManagedHeap, 48),
            ("a.Tests.Ünïcode", LeakMetric.Handles, 2),
            ("_underscore", LeakMetric.ManagedHeap, 0),
        ];
        string Build(IEnumerable<(string Name, LeakMetric Metric, double Slope)> order) =>
            order.GroupBy(e => e.Name).Aggregate(LeakBaseline.Empty, (b, g) => b.WithTest(g.Key, g.ToDictionary(e => e.Metric, e => e.Slope))).ToJson();

        var forward = Build(entries);
        var backward = Build(entries.Reverse());

        backward.ShouldBe(forward);
        // Ordinal: 'B' (0x42) < '_' (0x5F) < 'a' (0x61) < 'b' (0x62); metrics in LeakMetric order.
        forward.ShouldBe(
            """
            {
              "schemaVersion": 1,
              "tests": {
                "B.Tests.First": {
                  "nativeHeap": 300
                },
                "_underscore": {
                  "managedHeap": 0
                },
                "a.Tests.Ünïcode": {
                  "handles": 2
                },
                "b.Tests.Second": {
                  "managedHeap": 48,
                  "threads": 1
                }
              }
            }

            """.ReplaceLineEndings("\n")
        );
    }

    [Theory]
    [InlineData(LeakMetric.NativeHeap, 4112.0, 4110.0)]
    [InlineData(LeakMetric.NativeHeap, 84.23, 84.2)]
    [InlineData(LeakMetric.ManagedHeap, 24.0, 24.0)]
    [InlineData(LeakMetric.ManagedHeap, 123456.0, 123000.0)]
    [InlineData(LeakMetric.ManagedHeap, 0.04, 0.0)]
    [InlineData(LeakMetric.ManagedHeap, 0.06, 0.1)]
    [InlineData(LeakMetric.ManagedHeap, -37.5, 0.0)]
    [InlineData(LeakMetric.Handles, 0.0213, 0.021)]
    [InlineData(LeakMetric.Handles, 1.0, 1.0)]
    [InlineData(LeakMetric.Threads, 0.0004, 0.0)]
    [InlineData(LeakMetric.Threads, 2.346, 2.35)]
    public void WithTest_clamps_at_zero_and_rounds(LeakMetric metric, double measured, double recorded)
    {
        var baseline = LeakBaseline.Empty.WithTest(Lookup, Slopes((metric, measured)));

        baseline.TryGetSlope(Lookup, metric, out var slope).ShouldBeTrue();
        slope.ShouldBe(recorded);
    }

    [Fact]
    public void WithTest_rejects_bad_arguments_and_leaves_the_baseline_unchanged()
    {
        var nan = Should.Throw<ArgumentOutOfRangeException>(() => LeakBaseline.Empty.WithTest(Lookup, Slopes((LeakMetric.NativeHeap, double.NaN))));
        nan.Message.ShouldContain($"The nativeHeap slope of test '{Lookup}' must be a finite number, but was NaN.");
        Should.Throw<ArgumentOutOfRangeException>(() => LeakBaseline.Empty.WithTest(Lookup, Slopes(((LeakMetric)42, 1.0))));
        Should.Throw<ArgumentException>(() => LeakBaseline.Empty.WithTest(" ", Slopes()));
        var baseline = LeakBaseline.Empty.WithTest(Lookup, Slopes());
        baseline.Tests[Lookup].ShouldBeEmpty();
        LeakBaseline.Empty.Tests.ShouldBeEmpty();
        baseline.WithoutTest("not recorded").ShouldBeSameAs(baseline);
    }

    public static TheoryData<string, string, int, string?, string> MalformedFiles =>
        new()
        {
            // content, case, line, key, message after "<file>(<line>): "
            { "", "empty", 1, null, "the file is empty; a baseline file is a JSON object with the keys schemaVersion and tests." },
            { "  \n\t\n", "white space", 1, null, "the file is empty; a baseline file is a JSON object with the keys schemaVersion and tests." },
            { "[1, 2]", "array", 1, null, "a baseline file is a JSON object with the keys schemaVersion and tests, but this one is an array." },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": { \"managedHeap\": 0, }\n  }\n}",
                "trailing comma",
                4,
                null,
                "not valid JSON: The JSON object contains a trailing comma"
            },
            { "{\n  \"schemaVersion\": 1,\n  \"tests\": {}\n}\n{}", "two documents", 5, null, "not valid JSON: " },
            { "{\n  // recorded\n  \"schemaVersion\": 1,\n  \"tests\": {}\n}", "comment", 2, null, "not valid JSON: " },
            { "{\n  \"schemaVersion\": 1,\n  \"test\": {}\n}", "unknown top key", 3, "test", "unknown key 'test'. Known keys: schemaVersion, tests." },
            {
                "{\n  \"SchemaVersion\": 1,\n  \"tests\": {}\n}",
                "top key in the wrong case",
                2,
                "SchemaVersion",
                "unknown key 'SchemaVersion' (did you mean 'schemaVersion'?). Known keys: schemaVersion, tests."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"managedHeap\": 0,\n      \"nativeheap\": 12\n    }\n  }\n}",
                "unknown metric",
                6,
                "nativeheap",
                "unknown key 'nativeheap' in test 'A' (did you mean 'nativeHeap'?). Known keys: managedHeap, nativeHeap, handles, threads."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"gcHandles\": 1\n    }\n  }\n}",
                "unknown metric, no suggestion",
                5,
                "gcHandles",
                "unknown key 'gcHandles' in test 'A'. Known keys: managedHeap, nativeHeap, handles, threads."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"nativeHeap\": -3\n    }\n  }\n}",
                "negative",
                5,
                "nativeHeap",
                "'nativeHeap' of test 'A' must be 0 or more (slopes are recorded clamped at 0), but was -3."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"nativeHeap\": \"84\"\n    }\n  }\n}",
                "string",
                5,
                "nativeHeap",
                "'nativeHeap' of test 'A' must be a number of bytes per iteration, 0 or more, but was \"84\"."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"handles\": null\n    }\n  }\n}",
                "null",
                5,
                "handles",
                "'handles' of test 'A' must be a number of handles per iteration, 0 or more, but was null."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"threads\": 1e400\n    }\n  }\n}",
                "overflow",
                5,
                "threads",
                "'threads' of test 'A' must be a number of threads per iteration, 0 or more, but was 1e400."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {\n      \"threads\":\n        [1]\n    }\n  }\n}",
                "value on the next line",
                6,
                "threads",
                "'threads' of test 'A' must be a number of threads per iteration, 0 or more, but was an array."
            },
            {
                "{\n  \"schemaVersion\": 2,\n  \"tests\": {}\n}",
                "newer schema",
                2,
                "schemaVersion",
                "schemaVersion 2 is not supported: this version of LeakGuard reads baseline files of schema version 1."
            },
            {
                "{\n  \"schemaVersion\": \"1\",\n  \"tests\": {}\n}",
                "schema as a string",
                2,
                "schemaVersion",
                "'schemaVersion' must be the number 1, but was \"1\"."
            },
            {
                "{\n  \"schemaVersion\": 1.5,\n  \"tests\": {}\n}",
                "schema not an integer",
                2,
                "schemaVersion",
                "'schemaVersion' must be the number 1, but was 1.5."
            },
            { "{\n  \"tests\": {}\n}", "no schema", 1, "schemaVersion", "missing key 'schemaVersion': a baseline file starts with \"schemaVersion\": 1." },
            { "{\n  \"schemaVersion\": 1\n}", "no tests", 1, "tests", "missing key 'tests': the recorded tests, e.g. \"tests\": {} when there are none." },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": [\"A\"]\n}",
                "tests as an array",
                3,
                "tests",
                "'tests' must be an object with one key per test, but was an array."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": 84.2\n  }\n}",
                "test as a number",
                4,
                "A",
                "test 'A' must be an object of slopes per iteration, e.g. {\"managedHeap\": 0, \"nativeHeap\": 84.2}, but was 84.2."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": {},\n    \"B\": {},\n    \"A\": {}\n  }\n}",
                "test twice",
                6,
                "A",
                "test 'A' appears twice (also on line 4)."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"A\": { \"handles\": 0,\n      \"handles\": 1 }\n  }\n}",
                "metric twice",
                5,
                "handles",
                "'handles' appears twice in test 'A' (also on line 4)."
            },
            { "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"\": {}\n  }\n}", "empty test name", 4, "", "a test name must not be empty or white space." },
            {
                "{\n  \"schemaVersion\": 1,\n  \"schemaVersion\": 1,\n  \"tests\": {}\n}",
                "schema twice",
                3,
                "schemaVersion",
                "'schemaVersion' appears twice (also on line 2)."
            },
            {
                "{\n  \"schemaVersion\": 1,\n  \"tests\": {},\n  \"tests\": { \"A\": {} }\n}",
                "tests twice",
                4,
                "tests",
                "'tests' appears twice (also on line 3)."
            },
        };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_file_names_the_file_line_and_key(string content, string @case, int line, string? key, string message)
    {
        var path = Write(content, $"{@case.Replace(' ', '-')}.json");

        var error = Should.Throw<LeakConfigurationException>(() => LeakBaseline.Load(path), @case);

        error.FilePath.ShouldBe(path, @case);
        error.Line.ShouldBe(line, @case);
        error.Key.ShouldBe(key, @case);
        error.Message.ShouldStartWith($"{path}({line}): {message}", Case.Sensitive, @case);
        error.Message.ShouldNotContain("LineNumber:", Case.Sensitive, "the reader's 0-based position is replaced by the 1-based line");
        if (message.StartsWith("not valid JSON", StringComparison.Ordinal))
            error.InnerException.ShouldBeAssignableTo<System.Text.Json.JsonException>(@case);
    }

    [Fact]
    public void A_run_whose_baseline_records_a_metric_twice_fails_naming_the_file_line_and_key()
    {
        // Taking one of the two (the last, as JsonDocument would) could loosen the budget silently.
        var path = Write(
            "{\n  \"schemaVersion\": 1,\n  \"tests\": {\n    \"Baseline.Twice\": { \"nativeHeap\": 0,\n      \"nativeHeap\": 100000 }\n  }\n}",
            "twice.json"
        );
        var calls = 0;
        var options = new LeakOptions
        {
            TestName = "Baseline.Twice",
            BaselineFile = path,
            Iterations = 8,
            MaxIterations = 8,
            CaptureHeapSummary = false,
            Artifacts = ArtifactPolicy.Never,
        };

        var error = Should.Throw<LeakConfigurationException>(() => LeakTest.Run(() => calls++, options));

        error.Message.ShouldBe($"{path}(5): 'nativeHeap' appears twice in test 'Baseline.Twice' (also on line 4).");
        (error.FilePath, error.Line, error.Key).ShouldBe((path, 5, "nativeHeap"));
        calls.ShouldBe(0); // the budgets are settled before the first iteration
    }

    [Fact]
    public void A_missing_file_is_an_error_not_an_empty_baseline()
    {
        var path = Path.Combine(_directory, "missing", LeakBaseline.DefaultFileName);

        var error = Should.Throw<LeakConfigurationException>(() => LeakBaseline.Load(path));

        error.Message.ShouldBe($"{path}: cannot read the baseline file: no such file.");
        error.FilePath.ShouldBe(path);
        error.Line.ShouldBeNull();
        error.InnerException.ShouldBeAssignableTo<IOException>();
        Should.Throw<LeakConfigurationException>(() => LeakBaseline.LoadCached(path)).FilePath.ShouldBe(path);
    }

    [Fact]
    public void A_byte_order_mark_is_accepted()
    {
        var path = Path.Combine(_directory, "bom.json");
        File.WriteAllText(path, Canonical, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        LeakBaseline.Load(path).ToJson().ShouldBe(Canonical.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Relative_paths_are_reported_as_full_paths()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Write("{\"schemaVersion\": 3, \"tests\": {}}", "relative.json"));

        var error = Should.Throw<LeakConfigurationException>(() => LeakBaseline.Load(relative));

        error.FilePath.ShouldBe(Path.GetFullPath(relative));
        error.Message.ShouldStartWith($"{Path.GetFullPath(relative)}(1): schemaVersion 3 is not supported");
    }

    [Fact]
    public void Exception_carries_what_it_was_given()
    {
        var inner = new IOException("disk");
        var error = new LeakConfigurationException("f.json(3): unknown key 'iteratons'.", "f.json", 3, "iteratons", inner);

        error.Message.ShouldBe("f.json(3): unknown key 'iteratons'.");
        (error.FilePath, error.Line, error.Key).ShouldBe(("f.json", (int?)3, "iteratons"));
        error.InnerException.ShouldBeSameAs(inner);
        var bare = new LeakConfigurationException("LEAKGUARD_BASELINE must not be empty.");
        bare.FilePath.ShouldBeNull();
        bare.Line.ShouldBeNull();
        bare.Key.ShouldBeNull();
        bare.InnerException.ShouldBeNull();
    }

    public static TheoryData<string, LeakMetric, double, double, double, double> BudgetRule =>
        new()
        {
            // case, metric, absolute budget, recorded slope b, tolerance, effective budget
            { "tighten: native 84.2 under 512, floor dominates", LeakMetric.NativeHeap, 512, 84.2, 0.25, 340.2 },
            { "tighten: native 0, floor only", LeakMetric.NativeHeap, 512, 0, 0.25, 256 },
            { "tighten: tolerance dominates the floor", LeakMetric.ManagedHeap, 10_000, 1000, 0.25, 1250 },
            { "tighten: floor over a small slope", LeakMetric.ManagedHeap, 1024, 0, 0.25, 64 },
            { "no loosening: b + allowance over the budget", LeakMetric.NativeHeap, 512, 400, 0.25, 512 },
            { "no loosening: b equal to the budget", LeakMetric.ManagedHeap, 100, 100, 0.25, 100 },
            { "no loosening: budget 0, b 0", LeakMetric.ManagedHeap, 0, 0, 0.25, 0 },
            { "no loosening: handles budget 0, b 0", LeakMetric.Handles, 0, 0, 0.25, 0 },
            { "accept: managed leak of 496 B", LeakMetric.ManagedHeap, 0, 496, 0.25, 620 },
            { "accept: native leak of 4110 B", LeakMetric.NativeHeap, 512, 4110, 0.25, 5137.5 },
            { "accept: one handle per iteration", LeakMetric.Handles, 0, 1, 0.25, 1.25 },
            { "accept: floor over a small leak", LeakMetric.Handles, 0, 0.2, 0.25, 0.3 },
            { "accept: small managed leak, floor", LeakMetric.ManagedHeap, 0, 24, 0.25, 88 },
            { "accept: threads", LeakMetric.Threads, 0, 2, 0.25, 2.5 },
            { "tolerance 0: floor only", LeakMetric.NativeHeap, 512, 1000, 0, 1256 },
            { "tolerance 10", LeakMetric.ManagedHeap, 0, 100, 10, 1100 },
            { "no absolute budget", LeakMetric.NativeHeap, double.PositiveInfinity, 84.2, 0.25, 340.2 },
        };

    [Theory]
    [MemberData(nameof(BudgetRule))]
    public void Budget_rule(string @case, LeakMetric metric, double absolute, double recorded, double tolerance, double expected) =>
        LeakBaseline.GetBudget(absolute, recorded, tolerance, metric).ShouldBe(expected, 1e-9, @case);

    [Theory]
    [InlineData(512, 84.2, -0.1, "tolerance", "tolerance must be between 0 and 10, but was -0.1.")]
    [InlineData(512, 84.2, 10.5, "tolerance", "tolerance must be between 0 and 10, but was 10.5.")]
    [InlineData(512, 84.2, double.NaN, "tolerance", "tolerance must be between 0 and 10, but was NaN.")]
    [InlineData(512, -1, 0.25, "baselineSlope", "baselineSlope must be a number, 0 or more, but was -1.")]
    [InlineData(512, double.PositiveInfinity, 0.25, "baselineSlope", "baselineSlope must be a number, 0 or more, but was Infinity.")]
    [InlineData(double.NaN, 0, 0.25, "absoluteBudget", "absoluteBudget must be 0 or more, but was NaN.")]
    [InlineData(-5, 0, 0.25, "absoluteBudget", "absoluteBudget must be 0 or more, but was -5.")]
    public void Budget_rule_rejects_bad_numbers(double absolute, double recorded, double tolerance, string parameter, string message)
    {
        var error = Should.Throw<ArgumentOutOfRangeException>(() => LeakBaseline.GetBudget(absolute, recorded, tolerance, LeakMetric.NativeHeap));

        error.ParamName.ShouldBe(parameter);
        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void Floors_are_the_documented_constants()
    {
        Enum.GetValues<LeakMetric>().Select(LeakBaseline.GetFloor).ShouldBe(new[] { 64, 256, 0.1, 0.1 });
        Should.Throw<ArgumentOutOfRangeException>(() => LeakBaseline.GetFloor((LeakMetric)42));
    }

    [Fact]
    public void LoadCached_returns_the_same_baseline_until_the_file_changes()
    {
        var path = Write(Json(("A", 10)));
        var first = LeakBaseline.LoadCached(path);

        LeakBaseline.LoadCached(path).ShouldBeSameAs(first);

        // Same length, later write time.
        var stamp = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, Json(("A", 20)));
        File.SetLastWriteTimeUtc(path, stamp.AddMinutes(1));
        var second = LeakBaseline.LoadCached(path);
        second.ShouldNotBeSameAs(first);
        Slope(second, "A").ShouldBe(20);
        LeakBaseline.LoadCached(path).ShouldBeSameAs(second);

        // Same write time, other length.
        File.WriteAllText(path, Json(("A", 300)));
        File.SetLastWriteTimeUtc(path, stamp.AddMinutes(1));
        Slope(LeakBaseline.LoadCached(path), "A").ShouldBe(300);
    }

    [Fact]
    public void LoadCached_does_not_cache_a_failure_and_is_thread_safe()
    {
        var path = Write("{ \"schemaVersion\": 1, ");
        Should.Throw<LeakConfigurationException>(() => LeakBaseline.LoadCached(path));
        File.WriteAllText(path, Json(("A", 7)));

        var loaded = new LeakBaseline[16];
        Parallel.For(0, loaded.Length, i => loaded[i] = LeakBaseline.LoadCached(path));

        loaded.ShouldAllBe(b => Slope(b, "A") == 7);
        LeakBaseline.LoadCached(Path.GetRelativePath(Environment.CurrentDirectory, path)).ShouldBeSameAs(LeakBaseline.LoadCached(path));
    }

    private static Dictionary<LeakMetric, double> Slopes(params (LeakMetric Metric, double Slope)[] slopes) => slopes.ToDictionary(s => s.Metric, s => s.Slope);

    private static double Slope(LeakBaseline baseline, string test) =>
        baseline.TryGetSlope(test, LeakMetric.ManagedHeap, out var slope) ? slope : throw new InvalidOperationException($"{test} not recorded");

    private static string Json(params (string Test, double ManagedHeap)[] tests) =>
        tests.Aggregate(LeakBaseline.Empty, (b, t) => b.WithTest(t.Test, Slopes((LeakMetric.ManagedHeap, t.ManagedHeap)))).ToJson();

    private string Write(string content, string name = "baseline.json")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"), new UTF8Encoding(false));
        return path;
    }
}
