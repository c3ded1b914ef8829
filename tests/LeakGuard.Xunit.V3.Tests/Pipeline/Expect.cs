namespace LeakGuard.Xunit.V3.Tests.Pipeline;

/// <summary>Assertions on results shared by the acceptance tests.</summary>
internal static class Expect
{
    public const string LeakException = "LeakGuard.LeakDetectedException";

    /// <summary>Appended by LeakGuard to the display name of the non-parallel companion of a test collection.</summary>
    public const string CompanionSuffix = " (LeakGuard: not parallel)";

    public static void ShouldPass(this TestResult result) => result.Outcome.ShouldBe(Outcome.Passed, result.ToString());

    /// <summary>
    /// Passed, and wrote its leak report to the test output: first, or after the diagnosis's progress lines (a pass
    /// whose ambiguous plateau the heap histogram decided, e.g. <c>[0.1 s] LeakGuard: … taking 3 heap snapshots…</c>).
    /// </summary>
    public static void ShouldPassWithReportInOutput(this TestResult result)
    {
        result.ShouldPass();
        var lines = result.Output.Split('\n');
        var progress = lines.TakeWhile(l => l.StartsWith('[') && l.Contains("] LeakGuard: ", StringComparison.Ordinal)).Count();
        var report = string.Join('\n', lines.Skip(progress));
        report.ShouldStartWith("LeakGuard: no leak", Case.Sensitive, result.Output);
        lines[progress].TrimEnd().ShouldEndWith($" in {result.DisplayName}.", Case.Sensitive, result.Output);
    }

    /// <summary>
    /// Failed with a LeakDetectedException whose message is a leak report naming <paramref name="metric"/> (as reports
    /// print it: "managed heap", "native memory", "handles", "threads") as over budget, and naming the test.
    /// </summary>
    public static void ShouldFailWithLeak(this TestResult result, string metric)
    {
        result.Outcome.ShouldBe(Outcome.Failed, result.ToString());
        result.ExceptionType.ShouldBe(LeakException, result.ToString());
        result.Message.ShouldNotBeNull();
        result.Message.ShouldStartWith("LeakGuard: leak detected: ", Case.Sensitive, result.Message);
        result.Message.Split('\n')[0].TrimEnd().ShouldEndWith($" in {result.DisplayName}.", Case.Sensitive, result.Message);
        // The leak section of the report states each metric over budget as "  <metric> grew <rate> (CI …) over …".
        result.Message.ShouldContain($"  {metric} grew ", Case.Sensitive, result.Message);
    }

    public static void ShouldFailWith(this TestResult result, string exceptionType, string messagePart)
    {
        result.Outcome.ShouldBe(Outcome.Failed, result.ToString());
        result.ExceptionType.ShouldBe(exceptionType, result.ToString());
        result.Message.ShouldNotBeNull();
        result.Message.ShouldContain(messagePart, Case.Sensitive, result.ToString());
    }

    public static void ShouldBeSkipped(this TestResult result, string reason)
    {
        result.Outcome.ShouldBe(Outcome.Skipped, result.ToString());
        result.Message.ShouldBe(reason, result.ToString());
    }

    /// <summary>One result per test, unique display names, no errors, and the runner's totals agree.</summary>
    public static void ShouldHaveOneResultPerTest(this V3Run run, int expectedTests)
    {
        run.Errors.ShouldBeEmpty(run.Console);
        run.Totals["errors"].ShouldBe(0, run.Console);
        run.Results.Count.ShouldBe(expectedTests, run.ToString());
        run.Totals["total"].ShouldBe(expectedTests, run.ToString());
        run.Results.Select(r => r.DisplayName).ShouldBeUnique(run.ToString());
    }
}
