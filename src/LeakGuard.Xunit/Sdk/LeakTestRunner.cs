using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Runs one leak test: xUnit's test runner (test started/passed/failed/finished messages, test output), with a
/// <see cref="LeakTestInvoker"/> in place of xUnit's invoker.
/// </summary>
internal sealed class LeakTestRunner : XunitTestRunner
{
    public LeakTestRunner(ITest test, IMessageBus messageBus, Type testClass, object[] constructorArguments, MethodInfo testMethod, object[] testMethodArguments,
        string skipReason, IReadOnlyList<BeforeAfterTestAttribute> beforeAfterAttributes, ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
        : base(test, messageBus, testClass, constructorArguments, testMethod, testMethodArguments, skipReason, beforeAfterAttributes, aggregator, cancellationTokenSource)
    {
    }

    protected override Task<decimal> InvokeTestMethodAsync(ExceptionAggregator aggregator) =>
        new LeakTestInvoker(Test, MessageBus, TestClass, ConstructorArguments, TestMethod, TestMethodArguments, BeforeAfterAttributes, aggregator,
            CancellationTokenSource).RunAsync();
}
