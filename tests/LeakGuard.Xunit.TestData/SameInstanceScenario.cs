namespace LeakGuard.Xunit.TestData;

/// <summary>
/// (f) Every iteration runs on the one test class instance xUnit created: the constructor runs once, the body counts
/// its calls on the instance, Dispose records the count.
/// </summary>
public sealed class SameInstanceScenario : IDisposable
{
    public const int Warmup = 3;
    public const int Measured = 20;

    private int _calls;

    public SameInstanceScenario() => Constructed++;

    public static int Constructed { get; private set; }

    public static int CallsSeenByDispose { get; private set; }

    public static void ResetCounters() => (Constructed, CallsSeenByDispose) = (0, 0);

    // Exact call counts need a run that is never extended (MaxIterations = Iterations); a one-round run cannot tell a
    // runner thread's one-off growth from a leak, and the verdict is not what this scenario tests: generous budgets.
    [NoLeak(
        WarmupIterations = Warmup,
        Iterations = Measured,
        MaxIterations = Measured,
        MaxManagedBytesPerIteration = 65536,
        MaxNativeBytesPerIteration = 65536
    )]
    public void CountCalls() => _calls++;

    public void Dispose() => CallsSeenByDispose = _calls;
}
