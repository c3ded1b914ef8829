namespace LeakGuard.Xunit.V3.Tests.Pipeline;

/// <summary>The outcome of one test as the runner reported it.</summary>
internal enum Outcome
{
    Passed,
    Failed,
    Skipped,
    NotRun,
}

/// <summary>One test result of an xUnit v3 run, read from the runner's XML results.</summary>
/// <param name="DisplayName">The test's display name, e.g. <c>Namespace.Class.Method(leak: True)</c>.</param>
/// <param name="ClassName">The test class's full name.</param>
/// <param name="MethodName">The test method's name.</param>
/// <param name="CollectionName">The display name of the test collection the test ran in.</param>
/// <param name="Outcome">Passed, failed, skipped or not run.</param>
/// <param name="ExceptionType">For a failure, the full name of the outermost exception type.</param>
/// <param name="Message">For a failure, the outermost exception's message (without the runner's "Type : " prefix); for a skip, the reason.</param>
/// <param name="Output">What the test wrote to its output (a passing leak test's report), or empty.</param>
/// <param name="Started">When the runner reported the test starting.</param>
/// <param name="Finished">When the runner reported the test finished.</param>
internal sealed record TestResult(
    string DisplayName,
    string ClassName,
    string MethodName,
    string CollectionName,
    Outcome Outcome,
    string? ExceptionType,
    string? Message,
    string Output,
    DateTimeOffset Started,
    DateTimeOffset Finished
)
{
    public override string ToString() =>
        $"{DisplayName} [{CollectionName}]: {Outcome}{(ExceptionType is null ? "" : $" ({ExceptionType})")}{(Message is null ? "" : $": {Message}")}{(Message is null && Output.Length > 0 ? $"{Environment.NewLine}{Output}" : "")}";
}

/// <summary>What one run of the test executable reported.</summary>
internal sealed class V3Run
{
    public required IReadOnlyList<TestResult> Results { get; init; }

    /// <summary>Totals of the assembly element: total, passed, failed, skipped, errors, not run.</summary>
    public required IReadOnlyDictionary<string, int> Totals { get; init; }

    /// <summary>Errors the runner reported outside of tests (cleanup failures, catastrophic errors): none are expected.</summary>
    public required IReadOnlyList<string> Errors { get; init; }

    public required int ExitCode { get; init; }

    /// <summary>The runner's console output, for failure messages.</summary>
    public required string Console { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>The single result of the method (fails when there are none or several).</summary>
    public TestResult Single(string className, string methodName)
    {
        var matches = For(className, methodName);
        matches.Count.ShouldBe(1, $"results for {className}.{methodName}:{Environment.NewLine}{this}");
        return matches[0];
    }

    /// <summary>The results of the method (one per data row for a theory). <paramref name="className"/> is the simple name of a TestData class.</summary>
    public IReadOnlyList<TestResult> For(string className, string methodName) =>
        Results.Where(r => r.ClassName == V3Runner.TestDataNamespace + "." + className && r.MethodName == methodName).ToList();

    /// <summary>The result of the theory row whose display name ends with <c>(<paramref name="arguments"/>)</c>.</summary>
    public TestResult Row(string className, string methodName, string arguments)
    {
        var rows = For(className, methodName).Where(r => r.DisplayName.EndsWith($"({arguments})", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(1, ToString());
        return rows[0];
    }

    public override string ToString() => string.Join(Environment.NewLine, Results);
}
