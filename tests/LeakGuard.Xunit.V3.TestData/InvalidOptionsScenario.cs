namespace LeakGuard.Xunit.V3.TestData;

/// <summary>Invalid options: the test fails with the engine's message naming the property and the value, without running the body.</summary>
public sealed class InvalidOptionsScenario
{
    public const string BodyRan = "the body ran";

    [NoLeak(Iterations = 0)]
    public void ZeroIterations() => TestContext.Current.TestOutputHelper!.WriteLine(BodyRan);

    [NoLeak(MaxManagedBytesPerIteration = -1)]
    public void NegativeManagedBudget() => TestContext.Current.TestOutputHelper!.WriteLine(BodyRan);

    [NoLeak(Iterations = 20, MaxIterations = 10)]
    public void MaxIterationsBelowIterations() => TestContext.Current.TestOutputHelper!.WriteLine(BodyRan);
}

/// <summary>The inherited Timeout (milliseconds) limits the whole leak run, for a synchronous and an asynchronous body.</summary>
public sealed class TimeoutScenario
{
    [NoLeak(Timeout = 300)]
    public void SlowBody() => Thread.Sleep(20);

    [NoLeak(Timeout = 300)]
    public async Task SlowBodyAsync() => await Task.Delay(20, TestContext.Current.CancellationToken);
}
