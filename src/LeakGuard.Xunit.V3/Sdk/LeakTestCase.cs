using System.ComponentModel;
using Xunit.Sdk;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// The xUnit test case of a <see cref="NoLeakAttribute"/> test, or of one data row of a
/// <see cref="NoLeakTheoryAttribute"/> test. Plumbing created by xUnit; not meant to be used directly.
/// </summary>
/// <remarks>
/// Runs itself (<see cref="ISelfExecutingXunitTestCase"/>) through LeakGuard's test case runner. Carries nothing of
/// its own through serialization: the attribute's values are read from the test method when the test runs.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class LeakTestCase : XunitTestCase, ISelfExecutingXunitTestCase
{
    /// <summary>Called by the de-serializer; not meant to be called from code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public LeakTestCase() { }

    internal LeakTestCase(
        IXunitTestMethod testMethod,
        string testCaseDisplayName,
        string uniqueID,
        bool @explicit,
        Type[]? skipExceptions,
        string? skipReason,
        Type? skipType,
        string? skipUnless,
        string? skipWhen,
        Dictionary<string, HashSet<string>> traits,
        object?[]? testMethodArguments,
        string? sourceFilePath,
        int? sourceLineNumber,
        int timeout
    )
        : base(
            testMethod,
            testCaseDisplayName,
            uniqueID,
            @explicit,
            skipExceptions,
            skipReason,
            skipType,
            skipUnless,
            skipWhen,
            traits,
            testMethodArguments,
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
