using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// The xUnit test case of a <see cref="NoLeakTheoryAttribute"/> test whose data rows could not be enumerated at
/// discovery (e.g. rows xUnit cannot serialize): the rows are enumerated when it runs, and each row is one test result
/// and one leak run. Plumbing created by xUnit; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LeakTheoryTestCase : XunitTheoryTestCase, ILeakTestCase
{
    /// <summary>Called by the de-serializer; not meant to be called from code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public LeakTheoryTestCase() { }

    internal LeakTheoryTestCase(
        IMessageSink diagnosticMessageSink,
        TestMethodDisplay defaultMethodDisplay,
        TestMethodDisplayOptions defaultMethodDisplayOptions,
        ITestMethod testMethod
    )
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod) { }

    /// <inheritdoc/>
    public override Task<RunSummary> RunAsync(
        IMessageSink diagnosticMessageSink,
        IMessageBus messageBus,
        object[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    ) =>
        new LeakTheoryTestCaseRunner(
            this,
            DisplayName,
            SkipReason,
            constructorArguments,
            diagnosticMessageSink,
            messageBus,
            aggregator,
            cancellationTokenSource
        ).RunAsync();

    /// <summary>The attribute's <c>Skip</c>, else a skip from LeakGuard's configuration (<see cref="LeakConfiguration"/>).</summary>
    /// <param name="factAttribute">The test's attribute.</param>
    protected override string? GetSkipReason(IAttributeInfo factAttribute) => base.GetSkipReason(factAttribute) ?? ConfiguredSkip.For(TestMethod);
}
