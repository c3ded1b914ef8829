using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
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
        var shape = GetShape(method);
        if (shape == TestMethodShape.AsyncVoid)
        {
            throw new InvalidOperationException(
                $"LeakGuard cannot run '{method.DeclaringType?.FullName}.{method.Name}': it is async void, so an iteration cannot be awaited before the next starts. Return Task or ValueTask instead."
            );
        }

        if (TestCase is not ILeakTestCase)
            throw new InvalidOperationException($"LeakGuard's invoker ran a test case of type {TestCase.GetType().FullName}, which is not a leak test case.");
        // The test's display name (class and method, theory arguments included) names the run and its artifacts folder.
        // Every layer: .config/leakguard.json, [assembly: LeakSettings], [LeakSettings] on the class, the method's
        // attribute, environment variables.
        var options = LeakConfiguration.Resolve(method, TestClass).Options with
        {
            TestName = Test.DisplayName,
        };
        var cancellationToken = CancellationTokenSource.Token;

        var report = shape switch
        {
            TestMethodShape.Task => await LeakTest.RunAsync(() => ToTask(Invoke(method, instance, arguments), method), options, cancellationToken),
            TestMethodShape.ValueTask => await LeakTest.RunAsync(() => (ValueTask)Invoke(method, instance, arguments)!, options, cancellationToken),
            TestMethodShape.GenericValueTask => await LeakTest.RunAsync(
                () => GenericValueTaskAsTask(Invoke(method, instance, arguments)!, method),
                options,
                cancellationToken
            ),
            _ => LeakTest.Run(() => Invoke(method, instance, arguments), options),
        };

        Report = report;
        if (report.Failed)
            Aggregator.Add(new LeakDetectedException(report));
    }

    /// <summary>Calls the test method; an exception it throws propagates as it is (not as a TargetInvocationException).</summary>
    private static object? Invoke(MethodInfo method, object? instance, object?[] arguments) =>
        method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, CultureInfo.InvariantCulture);

    private static Task ToTask(object? result, MethodInfo method) =>
        result switch
        {
            Task { Status: TaskStatus.Created } => throw new InvalidOperationException(
                $"'{method.DeclaringType?.FullName}.{method.Name}' returned a Task that was not started; tasks must be started before being returned."
            ),
            Task task => task,
            _ => throw new InvalidOperationException($"'{method.DeclaringType?.FullName}.{method.Name}' returned null instead of a Task."),
        };

    private static Task GenericValueTaskAsTask(object boxedValueTask, MethodInfo method)
    {
        // ValueTask<T> for an unknown T: AsTask through reflection (one garbage Task per iteration, not retained).
        var asTask = method.ReturnType.GetMethod(nameof(ValueTask<int>.AsTask), Type.EmptyTypes)!;
        return (Task)asTask.Invoke(boxedValueTask, BindingFlags.DoNotWrapExceptions, binder: null, parameters: null, CultureInfo.InvariantCulture)!;
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

    private static TestMethodShape GetShape(MethodInfo method)
    {
        var returnType = method.ReturnType;
        if (returnType == typeof(void))
            return method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false) ? TestMethodShape.AsyncVoid : TestMethodShape.Sync;
        if (typeof(Task).IsAssignableFrom(returnType))
            return TestMethodShape.Task;
        if (returnType == typeof(ValueTask))
            return TestMethodShape.ValueTask;
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            return TestMethodShape.GenericValueTask;
        return TestMethodShape.Sync;
    }

    /// <summary>How a test method must be called: synchronously, or awaited.</summary>
    private enum TestMethodShape
    {
        /// <summary>Returns void or a value that is not awaited (it is ignored).</summary>
        Sync,

        /// <summary>Returns <see cref="System.Threading.Tasks.Task"/> or <see cref="Task{TResult}"/>.</summary>
        Task,

        /// <summary>Returns <see cref="System.Threading.Tasks.ValueTask"/>.</summary>
        ValueTask,

        /// <summary>Returns <see cref="ValueTask{TResult}"/>.</summary>
        GenericValueTask,

        /// <summary><c>async void</c>: cannot be awaited; not supported.</summary>
        AsyncVoid,
    }
}
