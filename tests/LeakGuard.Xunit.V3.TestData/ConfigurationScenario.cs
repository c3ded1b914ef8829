namespace LeakGuard.Xunit.V3.TestData;

// LeakGuard's configuration layers reach [NoLeak] tests: [LeakSettings] on the class under the method's attribute, a
// skip from the class, the allocation budget, an invalid [LeakIgnore] pattern.

/// <summary>[LeakSettings] on the class sets Iterations; the method's attribute overrides it.</summary>
[LeakSettings(Iterations = 12)]
public sealed class ClassSettingsScenario
{
    [NoLeak]
    public void IterationsFromTheClass() => GC.KeepAlive(new object());

    [NoLeak(Iterations = 15)]
    public void IterationsFromTheMethod() => GC.KeepAlive(new object());

    /// <summary>Allocates 1 KiB of garbage per call: no leak, but over an allocation budget of 0.</summary>
    [NoLeak(Iterations = 10, MaxAllocatedBytesPerIteration = 0)]
    public void AllocatesOverItsBudget() => GC.KeepAlive(new byte[1024]);

    /// <summary>An empty pattern: the configuration is invalid, the test fails naming the attribute.</summary>
    [NoLeak]
    [LeakIgnore("")]
    public void InvalidIgnoreRule() => GC.KeepAlive(new object());
}

/// <summary>[LeakSettings(Skip = …)] on the class skips its leak tests without creating the class.</summary>
[LeakSettings(Skip = "leak tests of this class are switched off")]
public sealed class ClassSkipScenario
{
    public ClassSkipScenario() => TestContext.Current.TestOutputHelper?.WriteLine("the class was created");

    [NoLeak]
    public void SkippedByTheClassSettings() => TestContext.Current.TestOutputHelper!.WriteLine("the body ran");
}
