using LeakGuard;
using LeakGuard.Xunit;
using Xunit;

namespace XunitV3Consumer;

public class SmokeTests
{
    private static readonly List<object> Leaked = [];

    [NoLeak]
    public void Clean_code_passes() => _ = new byte[128];

    [NoLeak(Iterations = 20)]
    public async Task Async_clean_code_passes() => await Task.Yield();

    [NoLeak(Iterations = 10, MaxIterations = 10, MaxAllocatedBytesPerIteration = 1024)]
    public void Allocation_within_budget_passes() => _ = new byte[128];

    [Fact]
    public void A_leak_is_reported_by_the_engine_that_came_with_the_package()
    {
        // The heap summary runs the package's heap analysis executable in a child process: this proves it was
        // deployed next to the test executable and can run there.
        var report = LeakTest.Run(() => Leaked.Add(new LeakedItem()));
        Leaked.Clear();

        Assert.True(report.HasLeak, report.ToString());
        Assert.Contains("managed heap grew", report.ToString());
        Assert.Contains("via static XunitV3Consumer.SmokeTests.Leaked (List<Object>) → _items[] → SmokeTests+LeakedItem", report.ToString());
    }

    private sealed class LeakedItem
    {
        public readonly long Value = 42;
    }
}
