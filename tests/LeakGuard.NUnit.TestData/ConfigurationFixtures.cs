using NUnit.Framework;

namespace LeakGuard.NUnit.TestData;

/// <summary>Settings from the fixture class, overridden by the method; the report names where each came from.</summary>
[LeakSettings(Iterations = 12, WarmupIterations = 1, MaxIterations = 12, CaptureHeapSummary = false)]
public class FixtureSettingsFixture
{
    private static readonly List<long[]> Retained = new(10_000);

    [TearDown]
    public void Clear() => Retained.Clear();

    // static Retained (List<long[]>, preallocated) → _items[] → long[128] (1,048 B)
    [Test, NoLeak]
    public void LeaksWithFixtureSettings() => Retained.Add(new long[128]);
}

/// <summary>Skips: the method's own, and the fixture's.</summary>
public class MethodSkipFixture
{
    public static int Calls;

    [Test, NoLeak(Skip = "skipped by the method")]
    public void Skipped() => Calls++;
}

/// <summary>A skip on the fixture class skips its leak tests.</summary>
[LeakSettings(Skip = "leaks tracked in #1234")]
public class FixtureSkipFixture
{
    [Test, NoLeak]
    public void Skipped() => MethodSkipFixture.Calls++;
}

/// <summary>Allocation budgets: traffic, not growth.</summary>
public class AllocationFixture
{
    // May be extended too: a loaded CI run read another thread's 4.4 KB/iteration of native growth in one round of
    // 10 as a leak, which the report then led with instead of the allocation budget.
    [Test, NoLeak(Iterations = 10, MaxAllocatedBytesPerIteration = 1024)]
    public void Allocates4KB() => GC.KeepAlive(new byte[4000]);

    // May be extended (no MaxIterations): a run of one round cannot tell another thread's growth from a leak, and a
    // loaded CI run read 51 KB/iteration of native growth over this test's 10 iterations. The allocation budget is
    // checked over whatever the run takes.
    [Test, NoLeak(Iterations = 10, MaxAllocatedBytesPerIteration = 1024)]
    public void AllocatesNothing() { }
}
