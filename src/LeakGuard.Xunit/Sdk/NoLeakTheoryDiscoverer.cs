using System.ComponentModel;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Discovers <see cref="NoLeakTheoryAttribute"/> tests: one <see cref="LeakTestCase"/> per data row when the rows can
/// be enumerated at discovery, otherwise one <see cref="LeakTheoryTestCase"/> that enumerates them when it runs.
/// Plumbing created by xUnit (named by <see cref="XunitTestCaseDiscovererAttribute"/>); not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NoLeakTheoryDiscoverer : TheoryDiscoverer
{
    /// <summary>Creates the discoverer.</summary>
    /// <param name="diagnosticMessageSink">Where xUnit's diagnostic messages go.</param>
    public NoLeakTheoryDiscoverer(IMessageSink diagnosticMessageSink)
        : base(diagnosticMessageSink) { }

    /// <inheritdoc/>
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod,
        IAttributeInfo theoryAttribute,
        object[] dataRow
    ) =>
        [
            new LeakTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod,
                dataRow
            ),
        ];

    /// <inheritdoc/>
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForTheory(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod,
        IAttributeInfo theoryAttribute
    ) =>
        [
            new LeakTheoryTestCase(
                DiagnosticMessageSink,
                discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(),
                testMethod
            ),
        ];
}
