using LeakGuard.NUnit.TestData;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using Shouldly;

namespace LeakGuard.NUnit.Tests;

/// <summary>How [NoLeak] fits into NUnit: exceptions, assertion results, invalid options, rows, lifecycle, timeout.</summary>
public class BehaviourTests
{
    [Test]
    public void A_throwing_body_fails_the_test_with_that_exception()
    {
        var run = NUnitPipeline.Run(typeof(ThrowingFixture));

        run.TestCases.Count.ShouldBe(4);
        run[nameof(ThrowingFixture.ThrowsAtOnce)].ShouldHaveFailed(ResultState.Error).ShouldBe("System.InvalidOperationException : Thrown by the test body.");
        run[nameof(ThrowingFixture.ThrowsAfterAwait)].ShouldHaveFailed(ResultState.Error).ShouldBe("System.ArgumentException : Thrown after an await.");
        run[nameof(ThrowingFixture.FailsAnAssertion)].ShouldHaveFailed(ResultState.Failure).ShouldContain("arithmetic");
        var third = run[nameof(ThrowingFixture.ThrowsInThirdCall)];
        third.ShouldHaveFailed(ResultState.Error).ShouldBe("System.FormatException : Thrown in the third call.");
        third.StackTrace.ShouldNotBeNull().ShouldContain(nameof(ThrowingFixture.ThrowsInThirdCall));
        ThrowingFixture.ThirdCallCalls.ShouldBe(3, "the run stops at the exception");
    }

    [Test]
    public void A_result_recorded_without_throwing_stops_the_run_after_that_call()
    {
        var run = NUnitPipeline.Run(typeof(WarningOnlyFixture));

        run[nameof(WarningOnlyFixture.RecordsAWarning)].ShouldHaveFailed(ResultState.Warning).ShouldContain("A warning from the body.");
        WarningOnlyFixture.Calls.ShouldBe(1);
    }

    [Test]
    public void Invalid_options_fail_the_test_naming_the_property_and_the_value()
    {
        InvalidOptionsFixture.Calls = 0;
        var run = NUnitPipeline.Run(typeof(InvalidOptionsFixture));

        run[nameof(InvalidOptionsFixture.ZeroIterations)]
            .ShouldHaveFailed(ResultState.NotRunnable)
            .ShouldContain("LeakOptions.Iterations must be at least 1, but was 0.");
        run[nameof(InvalidOptionsFixture.NegativeNativeBudget)]
            .ShouldHaveFailed(ResultState.NotRunnable)
            .ShouldContain("LeakOptions.MaxNativeBytesPerIteration must be 0 or more, but was -1.");
        run[nameof(InvalidOptionsFixture.MaxIterationsBelowIterations)]
            .ShouldHaveFailed(ResultState.NotRunnable)
            .ShouldContain("LeakOptions.MaxIterations must be at least Iterations (20)");
        foreach (var row in new[] { "RowsWithInvalidConfidence(1)", "RowsWithInvalidConfidence(2)" })
            run[row].ShouldHaveFailed(ResultState.NotRunnable).ShouldContain("LeakOptions.ConfidenceLevel must be between 0.5 and 0.999, but was 2.");
        run.TestCases.Count.ShouldBe(5);
        InvalidOptionsFixture.Calls.ShouldBe(0);
    }

    [Test]
    public void Each_test_case_row_is_its_own_leak_run_with_its_own_result()
    {
        var run = NUnitPipeline.Run(typeof(TestCaseFixture));

        run.TestCases.Count.ShouldBe(5);
        run["LeaksWhenAsked(True)"].ShouldHaveFailed(ResultState.Failure).ShouldContain("managed heap grew");
        run["LeaksWhenAsked(False)"].ShouldHavePassed();
        run["AllocatesGarbageAsync(8)"].ShouldHavePassed();
        run["AllocatesGarbageAsync(1024)"].ShouldHavePassed();
        run["WithExpectedResult(3)"].ShouldHavePassed();
    }

    [Test]
    public void SetUp_and_TearDown_run_once_while_the_body_runs_every_iteration_on_the_same_instance()
    {
        var run = NUnitPipeline.Run(typeof(LifecycleFixture));

        run[nameof(LifecycleFixture.CountsItself)].ShouldHavePassed();
        run.TestCases.Count.ShouldBe(1);
        LifecycleFixture.SetUps.ShouldBe(1);
        LifecycleFixture.TearDowns.ShouldBe(1);
        LifecycleFixture.Bodies.ShouldBe(2 + 10, "2 warmup iterations + 10 iterations");
        LifecycleFixture.BodiesOnAnotherInstance.ShouldBe(0);
        LifecycleFixture.BodiesOutsideSetUp.ShouldBe(0);
    }

    [Test]
    public void A_run_over_its_Timeout_fails_with_a_TimeoutException()
    {
        var run = NUnitPipeline.Run(typeof(TimeoutFixture));

        run[nameof(TimeoutFixture.SlowBody)]
            .ShouldHaveFailed(ResultState.Error)
            .ShouldStartWith("System.TimeoutException : The leak run exceeded its Timeout of 0.2 s");
    }

    [Test]
    public void A_managed_leak_names_the_leaking_type_in_the_heap_summary()
    {
        var run = NUnitPipeline.Run(typeof(HeapSummaryFixture));

        var result = run[nameof(HeapSummaryFixture.KeepsEveryInvoice)];
        var message = result.ShouldHaveFailed(ResultState.Failure);
        // What the diagnosis did, and how long it took: shown live (TestContext.Progress) and kept in the test's output.
        result.Output.ShouldContain("LeakGuard: managed heap over budget: ", Case.Sensitive, result.Output);
        result.Output.ShouldContain(
            " MiB); the analysis child, reading them since the first, finishes the histograms and retention paths…",
            Case.Sensitive,
            result.Output
        );
        result.Output.ShouldContain("LeakGuard: heap summary done in ", Case.Sensitive, result.Output);
        message.ShouldContain("managed heap grew");
        message.ShouldContain("Heap summary");
        message.ShouldContain("HeapSummaryFixture+Invoice");
        message.ShouldContain("System.Decimal[]");
    }
}
