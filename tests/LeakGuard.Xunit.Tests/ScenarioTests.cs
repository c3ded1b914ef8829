using LeakGuard.Xunit.TestData;
using LeakGuard.Xunit.Tests.Pipeline;

namespace LeakGuard.Xunit.Tests;

/// <summary>(b) A body that throws fails the test with its own exception, not with a leak report.</summary>
public sealed class ThrowingBodyTests(ThrowingBodyTests.Run fixture) : IClassFixture<ThrowingBodyTests.Run>
{
    public sealed class Run : ScenarioFixture
    {
        private protected override Task<InProcessRun> RunAsync() => XunitPipeline.RunAsync(typeof(ThrowingBodyScenario));
    }

    [Fact]
    public void Synchronous_body_fails_with_the_original_exception() =>
        fixture.Run.Single(nameof(ThrowingBodyScenario.ThrowsDuringRun)).ShouldFailWith(typeof(InvalidOperationException), "The body failed on call 8.");

    [Fact]
    public void Asynchronous_body_fails_with_the_original_exception() =>
        fixture.Run.Single(nameof(ThrowingBodyScenario.ThrowsAfterAwait)).ShouldFailWith(typeof(FormatException), "The async body failed after an await.");

    [Fact]
    public void One_result_per_test() => fixture.Run.ShouldHaveOneResultPerTest(2);
}

/// <summary>(c) Invalid options fail the test with the engine's message naming the property and the value; Timeout limits the run.</summary>
public sealed class InvalidOptionsTests(InvalidOptionsTests.Run fixture) : IClassFixture<InvalidOptionsTests.Run>
{
    public sealed class Run : ScenarioFixture
    {
        private protected override Task<InProcessRun> RunAsync() => XunitPipeline.RunAsync(typeof(InvalidOptionsScenario), typeof(TimeoutScenario));
    }

    [Fact]
    public void Zero_iterations_fails_naming_Iterations_and_0() =>
        fixture
            .Run.Single(nameof(InvalidOptionsScenario.ZeroIterations))
            .ShouldFailWith(typeof(ArgumentOutOfRangeException), "LeakOptions.Iterations must be at least 1, but was 0.");

    [Fact]
    public void Negative_budget_fails_naming_the_budget_and_its_value() =>
        fixture
            .Run.Single(nameof(InvalidOptionsScenario.NegativeManagedBudget))
            .ShouldFailWith(typeof(ArgumentOutOfRangeException), "LeakOptions.MaxManagedBytesPerIteration must be 0 or more, but was -1.");

    [Fact]
    public void MaxIterations_below_Iterations_fails_naming_MaxIterations() =>
        fixture
            .Run.Single(nameof(InvalidOptionsScenario.MaxIterationsBelowIterations))
            .ShouldFailWith(typeof(ArgumentOutOfRangeException), "LeakOptions.MaxIterations must be at least Iterations (20)");

    [Fact]
    public void Invalid_options_never_run_the_body() => InvalidOptionsScenario.BodyCalls.ShouldBe(0);

    [Fact]
    public void Timeout_in_milliseconds_limits_the_whole_run_of_a_synchronous_test() =>
        fixture.Run.Single(nameof(TimeoutScenario.SlowBody)).ShouldFailWith(typeof(TimeoutException), "exceeded its Timeout of 0.3 s");

    [Fact]
    public void One_result_per_test() => fixture.Run.ShouldHaveOneResultPerTest(4);
}

/// <summary>(d) async Task and async ValueTask bodies are awaited each iteration; async void is rejected.</summary>
public sealed class AsyncTests(AsyncTests.Run fixture) : IClassFixture<AsyncTests.Run>
{
    public sealed class Run : ScenarioFixture
    {
        private protected override Task<InProcessRun> RunAsync() => XunitPipeline.RunAsync(typeof(AsyncScenario));
    }

    [Fact]
    public void Leaking_async_Task_fails() => fixture.Run.Single(nameof(AsyncScenario.TaskLeak)).ShouldFailWithLeak(LeakMetric.ManagedHeap);

    [Fact]
    public void Clean_async_Task_passes() => fixture.Run.Single(nameof(AsyncScenario.TaskClean)).ShouldPass();

    [Fact]
    public void Leaking_async_ValueTask_fails() => fixture.Run.Single(nameof(AsyncScenario.ValueTaskLeak)).ShouldFailWithLeak(LeakMetric.ManagedHeap);

    [Fact]
    public void Clean_async_ValueTask_passes() => fixture.Run.Single(nameof(AsyncScenario.ValueTaskClean)).ShouldPass();

    [Fact]
    public void Clean_async_ValueTask_of_int_passes() => fixture.Run.Single(nameof(AsyncScenario.ValueTaskOfIntClean)).ShouldPass();

    [Fact]
    public void Async_void_fails_with_a_clear_message() =>
        fixture.Run.Single(nameof(AsyncScenario.AsyncVoid)).ShouldFailWith(typeof(InvalidOperationException), "it is async void");

