using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Runs a test method found by reflection through the engine: called on one test class instance every iteration,
/// awaited per iteration when it returns <see cref="Task"/>, <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>.
/// One source for both xUnit adapters (v2 and v3), compiled into each: only how the framework hands over the method,
/// the instance and the arguments differs between them.
/// </summary>
internal static class ReflectedLeakRun
{
    /// <summary>
    /// True for <c>async void</c> methods, which LeakGuard cannot run: an iteration cannot be awaited before the next starts.
    /// </summary>
    public static bool IsAsyncVoid(MethodInfo method) => GetShape(method) == TestMethodShape.AsyncVoid;

    /// <summary>The error an <c>async void</c> test fails with.</summary>
    public static InvalidOperationException AsyncVoidError(MethodInfo method) =>
        new(
            $"LeakGuard cannot run '{method.DeclaringType?.FullName}.{method.Name}': it is async void, so an iteration cannot be awaited before the next starts. Return Task or ValueTask instead."
        );

    /// <summary>
    /// The leak run of <paramref name="method"/> on <paramref name="instance"/>: synchronous methods run on the calling
    /// thread (<see cref="LeakTest.Run"/>), the others through <see cref="LeakTest.RunAsync(Func{Task}, LeakOptions?, CancellationToken)"/>.
    /// An exception from the method propagates as it is (not as a <see cref="TargetInvocationException"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The method is <c>async void</c>, returned a Task that was not started, or returned null instead of a Task.</exception>
    public static async Task<LeakReport> RunAsync(
        MethodInfo method,
        object? instance,
        object?[] arguments,
        LeakOptions options,
        CancellationToken cancellationToken
    ) =>
        GetShape(method) switch
        {
            TestMethodShape.AsyncVoid => throw AsyncVoidError(method),
            TestMethodShape.Task => await LeakTest.RunAsync(() => ToTask(Invoke(method, instance, arguments), method), options, cancellationToken),
            TestMethodShape.ValueTask => await LeakTest.RunAsync(() => (ValueTask)Invoke(method, instance, arguments)!, options, cancellationToken),
            TestMethodShape.GenericValueTask => await LeakTest.RunAsync(
                () => GenericValueTaskAsTask(Invoke(method, instance, arguments)!, method),
                options,
                cancellationToken
            ),
            _ => LeakTest.Run(() => Invoke(method, instance, arguments), options),
        };

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
