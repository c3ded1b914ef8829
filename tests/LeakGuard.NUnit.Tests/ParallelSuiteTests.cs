using LeakGuard.NUnit.TestData;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using Shouldly;

namespace LeakGuard.NUnit.Tests;

/// <summary>
/// [NoLeak] in a parallel suite: with four workers, ordinary tests holding memory and threads run in parallel, and the
/// [NoLeak] tests of the same fixture wait for the non-parallel shift, so their verdicts are right.
/// </summary>
public class ParallelSuiteTests
{
    [Test]
    public void NoLeak_tests_run_when_no_parallel_test_is_running_and_get_the_right_verdict()
    {
        var run = NUnitPipeline.Run(typeof(ParallelSuiteFixture), workers: 4);

        run.TestCases.Count.ShouldBe(ParallelSuiteFixture.OrdinaryTests + 2);
        for (var i = 0; i < ParallelSuiteFixture.OrdinaryTests; i++)
            run["Ordinary" + i].ShouldHavePassed();
        run[nameof(ParallelSuiteFixture.CleanNoLeak)].ShouldHavePassed();
        run[nameof(ParallelSuiteFixture.LeakingNoLeak)].ShouldHaveFailed(ResultState.Failure).ShouldContain("managed heap grew");

        // The ordinary tests did run in parallel with each other...
        var ordinary = Enumerable
            .Range(0, ParallelSuiteFixture.OrdinaryTests)
            .Select(i => (Start: ParallelSuiteFixture.OrdinaryStarted[i], End: ParallelSuiteFixture.OrdinaryEnded[i]))
            .ToList();
        ordinary.ShouldAllBe(t => t.Start != 0 && t.End > t.Start);
        ordinary.Max(t => t.Start).ShouldBeLessThan(ordinary.Min(t => t.End), "the ordinary tests overlapped");

        // ...and no [NoLeak] body ran while any of them was running.
        for (var k = 0; k < 2; k++)
        {
            var (first, last) = (ParallelSuiteFixture.NoLeakFirstCall[k], ParallelSuiteFixture.NoLeakLastCall[k]);
            first.ShouldNotBe(0);
            foreach (var (start, end) in ordinary)
                (last < start || first > end).ShouldBeTrue($"[NoLeak] test {k} ran {first}–{last}, an ordinary test {start}–{end}");
        }
    }
}
