using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>From a <c>[NoLeak]</c>/<c>[NoLeakTheory]</c> test to the engine's options: the one place where the adapter decides them.</summary>
internal static class NoLeakOptions
{
    /// <summary>
    /// The options of one leak test: the values of its <see cref="NoLeakAttribute"/> or <see cref="NoLeakTheoryAttribute"/>
    /// (read from the test method when it runs), its time limit, and its display name as the run's name. Not validated
    /// here: the engine validates when the run starts, so an invalid value fails the test, not the discovery.
    /// </summary>
    /// <param name="test">The test being run (one data row for a theory).</param>
    /// <param name="timeoutMilliseconds">The test's <c>Timeout</c> in milliseconds (a theory row's own when it has one); 0 means no limit.</param>
    /// <exception cref="InvalidOperationException">The test method carries no LeakGuard attribute.</exception>
    public static LeakOptions Resolve(IXunitTest test, int timeoutMilliseconds)
    {
        var attribute =
            test.TestMethod.FactAttributes.OfType<ILeakAttributeOptions>().FirstOrDefault()
            ?? throw new InvalidOperationException(
                $"LeakGuard cannot run '{test.TestCase.TestClassName}.{test.TestCase.TestMethodName}' as a leak test: it has no [NoLeak] or [NoLeakTheory] attribute."
            );
        // The display name (class and method, theory arguments included) names the run and its artifacts folder.
        return LeakOptions.FromAttribute(attribute, timeoutMilliseconds) with { TestName = test.TestDisplayName };
    }
}
