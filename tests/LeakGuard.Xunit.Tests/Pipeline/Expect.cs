namespace LeakGuard.Xunit.Tests.Pipeline;

/// <summary>Assertions on results shared by the acceptance tests.</summary>
internal static class Expect
{
    public const string LeakException = "LeakGuard.LeakDetectedException";

    /// <summary>The metric's name as reports print it.</summary>
    public static string NameOf(LeakMetric metric) =>
        metric switch
        {
            LeakMetric.ManagedHeap => "managed heap",
            LeakMetric.NativeHeap => "native memory",
            LeakMetric.Handles => "handles",
            LeakMetric.Threads => "threads",
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
        };

    public static void ShouldPass(this TestResult result) => result.Outcome.ShouldBe(Outcome.Passed, result.ToString());

    /// <summary>Failed with a LeakDetectedException whose report lists <paramref name="metric"/> as over budget.</summary>
    public static void ShouldFailWithLeak(this TestResult result, LeakMetric metric)
    {
        result.Outcome.ShouldBe(Outcome.Failed, result.ToString());
        result.ExceptionType.ShouldBe(LeakException, result.ToString());
        result.Message.ShouldNotBeNull();
        result.Message.ShouldStartWith("LeakGuard: leak detected: ");
        result.Message.ShouldContain("over budget");
        // The leak section of the report states each metric over budget as "  <metric> grew <rate> (CI …) over …".
        result.Message.ShouldContain($"  {NameOf(metric)} grew ", Case.Sensitive, result.Message);
    }

    public static void ShouldFailWith(this TestResult result, Type exceptionType, string messagePart)
    {
        result.Outcome.ShouldBe(Outcome.Failed, result.ToString());
        result.ExceptionType.ShouldBe(exceptionType.FullName, result.ToString());
        result.Message.ShouldNotBeNull();
        result.Message.ShouldContain(messagePart, Case.Sensitive, result.ToString());
    }

    /// <summary>One result per test case, no errors or cleanup failures, the counts agree.</summary>
    public static void ShouldHaveOneResultPerTest(this InProcessRun run, int expectedTests)
    {
        run.Errors.ShouldBeEmpty(run.ToString());
        run.TestCases.Count.ShouldBe(expectedTests, run.ToString());
        run.Results.Count.ShouldBe(expectedTests, run.ToString());
        run.Results.Select(r => r.DisplayName).ShouldBeUnique(run.ToString());
        run.TotalReportedByAssemblyFinished.ShouldBe(expectedTests);
    }
}
