using System.Globalization;
using Xunit.Sdk;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Runs a <see cref="LeakTestCase"/> or <see cref="LeakTheoryTestCase"/>: creates its tests (one, or one per data row),
/// then runs each with a <see cref="LeakTestRunner"/>; otherwise xUnit's test case runner (test case messages, skip,
/// <c>PreInvoke</c>/<c>PostInvoke</c>, before/after attributes).
/// </summary>
internal sealed class LeakTestCaseRunner : XunitTestCaseRunner
{
    private LeakTestCaseRunner() { }

    public static new LeakTestCaseRunner Instance { get; } = new();

    /// <summary>
    /// Runs the test case as xUnit runs an <see cref="IXunitTestCase"/>: when creating its tests fails (e.g. a theory's
    /// data cannot be enumerated) the test case fails, or is skipped when the exception is a skip.
    /// </summary>
    public async ValueTask<RunSummary> Run(
        IXunitTestCase testCase,
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    )
    {
        var tests = await aggregator.RunAsync(testCase.CreateTests, []);
        if (aggregator.ToException() is { } exception)
        {
            return GetSkipReason(testCase, exception) is { } skipReason
                ? XunitRunnerHelper.SkipTestCases(messageBus, cancellationTokenSource, [testCase], skipReason, sendTestCaseMessages: false)
                : XunitRunnerHelper.FailTestCases(messageBus, cancellationTokenSource, [testCase], exception, sendTestCaseMessages: false);
        }

        return await Run(
            testCase,
            tests,
            messageBus,
            aggregator,
            cancellationTokenSource,
            testCase.TestCaseDisplayName,
            testCase.SkipReason,
            explicitOption,
            constructorArguments
        );
    }

    protected override ValueTask<RunSummary> RunTest(XunitTestCaseRunnerContext ctxt, IXunitTest test) =>
        LeakTestRunner.Instance.Run(
            test,
            ctxt.MessageBus,
            ctxt.ConstructorArguments,
            ctxt.ExplicitOption,
            ctxt.Aggregator.Clone(),
            ctxt.CancellationTokenSource,
            ctxt.BeforeAfterTestAttributes
        );

    /// <summary>A skip, by xUnit's contracts: a dynamic skip (<c>Assert.Skip</c>) or one of the test's <c>SkipExceptions</c>.</summary>
    private static string? GetSkipReason(IXunitTestCase testCase, Exception exception)
    {
        if (exception.Message.StartsWith(DynamicSkipToken.Value, StringComparison.Ordinal))
            return exception.Message[DynamicSkipToken.Value.Length..];
        if (testCase.SkipExceptions?.Contains(exception.GetType()) == true)
        {
            return exception.Message.Length != 0
                ? exception.Message
                : string.Format(CultureInfo.InvariantCulture, "Exception of type '{0}' was thrown", exception.GetType().FullName);
        }
        return null;
    }
}
