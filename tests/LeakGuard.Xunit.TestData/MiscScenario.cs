namespace LeakGuard.Xunit.TestData;

/// <summary>Skipped leak tests are reported as skipped, without a run.</summary>
public sealed class SkipScenario
{
    public static int BodyCalls { get; private set; }

    [NoLeak(Skip = "skipped on purpose")]
    public void Skipped() => BodyCalls++;

    [NoLeakTheory(Skip = "skipped theory")]
    [InlineData(1)]
    public void SkippedTheory(int value) => BodyCalls += value;
}
