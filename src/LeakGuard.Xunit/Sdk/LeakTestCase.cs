using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// The xUnit test case of a <see cref="NoLeakAttribute"/> test, or of one data row of a
/// <see cref="NoLeakTheoryAttribute"/> test. Plumbing created by xUnit; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LeakTestCase : XunitTestCase, ILeakTestCase
{
    /// <summary>Called by the de-serializer; not meant to be called from code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public LeakTestCase() { }

    internal LeakTestCase(
        IMessageSink diagnosticMessageSink,
        TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions,
        ITestMethod testMethod,
        object[]? testMethodArguments = null
    )
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod, testMethodArguments) { }

    /// <inheritdoc/>
    public override Task<RunSummary> RunAsync(
        IMessageSink diagnosticMessageSink,
        IMessageBus messageBus,
        object[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    ) =>
        new LeakTestCaseRunner(
            this,
            DisplayName,
            SkipReason,
            constructorArguments,
            TestMethodArguments,
            messageBus,
            aggregator,
            cancellationTokenSource
        ).RunAsync();

    /// <summary>The attribute's <c>Skip</c>, else a skip from LeakGuard's configuration (<see cref="LeakConfiguration"/>).</summary>
    /// <param name="factAttribute">The test's attribute.</param>
    protected override string? GetSkipReason(IAttributeInfo factAttribute) => base.GetSkipReason(factAttribute) ?? ConfiguredSkip.For(TestMethod);
}
