namespace LeakGuard.Xunit.TestData;

/// <summary>(c) Invalid options: the test fails with the engine's message naming the property and the value.</summary>
public sealed class InvalidOptionsScenario
{
    public static int BodyCalls { get; private set; }

    [NoLeak(Iterations = 0)]
    public void ZeroIterations() => BodyCalls++;

    [NoLeak(MaxManagedBytesPerIteration = -1)]
    public void NegativeManagedBudget() => BodyCalls++;

    [NoLeak(Iterations = 20, MaxIterations = 10)]
    public void MaxIterationsBelowIterations() => BodyCalls++;
}

/// <summary>The inherited Timeout (milliseconds) limits the whole leak run, also for a synchronous body.</summary>
public sealed class TimeoutScenario
{
    [NoLeak(Timeout = 300)]
    public void SlowBody() => Thread.Sleep(20);
}
