using System.ComponentModel;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Discovers <see cref="NoLeakAttribute"/> tests: one <see cref="LeakTestCase"/> per method, with the attribute's
/// settings. Plumbing created by xUnit (named by <see cref="XunitTestCaseDiscovererAttribute"/>); not meant to be used
/// directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NoLeakDiscoverer : FactDiscoverer
{
    /// <summary>Creates the discoverer.</summary>
    /// <param name="diagnosticMessageSink">Where xUnit's diagnostic messages go.</param>
    public NoLeakDiscoverer(IMessageSink diagnosticMessageSink)
        : base(diagnosticMessageSink) { }

    /// <inheritdoc/>
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new LeakTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
}
