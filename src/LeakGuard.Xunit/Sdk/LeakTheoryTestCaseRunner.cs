using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Runs a <see cref="LeakTheoryTestCase"/>: xUnit's theory runner enumerates the data rows and asks for one test runner
/// per row; each is a <see cref="LeakTestRunner"/>, so each row is one leak run and one result.
/// </summary>
internal sealed class LeakTheoryTestCaseRunner : XunitTheoryTestCaseRunner
{
    public LeakTheoryTestCaseRunner(
        IXunitTestCase testCase,
        string displayName,
        string skipReason,
        object[] constructorArguments,
        IMessageSink diagnosticMessageSink,
        IMessageBus messageBus,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    )
        : base(testCase, displayName, skipReason, constructorArguments, diagnosticMessageSink, messageBus, aggregator, cancellationTokenSource) { }

    protected override XunitTestRunner CreateTestRunner(
        ITest test,
        IMessageBus messageBus,
        Type testClass,
        object[] constructorArguments,
        MethodInfo testMethod,
        object[] testMethodArguments,
        string skipReason,
        IReadOnlyList<BeforeAfterTestAttribute> beforeAfterAttributes,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    ) =>
        new LeakTestRunner(
            test,
            messageBus,
            testClass,
            constructorArguments,
            testMethod,
            testMethodArguments,
            skipReason,
            beforeAfterAttributes,
            new ExceptionAggregator(aggregator),
            cancellationTokenSource
        );
}
