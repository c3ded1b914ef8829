using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>Skips that come from LeakGuard's configuration layers rather than from the test's own attribute.</summary>
internal static class ConfiguredSkip
{
    /// <summary>
    /// The skip reason of <c>[LeakSettings(Skip = …)]</c>, <c>.config/leakguard.json</c> or <c>LEAKGUARD_SKIP</c>; null
    /// when none applies. An invalid configuration answers null here: the test then runs and fails with the error.
    /// </summary>
    public static string? For(ITestMethod testMethod)
    {
        var method = testMethod.Method.ToRuntimeMethod();
        if (method is null)
            return null;
        try
        {
            return LeakConfiguration.Resolve(method, testMethod.TestClass.Class.ToRuntimeType()).SkipReason;
        }
        catch (LeakConfigurationException)
        {
            return null;
        }
    }
}
