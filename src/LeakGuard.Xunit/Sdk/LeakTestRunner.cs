using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Runs one leak test: xUnit's test runner (test started/passed/failed/finished messages, test output), with a
/// <see cref="LeakTestInvoker"/> in place of xUnit's invoker. LeakGuard's progress lines (a failing run's diagnosis:
/// snapshots, analysis, how long each took) and the report of a passing run are appended to the test's output, so that
/// a pass can be read too (a plateau, an inconclusive metric); a failing run's report is its message.
/// </summary>
internal sealed class LeakTestRunner : XunitTestRunner
{
    public LeakTestRunner(
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
    )
        : base(
            test,
            messageBus,
            testClass,
            constructorArguments,
            testMethod,
            testMethodArguments,
            skipReason,
            beforeAfterAttributes,
            aggregator,
            cancellationTokenSource
        ) { }

    private LeakTestInvoker? _invoker;

    protected override Task<decimal> InvokeTestMethodAsync(ExceptionAggregator aggregator)
    {
        _invoker = new LeakTestInvoker(
            Test,
            MessageBus,
            TestClass,
            ConstructorArguments,
            TestMethod,
            TestMethodArguments,
            BeforeAfterAttributes,
            aggregator,
            CancellationTokenSource
        );
        return _invoker.RunAsync();
    }

    protected override async Task<Tuple<decimal, string>> InvokeTestAsync(ExceptionAggregator aggregator)
    {
        var (time, output) = await base.InvokeTestAsync(aggregator);
        if (_invoker is { ProgressLines.Count: > 0 } invoker)
            output = Append(output, string.Join(Environment.NewLine, invoker.ProgressLines));
        if (_invoker?.Report is { Failed: false } report)
            output = Append(output, report.ToString());
        return Tuple.Create(time, output);
    }

    private static string Append(string output, string text) => output.Length == 0 ? text : output + Environment.NewLine + text;
}
