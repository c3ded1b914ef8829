namespace LeakGuard.Xunit.V3.TestData;

/// <summary>
/// Every iteration runs on the one test class instance xUnit created: the constructor runs once, the body counts its
/// calls on the instance, Dispose writes the counts to the test output.
/// </summary>
public sealed class SameInstanceScenario : IDisposable
{
    public const int Warmup = 3;
    public const int Measured = 20;

    private static int _constructed;
    private int _calls;

    public SameInstanceScenario() => Interlocked.Increment(ref _constructed);

    // Exact call counts need a run that is never extended (MaxIterations = Iterations); the verdict is not what this
    // scenario tests: generous budgets.
    [NoLeak(
        WarmupIterations = Warmup,
        Iterations = Measured,
        MaxIterations = Measured,
        MaxManagedBytesPerIteration = 65536,
        MaxNativeBytesPerIteration = 65536,
        MaxHandlesPerIteration = 16,
        MaxThreadsPerIteration = 16
    )]
    public void CountCalls() => _calls++;

    public void Dispose() => TestContext.Current.TestOutputHelper?.WriteLine($"constructed {_constructed} time(s); {_calls} call(s) on this instance");
}
