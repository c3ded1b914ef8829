using System.Reflection;
using LeakGuard;
using LeakGuard.Xunit;
using Xunit;

namespace XunitConsumer;

public class SmokeTests
{
    private static readonly List<object> Leaked = [];

    [NoLeak]
    public void Clean_code_passes() => _ = new byte[128];

    [NoLeak(Iterations = 20)]
    public async Task Async_clean_code_passes() => await Task.Yield();

    [Fact]
    public void A_leak_is_reported_by_the_engine_that_came_with_the_package()
    {
        var report = LeakTest.Run(() => Leaked.Add(new object()), new LeakOptions { CaptureHeapSummary = false });
        Leaked.Clear();

        Assert.True(report.HasLeak, report.ToString());
        Assert.Contains("managed heap grew", report.ToString());
    }

    [Fact]
    public void The_package_installed_its_test_framework()
    {
        var framework = typeof(SmokeTests).Assembly.GetCustomAttribute<TestFrameworkAttribute>();

        Assert.NotNull(framework);
    }
}
