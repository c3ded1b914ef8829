using System.ComponentModel;
using Xunit.Sdk;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// The xUnit test case of a <see cref="NoLeakTheoryAttribute"/> test whose data rows are enumerated when it runs (rows
/// that xUnit cannot serialize, or theories with discovery enumeration off): each row is one test and one leak run.
/// Plumbing created by xUnit; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LeakTheoryTestCase : XunitDelayEnumeratedTheoryTestCase, ISelfExecutingXunitTestCase
{
    /// <summary>Called by the de-serializer; not meant to be called from code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public LeakTheoryTestCase() { }

    internal LeakTheoryTestCase(
        IXunitTestMethod testMethod,
        string testCaseDisplayName,
        string uniqueID,
        bool @explicit,
        bool skipTestWithoutData,
        Type[]? skipExceptions,
        string? skipReason,
        Type? skipType,
        string? skipUnless,
        string? skipWhen,
        Dictionary<string, HashSet<string>> traits,
        string? sourceFilePath,
        int? sourceLineNumber,
        int timeout
    )
        : base(
            testMethod,
            testCaseDisplayName,
            uniqueID,
            @explicit,
            skipTestWithoutData,
            skipExceptions,
            skipReason,
            skipType,
            skipUnless,
            skipWhen,
            traits,
            sourceFilePath,
            sourceLineNumber,
            timeout
        ) { }

    /// <inheritdoc/>
    public ValueTask<RunSummary> Run(
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    ) => LeakTestCaseRunner.Instance.Run(this, explicitOption, messageBus, constructorArguments, aggregator, cancellationTokenSource);
}
