using LeakGuard.Xunit.V3.Tests.Pipeline;

namespace LeakGuard.Xunit.V3.Tests;

/// <summary>A managed leak fails with a report naming the metric and the growing type; a native leak names native memory; a clean test passes.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class ManagedLeakTests(TestDataRun fixture)
{
    private const string Scenario = "ManagedLeakScenario";

    [Fact]
    public void Managed_leak_fails_with_the_report_naming_the_metric_and_the_growing_type()
    {
        var result = fixture.Run.Single(Scenario, "LeaksKilobytes");

        result.ShouldFailWithLeak("managed heap");
        result.Message!.ShouldContain("Heap summary (ClrMD", Case.Sensitive, result.Message);
        result.Message!.ShouldContain("LeakGuard.Xunit.V3.TestData.ManagedLeakScenario+KilobyteBuffer", Case.Sensitive, result.Message);
        // What the diagnosis did, and how long it took, is in the test's output (live with showLiveOutput).
        result.Output.ShouldContain("LeakGuard: managed heap over budget: ", Case.Sensitive, result.Output);
        result.Output.ShouldContain(
            " MiB); the analysis child, reading them since the first, finishes the histograms and retention paths…",
            Case.Sensitive,
            result.Output
        );
        result.Output.ShouldContain("LeakGuard: heap summary done in ", Case.Sensitive, result.Output);
    }

    [Fact]
    public void The_report_is_named_after_the_test_display_name_and_points_to_its_artifacts()
    {
        var result = fixture.Run.Single(Scenario, "LeaksKilobytes");
        const string displayName = "LeakGuard.Xunit.V3.TestData.ManagedLeakScenario.LeaksKilobytes";

        result.DisplayName.ShouldBe(displayName);
        result.Message!.Split('\n')[0].TrimEnd().ShouldEndWith($" in {displayName}.");
        var folder = System
            .Text.RegularExpressions.Regex.Match(result.Message, @"^Artifacts: (.+) \(report\.json", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Groups[1]
            .Value;
        folder.ShouldEndWith(Path.DirectorySeparatorChar + displayName, Case.Sensitive, result.Message);
        File.Exists(Path.Combine(folder, "summary.md")).ShouldBeTrue(folder);
    }

    [Fact]
    public void Native_leak_fails_naming_native_memory() => fixture.Run.Single(Scenario, "LeaksNativeKilobytes").ShouldFailWithLeak("native memory");

    [Fact]
    public void Clean_test_passes_and_writes_its_report_to_the_test_output() => fixture.Run.Single(Scenario, "GarbageOnly").ShouldPassWithReportInOutput();
}

/// <summary>async Task and async ValueTask bodies are awaited each iteration; async void is rejected.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class AsyncTests(TestDataRun fixture)
{
    private const string Scenario = "AsyncScenario";

    [Fact]
    public void Leaking_async_Task_fails() => fixture.Run.Single(Scenario, "TaskLeak").ShouldFailWithLeak("managed heap");

    [Fact]
    public void Clean_async_Task_passes() => fixture.Run.Single(Scenario, "TaskClean").ShouldPassWithReportInOutput();

    [Fact]
    public void Leaking_async_ValueTask_fails() => fixture.Run.Single(Scenario, "ValueTaskLeak").ShouldFailWithLeak("managed heap");

    [Fact]
    public void Clean_async_ValueTask_passes() => fixture.Run.Single(Scenario, "ValueTaskClean").ShouldPassWithReportInOutput();

    [Fact]
    public void Clean_async_ValueTask_of_int_passes() => fixture.Run.Single(Scenario, "ValueTaskOfIntClean").ShouldPassWithReportInOutput();

    [Fact]
    public void Async_void_fails_with_a_clear_message() =>
        fixture.Run.Single(Scenario, "AsyncVoid").ShouldFailWith("System.InvalidOperationException", "it is async void, so an iteration cannot be awaited");
}

/// <summary>[NoLeakTheory]: each data row is one test, one leak run and one result.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class TheoryTests(TestDataRun fixture)
{
    private const string Scenario = "TheoryScenario";

    [Fact]
    public void Leaking_inline_row_fails() => fixture.Run.Row(Scenario, "InlineRow", "leak: True").ShouldFailWithLeak("managed heap");

    [Fact]
    public void Clean_inline_row_passes() => fixture.Run.Row(Scenario, "InlineRow", "leak: False").ShouldPassWithReportInOutput();

    [Fact]
    public void Leaking_row_enumerated_at_run_time_fails() => fixture.Run.Row(Scenario, "MemberRow", "behaviour: leaking").ShouldFailWithLeak("managed heap");

    [Fact]
    public void Clean_row_enumerated_at_run_time_passes() => fixture.Run.Row(Scenario, "MemberRow", "behaviour: clean").ShouldPassWithReportInOutput();

    [Fact]
    public void A_rows_own_Timeout_limits_its_leak_run()
    {
        fixture
            .Run.Row(Scenario, "RowTimeout", "sleepMilliseconds: 20")
            .ShouldFailWith("System.TimeoutException", "The leak run exceeded its Timeout of 0.3 s");
        var withTimeout = fixture.Run.Row(Scenario, "RowTimeout", "sleepMilliseconds: 1");
        withTimeout.ShouldPassWithReportInOutput();
        withTimeout.Output.ShouldContain("  Timeout = 00:01:00 (data row of RowTimeout)", Case.Sensitive, withTimeout.Output);
        var withoutTimeout = fixture.Run.Row(Scenario, "RowTimeout", "sleepMilliseconds: 0");
        withoutTimeout.ShouldPassWithReportInOutput();
        withoutTimeout.Output.ShouldNotContain("Timeout =", Case.Sensitive, withoutTimeout.Output);
    }

    [Fact]
    public void One_result_per_row() => fixture.Run.Results.Count(r => r.ClassName.EndsWith("." + Scenario, StringComparison.Ordinal)).ShouldBe(7);
}

/// <summary>A body that throws fails the test with its own exception, not with a leak report.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class ThrowingBodyTests(TestDataRun fixture)
{
    private const string Scenario = "ThrowingBodyScenario";

    [Fact]
    public void Synchronous_body_fails_with_the_original_exception() =>
        fixture.Run.Single(Scenario, "ThrowsDuringRun").ShouldFailWith("System.InvalidOperationException", "The body failed on call 8.");

    [Fact]
    public void Asynchronous_body_fails_with_the_original_exception() =>
        fixture.Run.Single(Scenario, "ThrowsAfterAwait").ShouldFailWith("System.FormatException", "The async body failed after an await.");
}

/// <summary>Invalid options fail the test with the engine's message naming the property and the value; Timeout limits the run.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class InvalidOptionsTests(TestDataRun fixture)
{
    private const string Scenario = "InvalidOptionsScenario";
    private const string BodyRan = "the body ran";

    [Fact]
    public void Zero_iterations_fails_naming_Iterations_and_0() =>
        fixture
            .Run.Single(Scenario, "ZeroIterations")
            .ShouldFailWith("System.ArgumentOutOfRangeException", "LeakOptions.Iterations must be at least 1, but was 0.");

    [Fact]
    public void Negative_budget_fails_naming_the_budget_and_its_value() =>
        fixture
            .Run.Single(Scenario, "NegativeManagedBudget")
            .ShouldFailWith("System.ArgumentOutOfRangeException", "LeakOptions.MaxManagedBytesPerIteration must be 0 or more, but was -1.");

    [Fact]
    public void MaxIterations_below_Iterations_fails_naming_MaxIterations() =>
        fixture
            .Run.Single(Scenario, "MaxIterationsBelowIterations")
            .ShouldFailWith("System.ArgumentOutOfRangeException", "LeakOptions.MaxIterations must be at least Iterations (20)");

    [Fact]
    public void Invalid_options_never_run_the_body()
    {
        var results = fixture.Run.Results.Where(r => r.ClassName.EndsWith("." + Scenario, StringComparison.Ordinal)).ToList();
        results.Count.ShouldBe(3);
        results.ShouldAllBe(r => !r.Output.Contains(BodyRan));
    }

    [Fact]
    public void Timeout_in_milliseconds_limits_the_whole_run_of_a_synchronous_test() =>
        fixture.Run.Single("TimeoutScenario", "SlowBody").ShouldFailWith("System.TimeoutException", "The leak run exceeded its Timeout of 0.3 s");

    /// <summary>LeakGuard's TimeoutException, not xUnit's own timeout (Xunit.Sdk.TestTimeoutException), which would abandon the run.</summary>
    [Fact]
    public void Timeout_of_an_asynchronous_test_is_LeakGuards_too() =>
        fixture.Run.Single("TimeoutScenario", "SlowBodyAsync").ShouldFailWith("System.TimeoutException", "The leak run exceeded its Timeout of 0.3 s");
}

/// <summary>Skipped leak tests are reported as skipped and never run: static Skip, SkipWhen, Assert.Skip in the body.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class SkipTests(TestDataRun fixture)
{
    private const string Scenario = "SkipScenario";

    [Fact]
    public void Skip_skips_a_leak_test() => fixture.Run.Single(Scenario, "Skipped").ShouldBeSkipped("skipped on purpose");

    [Fact]
    public void Skip_skips_a_leak_theory_once() => fixture.Run.Single(Scenario, "SkippedTheory").ShouldBeSkipped("skipped theory");

    [Fact]
    public void SkipWhen_skips_a_leak_test() => fixture.Run.Single(Scenario, "SkippedWhen").ShouldBeSkipped("skipped when AlwaysTrue");

    [Fact]
    public void Assert_Skip_in_the_body_skips_the_leak_test() => fixture.Run.Single(Scenario, "SkipsItself").ShouldBeSkipped("skipped from the body");

    [Fact]
    public void A_SkipExceptions_exception_from_the_body_skips_the_leak_test() =>
        fixture.Run.Single(Scenario, "ThrowsASkipException").ShouldBeSkipped("not on this platform");

    /// <summary>A Skip with a false SkipWhen condition does not skip: the Skip text is xUnit's to apply, not a LeakGuard setting.</summary>
    [Fact]
    public void Skip_with_a_false_SkipWhen_condition_runs_the_leak_test() =>
        fixture.Run.Single("ConditionalSkipScenario", "RunsWhenTheConditionIsFalse").ShouldPassWithReportInOutput();

    [Fact]
    public void Skipped_tests_never_run_their_body() =>
        fixture.Run.Results.Where(r => r.ClassName.EndsWith("." + Scenario, StringComparison.Ordinal)).ShouldAllBe(r => r.Output.Length == 0);
}

/// <summary>Every iteration runs on the one test class instance; constructor and Dispose run once.</summary>
[Collection(TestDataRunCollection.Name)]
public sealed class SameInstanceTests(TestDataRun fixture)
{
    [Fact]
    public void All_iterations_run_on_one_instance()
    {
        var result = fixture.Run.Single("SameInstanceScenario", "CountCalls");

        result.ShouldPassWithReportInOutput();
        // Warmup 3 + measured 20 calls, counted on the instance and written by its Dispose.
        result.Output.ShouldContain("constructed 1 time(s); 23 call(s) on this instance", Case.Sensitive, result.Output);
    }
}
