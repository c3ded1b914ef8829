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
        // The heap summary runs the package's heap analysis executable in a child process: this proves it was
        // deployed next to the test assembly and can run there.
        var report = LeakTest.Run(() => Leaked.Add(new LeakedItem()));
        Leaked.Clear();

        Assert.That(report.HasLeak, Is.True, report.ToString());
        Assert.That(report.ToString(), Does.Contain("managed heap grew"));
        Assert.That(report.ToString(), Does.Contain("via static NUnitConsumer.SmokeTests.Leaked (List<Object>) → _items[] → SmokeTests+LeakedItem"));
    }

    private sealed class LeakedItem
    {
        public readonly long Value = 42;
    }
}
