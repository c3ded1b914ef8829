namespace LeakGuard.Xunit.V3.TestData;

/// <summary>A body that throws: the test fails with that exception, not with a leak report.</summary>
public sealed class ThrowingBodyScenario
{
    private int _calls;

    /// <summary>Throws on the 8th call: after the warmup, in the middle of the measured iterations.</summary>
    [NoLeak]
    public void ThrowsDuringRun()
    {
        if (++_calls == 8)
            throw new InvalidOperationException("The body failed on call 8.");
    }

    [NoLeak]
    public async Task ThrowsAfterAwait()
    {
        await Task.Yield();
        throw new FormatException("The async body failed after an await.");
    }
}
