using LeakGuard;
using LeakGuard.NUnit;
using NUnit.Framework;

namespace NUnitConsumer;

public class SmokeTests
{
    private static readonly List<object> Leaked = [];

    [Test, NoLeak]
    public void Clean_code_passes() => _ = new byte[128];

    [TestCase(16), TestCase(64), NoLeak(Iterations = 20)]
    public void Clean_rows_pass(int size) => _ = new byte[size];

    [Test]
    public void A_leak_is_reported_by_the_engine_that_came_with_the_package()
    {
        var report = LeakTest.Run(() => Leaked.Add(new object()), new LeakOptions { CaptureHeapSummary = false });
        Leaked.Clear();

        Assert.That(report.HasLeak, Is.True, report.ToString());
        Assert.That(report.ToString(), Does.Contain("managed heap grew"));
    }
}
