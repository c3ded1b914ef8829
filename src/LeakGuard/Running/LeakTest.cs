using System.Runtime.CompilerServices;
using LeakGuard.Running;

namespace LeakGuard;

/// <summary>
/// Runs an operation repeatedly and decides whether it leaks. The entry point of the engine; the xUnit, NUnit and
/// Shouldly adapters call it.
/// </summary>
/// <remarks>
/// <para>The run: <see cref="LeakOptions.WarmupIterations"/> unmeasured iterations; a sample; then
/// <see cref="LeakOptions.Iterations"/> iterations with, every <see cref="LeakOptions.EffectiveIterationsPerSample"/>
/// of them, a full blocking compacting GC, pending finalizers, another GC and a sample of every <see cref="LeakMetric"/>. A robust (Theil–Sen) slope with a confidence interval
/// is fitted per metric; when the evidence is not conclusive, or growth may still level off, the run is extended
/// (see <see cref="LeakOptions.MaxIterations"/>).</para>
/// <para>Runs are serialised process-wide: two runs never sample at the same time. Allocations by other threads
/// during a run (for example ordinary tests running in parallel) are counted; the xUnit and NUnit adapters arrange
/// for <c>[NoLeak]</c> tests to run alone.</para>
/// <para>If the operation throws, the run stops and the exception propagates unchanged.</para>
/// </remarks>
public static class LeakTest
{
    /// <summary>Runs a synchronous operation and returns the report; does not throw on a leak.</summary>
    /// <param name="operation">The operation under test; it runs on the calling thread (on a thread of LeakGuard's when
    /// <see cref="LeakOptions.Timeout"/> is set, so that a hanging iteration can be left behind).</param>
    /// <param name="options">The options; null means <see cref="LeakOptions.Default"/>.</param>
    /// <returns>The report; <see cref="LeakReport.Failed"/> tells the verdict (<see cref="LeakReport.HasLeak"/> for leaks alone).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid; the message names the property and the value.</exception>
    /// <exception cref="TimeoutException">The run exceeded <see cref="LeakOptions.Timeout"/> before its verdict (an iteration that hangs included).</exception>
    /// <exception cref="InvalidOperationException">Called from inside another leak run (its operation, or a task it started): it would wait for itself.</exception>
    public static LeakReport Run(Action operation, LeakOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var run = LeakRunner.RunAsync(
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            () =>
            {
                operation();
                return default;
            },
            options,
            synchronous: true,
            CancellationToken.None
        );
        return run.GetAwaiter().GetResult();
    }

    /// <summary>Runs an asynchronous operation and returns the report; does not throw on a leak.</summary>
    /// <param name="operation">The operation under test; each iteration is awaited before the next starts.</param>
    /// <param name="options">The options; null means <see cref="LeakOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the run between iterations with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The report; <see cref="LeakReport.Failed"/> tells the verdict (<see cref="LeakReport.HasLeak"/> for leaks alone).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid; the message names the property and the value.</exception>
    /// <exception cref="TimeoutException">The run exceeded <see cref="LeakOptions.Timeout"/> before its verdict (an iteration that hangs included).</exception>
    /// <exception cref="InvalidOperationException">Called from inside another leak run (its operation, or a task it started): it would wait for itself.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)] // an async lambda binds here, not to the ValueTask overload
    public static Task<LeakReport> RunAsync(Func<Task> operation, LeakOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return LeakRunner.RunAsync(
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            () => new ValueTask(operation()),
            options,
            synchronous: false,
            cancellationToken
        );
    }

    /// <summary>Runs an asynchronous operation returning <see cref="ValueTask"/> and returns the report.</summary>
    /// <inheritdoc cref="RunAsync(Func{Task}, LeakOptions?, CancellationToken)"/>
    public static Task<LeakReport> RunAsync(Func<ValueTask> operation, LeakOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return LeakRunner.RunAsync(operation, options, synchronous: false, cancellationToken);
    }

    /// <summary>Runs a synchronous operation and throws when it leaks.</summary>
    /// <inheritdoc cref="Run(Action, LeakOptions?)"/>
    /// <exception cref="LeakDetectedException">A metric grew over its budget, or the allocation traffic exceeded its budget (<see cref="LeakReport.Failed"/>); the exception carries the report.</exception>
    public static LeakReport AssertNoLeak(Action operation, LeakOptions? options = null)
    {
        var report = Run(operation, options);
        return report.Failed ? throw new LeakDetectedException(report) : report;
    }

    /// <summary>Runs an asynchronous operation and throws when it leaks.</summary>
    /// <inheritdoc cref="RunAsync(Func{Task}, LeakOptions?, CancellationToken)"/>
    /// <exception cref="LeakDetectedException">A metric grew over its budget, or the allocation traffic exceeded its budget (<see cref="LeakReport.Failed"/>); the exception carries the report.</exception>
    public static async Task<LeakReport> AssertNoLeakAsync(Func<Task> operation, LeakOptions? options = null, CancellationToken cancellationToken = default)
    {
        var report = await RunAsync(operation, options, cancellationToken).ConfigureAwait(false);
        return report.Failed ? throw new LeakDetectedException(report) : report;
    }
}
