using Xunit.Abstractions;

namespace LeakGuard.Xunit.Tests.Pipeline;

/// <summary>The outcome of one test as the runner saw it.</summary>
internal enum Outcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One test result message (ITestPassed, ITestFailed or ITestSkipped).</summary>
/// <param name="DisplayName">The test's display name, e.g. <c>Namespace.Class.Method(leak: True)</c>.</param>
/// <param name="ClassName">The test class's full name.</param>
/// <param name="MethodName">The test method's name.</param>
/// <param name="Outcome">Passed, failed or skipped.</param>
/// <param name="ExceptionType">For a failure, the full name of the outermost exception type.</param>
/// <param name="Message">For a failure, the outermost exception's message; for a skip, the reason.</param>
/// <param name="Output">The test's output (a passing leak run's report, LeakGuard's progress lines); empty when none.</param>
internal sealed record TestResult(
    string DisplayName,
    string ClassName,
    string MethodName,
    Outcome Outcome,
    string? ExceptionType,
    string? Message,
    string Output = ""
)
{
    /// <summary>Name, outcome, exception and message; the output too when there is no message (the report of a leak test that passed).</summary>
    public override string ToString() =>
        $"{DisplayName}: {Outcome}{(ExceptionType is null ? "" : $" ({ExceptionType})")}{(Message is null ? "" : $": {Message}")}{(Message is null && Output.Length > 0 ? $"{Environment.NewLine}{Output}" : "")}";
}

/// <summary>What an in-process run reported: the test cases discovered, one entry per result message, and anything odd.</summary>
internal sealed class InProcessRun
{
    public required string FrameworkType { get; init; }

    public required IReadOnlyList<ITestCase> TestCases { get; init; }

    public required IReadOnlyList<TestResult> Results { get; init; }

    /// <summary>Error messages and cleanup failures (class, collection, assembly, test): none are expected.</summary>
    public required IReadOnlyList<string> Errors { get; init; }

    public required IReadOnlyList<string> DiagnosticMessages { get; init; }

    public required int TotalReportedByAssemblyFinished { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>The single result of the method (throws when there are none or several).</summary>
    public TestResult Single(string methodName)
    {
        var matches = Results.Where(r => r.MethodName == methodName).ToList();
        matches.Count.ShouldBe(1, $"results for {methodName}:{Environment.NewLine}{string.Join(Environment.NewLine, matches)}");
        return matches[0];
    }

    public IReadOnlyList<TestResult> For(string methodName) => Results.Where(r => r.MethodName == methodName).ToList();

    public override string ToString() => string.Join(Environment.NewLine, Results);
}
