namespace LeakGuard.Xunit.V3.TestData;

/// <summary>Skipped leak tests are reported as skipped, without a run: static Skip, SkipWhen, and Assert.Skip in the body.</summary>
public sealed class SkipScenario
{
    public const string BodyRan = "the body ran";

    public static bool AlwaysTrue => true;

    [NoLeak(Skip = "skipped on purpose")]
    public void Skipped() => TestContext.Current.TestOutputHelper!.WriteLine(BodyRan);

    [NoLeakTheory(Skip = "skipped theory")]
    [InlineData(1)]
    public void SkippedTheory(int value) => TestContext.Current.TestOutputHelper!.WriteLine(BodyRan + value);

    [NoLeak(Skip = "skipped when AlwaysTrue", SkipWhen = nameof(AlwaysTrue))]
    public void SkippedWhen() => TestContext.Current.TestOutputHelper!.WriteLine(BodyRan);

    [NoLeak]
    public void SkipsItself() => Assert.Skip("skipped from the body");

    [NoLeak(SkipExceptions = [typeof(PlatformNotSupportedException)])]
    public void ThrowsASkipException() => throw new PlatformNotSupportedException("not on this platform");
}

/// <summary>Skip with a SkipWhen condition that is false: xUnit runs the test (LeakGuard does not take the Skip text as a skip).</summary>
public sealed class ConditionalSkipScenario
{
    public static bool AlwaysFalse => false;

    [NoLeak(Iterations = 10, Skip = "skipped only when AlwaysFalse", SkipWhen = nameof(AlwaysFalse))]
    public void RunsWhenTheConditionIsFalse() => GC.KeepAlive(new object());
}
