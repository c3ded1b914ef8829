using System.Globalization;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>From a <c>[NoLeak]</c>/<c>[NoLeakTheory]</c> test to the engine's settings: the one place where the adapter decides them.</summary>
internal static class LeakTestSettings
{
    /// <summary>
    /// The settings of one leak test: every layer of <see cref="LeakConfiguration"/> (file, <c>[assembly: LeakSettings]</c>,
    /// <c>[LeakSettings]</c> on the class, the method's attribute, environment variables), with the test's display name
    /// as the run's name, a theory row's own <c>Timeout</c> when it has one, and a skip reason from a layer other than
    /// the test's own attribute. The options are not validated here: the engine validates them when the run starts, so
    /// that an invalid value fails the test, not the discovery.
    /// </summary>
    /// <param name="test">The test being run (one data row for a theory).</param>
    /// <param name="timeoutMilliseconds">The test's <c>Timeout</c> as xUnit resolved it, in milliseconds: the row's own
    /// when it has one, else the attribute's; 0 means none.</param>
    /// <exception cref="LeakConfigurationException">A configuration layer is invalid (the message names the file and line, or the variable).</exception>
    /// <exception cref="InvalidOperationException">The test method carries no LeakGuard attribute.</exception>
    public static LeakSettings Resolve(IXunitTest test, int timeoutMilliseconds)
    {
        var method = test.TestMethod.Method;
        var attribute =
            test.TestMethod.FactAttributes.OfType<ILeakAttributeOptions>().FirstOrDefault() as IFactAttribute
            ?? throw new InvalidOperationException(
                $"LeakGuard cannot run '{test.TestCase.TestClassName}.{test.TestCase.TestMethodName}' as a leak test: it has no [NoLeak] or [NoLeakTheory] attribute."
            );
        var settings = LeakConfiguration.Resolve(method, test.TestMethod.TestClass.Class);

        // The display name (class and method, theory arguments included) names the run and its artifacts folder.
        var options = settings.Options with
        {
            TestName = test.TestDisplayName,
        };
        if (timeoutMilliseconds != attribute.Timeout)
        {
            // A data row's Timeout (e.g. [InlineData(1, Timeout = 500)]): more specific than every layer.
            options = options with
            {
                Timeout = timeoutMilliseconds == 0 ? null : TimeSpan.FromMilliseconds(timeoutMilliseconds),
                Sources =
                [
                    .. options.Sources.Where(s => s.Name != nameof(LeakOptions.Timeout)),
                    new LeakSettingSource(
                        nameof(LeakOptions.Timeout),
                        timeoutMilliseconds == 0 ? "none" : TimeSpan.FromMilliseconds(timeoutMilliseconds).ToString("c", CultureInfo.InvariantCulture),
                        $"data row of {method.Name}"
                    ),
                ],
            };
        }

        // The attribute's own Skip is xUnit's to apply, with its SkipWhen/SkipUnless conditions; only a skip from
        // another layer is LeakGuard's.
        var skipReason = settings.SkipReason == attribute.Skip ? null : settings.SkipReason;
        return new LeakSettings(options, skipReason, settings.ConfigFile);
    }
}