    [Fact]
    public void One_result_per_test() => fixture.Run.ShouldHaveOneResultPerTest(6);
}

/// <summary>(e) [NoLeakTheory]: each data row is one test, one leak run and one result.</summary>
public sealed class TheoryTests(TheoryTests.Run fixture) : IClassFixture<TheoryTests.Run>
{
    public sealed class Run : ScenarioFixture
    {
        private protected override Task<InProcessRun> RunAsync() => XunitPipeline.RunAsync(typeof(TheoryScenario));
    }

    [Fact]
    public void Leaking_inline_row_fails() => Row(nameof(TheoryScenario.InlineRow), "leak: True").ShouldFailWithLeak(LeakMetric.ManagedHeap);

    [Fact]
    public void Clean_inline_row_passes() => Row(nameof(TheoryScenario.InlineRow), "leak: False").ShouldPass();

    [Fact]
    public void Leaking_row_enumerated_at_run_time_fails() =>
        Row(nameof(TheoryScenario.MemberRow), "behaviour: leaking").ShouldFailWithLeak(LeakMetric.ManagedHeap);

    [Fact]
    public void Clean_row_enumerated_at_run_time_passes() => Row(nameof(TheoryScenario.MemberRow), "behaviour: clean").ShouldPass();

    [Fact]
    public void Serializable_rows_are_test_cases_and_other_rows_are_enumerated_when_run()
    {
        var testCases = fixture.Run.TestCases;
        testCases.Count(t => t is Sdk.LeakTestCase && t.TestMethod.Method.Name == nameof(TheoryScenario.InlineRow)).ShouldBe(2);
        testCases.Count(t => t is Sdk.LeakTheoryTestCase && t.TestMethod.Method.Name == nameof(TheoryScenario.MemberRow)).ShouldBe(1);
    }

    [Fact]
    public void One_result_per_row()
    {
        fixture.Run.Errors.ShouldBeEmpty();
        fixture.Run.Results.Count.ShouldBe(4, fixture.Run.ToString());
        fixture.Run.Results.Select(r => r.DisplayName).ShouldBeUnique();
    }

    private TestResult Row(string method, string arguments)
    {
        var rows = fixture.Run.For(method).Where(r => r.DisplayName.EndsWith($"({arguments})", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(1, fixture.Run.ToString());
        return rows[0];
    }
}

/// <summary>(f) Every iteration runs on the one test class instance; constructor and Dispose run once.</summary>
public sealed class SameInstanceTests
{
    [Fact]
    public async Task All_iterations_run_on_one_instance()
    {
        SameInstanceScenario.ResetCounters();

        var run = await XunitPipeline.RunAsync(typeof(SameInstanceScenario));

        run.ShouldHaveOneResultPerTest(1);
        run.Single(nameof(SameInstanceScenario.CountCalls)).ShouldPass();
        SameInstanceScenario.Constructed.ShouldBe(1);
        SameInstanceScenario.CallsSeenByDispose.ShouldBe(SameInstanceScenario.Warmup + SameInstanceScenario.Measured);
    }
}

/// <summary>(h) A managed leak's report carries a heap summary naming the leaking type.</summary>
public sealed class HeapSummaryTests
{
    [Fact]
    public async Task Report_names_the_leaking_type()
    {
        var run = await XunitPipeline.RunAsync(typeof(HeapSummaryScenario));

        run.ShouldHaveOneResultPerTest(1);
        var result = run.Single(nameof(HeapSummaryScenario.LeaksWidgets));
        result.ShouldFailWithLeak(LeakMetric.ManagedHeap);
        result.Message!.ShouldContain("Heap summary (ClrMD", Case.Sensitive, result.Message);
        result.Message!.ShouldContain("HeapSummaryScenario+RetainedWidget", Case.Sensitive, result.Message);
        // What the diagnosis did, and how long it took, is in the test's output (live with showLiveOutput).
        result.Output.ShouldContain("LeakGuard: managed heap over budget: ", Case.Sensitive, result.Output);
        result.Output.ShouldContain("; taking 3 heap snapshots 15 iterations apart…", Case.Sensitive, result.Output);
        result.Output.ShouldContain(
            " MiB); the analysis child, reading them since the first, finishes the histograms and retention paths…",
            Case.Sensitive,
            result.Output
        );
        result.Output.ShouldContain("LeakGuard: heap summary done in ", Case.Sensitive, result.Output);
    }
}

/// <summary>Skipped leak tests are reported as skipped and never run.</summary>
public sealed class SkipTests
{
    [Fact]
    public async Task Skipped_tests_are_skipped_without_running()
    {
        var run = await XunitPipeline.RunAsync(typeof(SkipScenario));

        run.ShouldHaveOneResultPerTest(2);
        run.Results.ShouldAllBe(r => r.Outcome == Outcome.Skipped);
        run.Single(nameof(SkipScenario.Skipped)).Message.ShouldBe("skipped on purpose");
        SkipScenario.BodyCalls.ShouldBe(0);
    }
}
