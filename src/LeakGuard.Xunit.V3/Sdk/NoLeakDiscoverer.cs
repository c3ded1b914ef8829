using System.ComponentModel;
using Xunit.Sdk;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Discovers <see cref="NoLeakAttribute"/> tests: one <see cref="LeakTestCase"/> per method, in a collection with
/// parallelization disabled (see <see cref="NonParallelCollection"/>). Plumbing created by xUnit (named by
/// <see cref="XunitTestCaseDiscovererAttribute"/>); not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NoLeakDiscoverer : FactDiscoverer
{
    /// <inheritdoc/>
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute)
    {
        var method = NonParallelCollection.Of(testMethod);
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, method, factAttribute);
        return new LeakTestCase(
            details.ResolvedTestMethod,
            details.TestCaseDisplayName,
            details.UniqueID,
            details.Explicit,
            details.SkipExceptions,
            details.SkipReason,
            details.SkipType,
            details.SkipUnless,
            details.SkipWhen,
            TestIntrospectionHelper.GetTraits(method, dataRow: null),
            testMethodArguments: null,
            details.SourceFilePath,
            details.SourceLineNumber,
            details.Timeout
        );
    }
}
