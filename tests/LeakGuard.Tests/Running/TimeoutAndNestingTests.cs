using System.Diagnostics;
using LeakGuard.Diagnostics;
using LeakGuard.Tests.Analysis;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Running;

/// <summary>
/// Runs that must end: a leak run inside another fails at once; <see cref="LeakOptions.Timeout"/> bounds the whole
/// run, a hanging iteration included; a time limit that runs out during the diagnosis leaves the verdict standing.
/// Each run is awaited against a generous outer limit, so that a regression fails the test instead of hanging it.
/// </summary>
public class TimeoutAndNestingTests
{
    private static readonly TimeSpan Outer = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_leak_run_inside_another_fails_at_once_with_a_clear_message()
    {
        var run = Task.Run(() => LeakTest.Run(() => LeakTest.Run(() => { }), new LeakOptions { CaptureHeapSummary = false }));

        var error = await Should.ThrowAsync<InvalidOperationException>(() => run.WaitAsync(Outer));

        error.Message.ShouldStartWith("A leak run was started inside another leak run");
        // The outer run's gate was released: the next run goes ahead.
        (await NextRun()).Iterations.ShouldBe(10);
    }

    /// <summary>
    /// A short run after the one under test: it goes ahead only when the process-wide gate was released (otherwise it
    /// waits, and the outer limit fails the test). Its verdict is not the point: one round of 10 iterations cannot tell
    /// another thread's growth from a leak (a loaded CI run read this empty body as one).
    /// </summary>
    private static Task<LeakReport> NextRun() =>
        Task.Run(() =>
                LeakTest.Run(
                    () => { },
                    new LeakOptions
                    {
                        Iterations = 10,
                        MaxIterations = 10,
                        CaptureHeapSummary = false,
                    }
                )
            )
            .WaitAsync(Outer);

    [Fact]
    public async Task An_async_leak_run_inside_another_fails_at_once()
    {
        var run = LeakTest.RunAsync(async () => await LeakTest.RunAsync(() => Task.CompletedTask), new LeakOptions { CaptureHeapSummary = false });

        (await Should.ThrowAsync<InvalidOperationException>(() => run.WaitAsync(Outer))).Message.ShouldContain("inside another leak run");
    }

    [Fact]
    public async Task A_slow_run_stops_with_a_TimeoutException_soon_after_its_Timeout()
    {
        // 755 iterations of 20 ms would take 15 s; the limit is 1 s.
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => LeakTest.Run(() => Thread.Sleep(20), new LeakOptions { Timeout = TimeSpan.FromSeconds(1), CaptureHeapSummary = false }));

        var error = await Should.ThrowAsync<TimeoutException>(() => run.WaitAsync(Outer));

        error.Message.ShouldStartWith("The leak run exceeded its Timeout of 1 s after ");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1) + LeakGuard.Running.LeakRunner.HangGrace + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_hanging_synchronous_iteration_is_reported_as_a_timeout_and_the_host_goes_on()
    {
        using var release = new ManualResetEventSlim();
        var calls = 0;
        var run = Task.Run(() =>
            LeakTest.Run(
                () =>
                {
                    if (++calls == 20)
                        release.Wait();
                },
                new LeakOptions { Timeout = TimeSpan.FromSeconds(1), CaptureHeapSummary = false }
            )
        );

        var error = await Should.ThrowAsync<TimeoutException>(() => run.WaitAsync(Outer));
        release.Set();

        error.Message.ShouldContain("an iteration did not return (14 measured iterations had completed, after 5 warmup)");
        (await NextRun()).Iterations.ShouldBe(10);
    }

    [Fact]
    public async Task A_hanging_asynchronous_iteration_is_reported_as_a_timeout()
    {
        var never = new TaskCompletionSource();
        var calls = 0;
        var run = LeakTest.RunAsync(
            () => ++calls == 20 ? never.Task : Task.CompletedTask,
            new LeakOptions { Timeout = TimeSpan.FromSeconds(1), CaptureHeapSummary = false }
        );

        var error = await Should.ThrowAsync<TimeoutException>(() => run.WaitAsync(Outer));
        never.SetResult();

        error.Message.ShouldContain("an iteration did not return");
    }

    [Fact]
    public async Task A_Timeout_that_runs_out_during_the_heap_summary_leaves_the_verdict_standing()
    {
        var report = await new ScriptedSampleSource()
            .With(LeakMetric.ManagedHeap, (i, _) => 24.0 * i)
            .RunAsync(new LeakOptions { Timeout = TimeSpan.FromSeconds(1) }, new HangingHeapDiagnoser())
            .WaitAsync(Outer);

        report[LeakMetric.ManagedHeap].Verdict.ShouldBe(MetricVerdict.Leak);
        report.HeapSummary.ShouldBeNull();
        report.HeapSummaryUnavailableReason.ShouldBe("the run's Timeout of 1 s ran out during the heap summary; raise LeakOptions.Timeout for one");
    }

    /// <summary>A diagnosis that waits until it is cancelled (a child that never finishes, a dump that never ends).</summary>
    private sealed class HangingHeapDiagnoser : IHeapDiagnoser
    {
        public async Task<HeapSummaryOutcome> CaptureAsync(
            Func<ValueTask> operation,
            LeakOptions options,
            Action throwIfStopped,
            CancellationToken cancellationToken,
            double? managedBytesPerIteration,
            Action<LeakStage, string>? progress = null
        )
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return default;
        }
    }
}
