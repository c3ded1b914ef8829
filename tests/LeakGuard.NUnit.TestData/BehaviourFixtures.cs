using LeakGuard.TestTargets;
using NUnit.Framework;

namespace LeakGuard.NUnit.TestData;

// Small fixtures pinning how [NoLeak] fits into NUnit: exceptions, assertion results, invalid options, [TestCase]
// rows, SetUp/TearDown and the fixture instance. Fast options: a clean run of 10 iterations that is never extended.

/// <summary>A body that throws: the test fails with that exception, and the run stops there.</summary>
public class ThrowingFixture
{
    public static int ThirdCallCalls;

    [OneTimeSetUp]
    public void ResetCalls() => ThirdCallCalls = 0;

    [Test, NoLeak]
    public void ThrowsAtOnce() => throw new InvalidOperationException("Thrown by the test body.");

    /// <summary>Throws in the third call (a warmup iteration): nothing after it runs.</summary>
    [Test, NoLeak]
    public void ThrowsInThirdCall()
    {
        if (++ThirdCallCalls == 3)
            throw new FormatException("Thrown in the third call.");
    }

    [Test, NoLeak]
    public async Task ThrowsAfterAwait()
    {
        await Task.Yield();
        throw new ArgumentException("Thrown after an await.");
    }

    [Test, NoLeak]
    public void FailsAnAssertion() => Assert.That(2 + 2, Is.EqualTo(5), "arithmetic");
}

/// <summary>A body that records a warning without throwing: the run stops after the first call, the warning stays.</summary>
public class WarningOnlyFixture
{
    public static int Calls;

    [OneTimeSetUp]
    public void ResetCalls() => Calls = 0;

    [Test, NoLeak]
    public void RecordsAWarning()
    {
        Calls++;
        Assert.Warn("A warning from the body.");
    }
}

/// <summary>Options out of range: the test fails with the engine's message naming the property and the value.</summary>
public class InvalidOptionsFixture
{
    public static int Calls;

    [Test, NoLeak(Iterations = 0)]
    public void ZeroIterations() => Calls++;

    [Test, NoLeak(MaxNativeBytesPerIteration = -1)]
    public void NegativeNativeBudget() => Calls++;

    [Test, NoLeak(MaxIterations = 10, Iterations = 20)]
    public void MaxIterationsBelowIterations() => Calls++;

    [TestCase(1), TestCase(2)]
    [NoLeak(ConfidenceLevel = 2)]
    public void RowsWithInvalidConfidence(int row) => Calls++;
}

/// <summary>[TestCase] rows of a [NoLeak] method: each row is its own leak run with its own result.</summary>
public class TestCaseFixture
{
    [TearDown]
    public void Reset() => KilobyteRecordLeak.Reset();

    [TestCase(true)]
    [TestCase(false)]
    [NoLeak(CaptureHeapSummary = false)]
    public void LeaksWhenAsked(bool leak)
    {
        if (leak)
            KilobyteRecordLeak.Run();
        else
            GarbageOnly.Run();
    }

    [TestCase(8)]
    [TestCase(1024)]
    [NoLeak(CaptureHeapSummary = false)]
    public async Task AllocatesGarbageAsync(int size)
    {
        await Task.Yield();
        GC.KeepAlive(new byte[size]);
    }

    [TestCase(3, ExpectedResult = 9)]
    // A one-round run (exact counts) cannot tell a runner's one-off growth from a leak; the verdict is not tested here.
    [NoLeak(Iterations = 10, MaxIterations = 10, WarmupIterations = 0, MaxManagedBytesPerIteration = 65536, MaxNativeBytesPerIteration = 65536)]
    public int WithExpectedResult(int value) => value * value;
}

/// <summary>
/// SetUp and TearDown run once per test, the body 2 + 10 times (warmup + iterations, never extended), always on the fixture
/// instance SetUp ran on. Counted in statics (ints: counting must not allocate).
/// </summary>
public class LifecycleFixture
{
    public static int SetUps;
    public static int TearDowns;
    public static int Bodies;
    public static int BodiesOnAnotherInstance;
    public static int BodiesOutsideSetUp;
    public static int OneTimeSetUps;

    private static LifecycleFixture? _setUpInstance;
    private bool _inTest;

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        OneTimeSetUps++;
        SetUps = TearDowns = Bodies = BodiesOnAnotherInstance = BodiesOutsideSetUp = 0;
    }

    [SetUp]
    public void SetUp()
    {
        SetUps++;
        _setUpInstance = this;
        _inTest = true;
    }

    [TearDown]
    public void TearDown()
    {
        TearDowns++;
        _inTest = false;
    }

    // A one-round run (exact counts) cannot tell a runner's one-off growth from a leak; the verdict is not tested here.
    [Test, NoLeak(Iterations = 10, MaxIterations = 10, WarmupIterations = 2, MaxManagedBytesPerIteration = 65536, MaxNativeBytesPerIteration = 65536)]
    public void CountsItself()
    {
        Bodies++;
        if (!ReferenceEquals(_setUpInstance, this))
            BodiesOnAnotherInstance++;
        if (!_inTest)
            BodiesOutsideSetUp++;
    }
}

/// <summary>A run longer than its Timeout: the test fails with the engine's TimeoutException.</summary>
public class TimeoutFixture
{
    [Test, NoLeak(Timeout = 200)]
    public void SlowBody() => Thread.Sleep(20);
}
