using LeakGuard.Xunit.TestData;
using LeakGuard.Xunit.Tests.Pipeline;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Tests;

/// <summary>
/// (g) Parallel interference: ordinary test classes that grow the heap, native memory, handles and threads for two
/// seconds, in parallel collections, next to a clean and a leaking [NoLeak] test.
/// </summary>
public sealed class InterferenceTests
{
    private static readonly Type[] Classes =
    [
        typeof(InterferenceManagedHeap),
        typeof(InterferenceThreads),
        typeof(InterferenceNativeAndHandles),
        typeof(InterferenceLeakTests),
    ];

    private const int OrdinaryTests = 4;
    private const int LeakTests = 2;

    [Fact]
    public async Task With_LeakGuardTestFramework_leak_tests_run_alone_after_the_parallel_tests_and_get_the_right_verdicts()
    {
        InterferenceClock.Reset();

        var run = await XunitPipeline.RunAsync(Classes);

        InterferenceClock.FirstLeakTestStart.ShouldBeGreaterThan(
            InterferenceClock.LastOrdinaryFinish,
            "a leak test started before the ordinary tests finished"
        );
        run.FrameworkType.ShouldBe(typeof(LeakGuardTestFramework).FullName);
        run.ShouldHaveOneResultPerTest(OrdinaryTests + LeakTests);
        run.Results.Where(r => r.ClassName != typeof(InterferenceLeakTests).FullName).ShouldAllBe(r => r.Outcome == Outcome.Passed);
        run.Single(nameof(InterferenceLeakTests.Clean)).ShouldPass();
        run.Single(nameof(InterferenceLeakTests.Leaking)).ShouldFailWithLeak(LeakMetric.ManagedHeap);
        run.DiagnosticMessages.ShouldContain(m => m.StartsWith("LeakGuard: running 2 leak test case(s) alone", StringComparison.Ordinal));
    }

    /// <summary>
    /// The control: with xUnit's own framework the same classes overlap (so the scenario does interfere, and the test
    /// above would notice if the leak tests were not moved). [NoLeak] still runs and reports one result per test; its
    /// verdicts here depend on timing and are not asserted.
    /// </summary>
    [Fact]
    public async Task With_xunits_own_framework_leak_tests_overlap_the_parallel_tests()
    {
        InterferenceClock.Reset();

        var run = await XunitPipeline.RunAsync(sink => new XunitTestFramework(sink), maxParallelThreads: 4, Classes);

        run.FrameworkType.ShouldBe(typeof(XunitTestFramework).FullName);
        run.ShouldHaveOneResultPerTest(OrdinaryTests + LeakTests);
        InterferenceClock.FirstLeakTestStart.ShouldBeLessThan(InterferenceClock.LastOrdinaryFinish);
    }
}
