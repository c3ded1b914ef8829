using System.Runtime.CompilerServices;

namespace LeakGuard.Xunit.TestData;

/// <summary>Settings from the test class, overridden by the method; the report names where each came from.</summary>
[LeakSettings(Iterations = 12, WarmupIterations = 1, MaxIterations = 12, CaptureHeapSummary = false)]
public sealed class ClassSettingsScenario : IDisposable
{
    private static readonly List<KiBlock> Retained = new(10_000);

    // static Retained (List<KiBlock>, preallocated) → _items[] → KiBlock (1,040 B)
    [NoLeak]
    public void LeaksWithClassSettings() => Retained.Add(new KiBlock());

    [NoLeak(Iterations = 10, MaxIterations = 10)]
    public void LeaksWithMethodOverride() => Retained.Add(new KiBlock());

    public void Dispose() => Retained.Clear();
}

/// <summary>A class-level skip skips every leak test of the class without running it.</summary>
[LeakSettings(Skip = "leaks tracked in #1234")]
public sealed class ClassSkipScenario
{
    public static int BodyCalls { get; private set; }

    [NoLeak]
    public void Skipped() => BodyCalls++;
}

/// <summary>Allocation budgets: traffic, not growth.</summary>
public sealed class AllocationScenario
{
    // May be extended too: a loaded CI run read another thread's 4.4 KB/iteration of native growth in one round of
    // 10 as a leak, which the report then led with instead of the allocation budget.
    [NoLeak(Iterations = 10, MaxAllocatedBytesPerIteration = 1024)]
    public void Allocates4KB() => GC.KeepAlive(new byte[4000]);

    // May be extended (no MaxIterations): a run of one round cannot tell another thread's growth from a leak, and a
    // loaded CI run read 51 KB/iteration of native growth over this test's 10 iterations. The allocation budget is
    // checked over whatever the run takes.
    [NoLeak(Iterations = 10, MaxAllocatedBytesPerIteration = 1024)]
    public void AllocatesNothing() { }
}

/// <summary>Ignore rules set aside the growth of a known cache; the report lists the rule.</summary>
public sealed class IgnoreScenario : IDisposable
{
    private static readonly List<KiBlock> Cache = new(10_000);

    // static Cache (List<KiBlock>, preallocated) → _items[] → KiBlock (1,040 B): matched by the static field's declaring type
    [NoLeak(Iterations = 20, MaxManagedBytesPerIteration = 256)]
    [LeakIgnore("LeakGuard.Xunit.TestData.IgnoreScenario", Reason = "a known cache")]
    public void CacheGrowthIsIgnored() => Cache.Add(new KiBlock());

    public void Dispose() => Cache.Clear();
}

/// <summary>An object of 1,040 bytes: header, method table, 1 KiB of payload.</summary>
public sealed class KiBlock
{
    public KiBPayload Payload = default;
}

/// <summary>1 KiB inline.</summary>
[InlineArray(128)]
public struct KiBPayload
{
    private long _element;
}
