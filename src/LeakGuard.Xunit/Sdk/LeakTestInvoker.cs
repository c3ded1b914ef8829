using System.Globalization;
using System.Reflection;
using LeakGuard.Adapters;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Invokes a leak test: instead of calling the test method once, hands it to the engine, which calls it many times
/// on the one test class instance xUnit created, and turns the verdict into the test's outcome.
/// </summary>
/// <remarks>
/// <para><see cref="TestInvoker{TTestCase}.RunAsync"/> (not overridden) creates the test class instance, runs
/// <c>IAsyncLifetime.InitializeAsync</c> and the <c>BeforeAfterTestAttribute</c>s, calls
/// <see cref="InvokeTestMethodAsync"/> once, then the "after" hooks and <c>Dispose</c>: so all of these run once around
/// the whole leak run, and the test has one result.</para>
/// <para>Outcomes, through the aggregator: a leak adds a <see cref="LeakDetectedException"/> (its message is the report);
/// an exception from the test body, from invalid options or from the timeout is added as it is.</para>
/// </remarks>
internal sealed class LeakTestInvoker : XunitTestInvoker
{
    public LeakTestInvoker(
        ITest test,
        IMessageBus messageBus,
        Type testClass,
        object[] constructorArguments,
        MethodInfo testMethod,
        object[] testMethodArguments,
        IReadOnlyList<BeforeAfterTestAttribute> beforeAfterAttributes,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    )
        : base(test, messageBus, testClass, constructorArguments, testMethod, testMethodArguments, beforeAfterAttributes, aggregator, cancellationTokenSource)
    { }

    /// <summary>The report of the leak run, once it has completed; null when the run threw.</summary>
    public LeakReport? Report { get; private set; }

    /// <summary>LeakGuard's progress lines of this run (a failing run's diagnosis), for the test's output; empty when none.</summary>
    public IReadOnlyList<string> ProgressLines => _progress?.Lines ?? [];

    private ProgressLines? _progress;

    protected override async Task<decimal> InvokeTestMethodAsync(object testClassInstance)
    {
        if (TestCase.InitializationException is { } initializationException)
        {
            Aggregator.Add(initializationException);
            return Timer.Total;
        }

        await Aggregator.RunAsync(() => Timer.AggregateAsync(() => RunLeakTestAsync(testClassInstance)));
        return Timer.Total;
    }

    private async Task RunLeakTestAsync(object? instance)
    {
        var method = TestMethod;
        var arguments = GetArguments(method);
        if (ReflectedLeakRun.IsAsyncVoid(method))
            throw ReflectedLeakRun.AsyncVoidError(method);

        if (TestCase is not ILeakTestCase)
            throw new InvalidOperationException($"LeakGuard's invoker ran a test case of type {TestCase.GetType().FullName}, which is not a leak test case.");
        // The test's display name (class and method, theory arguments included) names the run and its artifacts folder.
        // Every layer: .config/leakguard.json, [assembly: LeakSettings], [LeakSettings] on the class, the method's
        // attribute, environment variables.
        // Each progress line is live test output as it comes (shown with xUnit's showLiveOutput) and kept for the result.
        var test = Test;
        var bus = MessageBus;
        _progress = new ProgressLines(line => bus.QueueMessage(new TestOutput(test, line + Environment.NewLine)));
        var options = LeakConfiguration.Resolve(method, TestClass).Options with { TestName = Test.DisplayName, Progress = _progress };
        var cancellationToken = CancellationTokenSource.Token;

        var report = await ReflectedLeakRun.RunAsync(method, instance, arguments, options, cancellationToken);

        Report = report;
        if (report.Failed)
            Aggregator.Add(new LeakDetectedException(report));
    }

    /// <summary>The arguments of the call, checked against the method's parameters as xUnit's own invoker does.</summary>
    private object?[] GetArguments(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var arguments = TestMethodArguments ?? [];
        if (arguments.Length == 0 && parameters.Length == 1 && parameters[0].IsDefined(typeof(ParamArrayAttribute)))
            arguments = [Array.CreateInstance(parameters[0].ParameterType.GetElementType()!, 0)];
        if (arguments.Length != parameters.Length)
        {
            throw new InvalidOperationException(
                string.Format(
                    CultureInfo.InvariantCulture,
                    "The test method expected {0} parameter value{1}, but {2} parameter value{3} {4} provided.",
                    parameters.Length,
                    parameters.Length == 1 ? "" : "s",
                    arguments.Length,
                    arguments.Length == 1 ? "" : "s",
                    arguments.Length == 1 ? "was" : "were"
                )
            );
        }
        return arguments;
    }
}
