using System.ComponentModel;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Discovers <see cref="NoLeakTheoryAttribute"/> tests: one <see cref="LeakTestCase"/> per data row when the rows can
/// be enumerated and serialized at discovery, otherwise one <see cref="LeakTheoryTestCase"/> that enumerates them when
/// it runs; always in a collection with parallelization disabled (see <see cref="NonParallelCollection"/>). Plumbing
/// created by xUnit (named by <see cref="XunitTestCaseDiscovererAttribute"/>); not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NoLeakTheoryDiscoverer : TheoryDiscoverer
{
    /// <inheritdoc/>
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        IXunitTestMethod testMethod,
        ITheoryAttribute theoryAttribute,
        ITheoryDataRow dataRow,
        object?[] testMethodArguments
    )
    {
        var method = NonParallelCollection.Of(testMethod);
        var details = TestIntrospectionHelper.GetTestCaseDetailsForTheoryDataRow(discoveryOptions, method, theoryAttribute, dataRow, testMethodArguments);
        IXunitTestCase testCase = new LeakTestCase(
            details.ResolvedTestMethod,
            details.TestCaseDisplayName,
            details.UniqueID,
            details.Explicit,
            details.SkipExceptions,
            details.SkipReason,
            details.SkipType,
            details.SkipUnless,
            details.SkipWhen,
            TestIntrospectionHelper.GetTraits(method, dataRow),
            testMethodArguments,
            details.SourceFilePath,
            details.SourceLineNumber,
            details.Timeout
        );
        return new([testCase]);
    }

    /// <inheritdoc/>
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForTheory(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        IXunitTestMethod testMethod,
        ITheoryAttribute theoryAttribute
    )
    {
        var method = NonParallelCollection.Of(testMethod);
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, method, theoryAttribute);
        var traits = TestIntrospectionHelper.GetTraits(method, dataRow: null);
        // Skipped unconditionally: one skipped test, without enumerating the data (there may be none), as for [Theory].
        IXunitTestCase testCase = details is { SkipReason: not null, SkipUnless: null, SkipWhen: null }
            ? new LeakTestCase(
                details.ResolvedTestMethod,
                details.TestCaseDisplayName,
                details.UniqueID,
                details.Explicit,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                traits,
                testMethodArguments: null,
                details.SourceFilePath,
                details.SourceLineNumber,
                details.Timeout
            )
            : new LeakTheoryTestCase(
                details.ResolvedTestMethod,
                details.TestCaseDisplayName,
                details.UniqueID,
                details.Explicit,
                theoryAttribute.SkipTestWithoutData,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                traits,
                details.SourceFilePath,
                details.SourceLineNumber,
                details.Timeout
            );
        return new([testCase]);
    }
}
