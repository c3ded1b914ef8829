using LeakGuard.Adapters;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Runs one leak test: xUnit's test runner (test messages, test class creation, <c>IAsyncLifetime</c>, before/after
/// attributes, dispose, output), except that invoking the test method hands it to the engine, which calls it many
/// times on the one test class instance, and turns the verdict into the test's outcome.
/// </summary>
/// <remarks>
/// <para>The settings come from every layer of LeakGuard's configuration (<see cref="LeakTestSettings"/>) and are
/// resolved before the test class is created: a skip from the configuration skips the test without creating it, and an
/// invalid configuration fails it with the <see cref="LeakConfigurationException"/>.</para>
/// <para>Outcomes: a leak (or allocation traffic over its budget) fails the test with a
/// <see cref="LeakDetectedException"/> (its message is the report); a passing run's report goes to the test output, so
/// that a pass can be read too (a plateau, an inconclusive metric); an exception from the test body, from invalid
/// options or from the timeout fails the test as it is (a skip exception, e.g. <c>Assert.Skip</c> or one of the
/// test's <c>SkipExceptions</c>, skips it).</para>
/// <para>The test's <c>Timeout</c> is LeakGuard's (<see cref="LeakOptions.Timeout"/>): xUnit's runner is given the
/// test without it, so that xUnit neither runs the test on another thread nor abandons it.</para>
/// </remarks>
internal sealed class LeakTestRunner : XunitTestRunnerBase<LeakTestRunnerContext, IXunitTest>
{
    private LeakTestRunner() { }

    public static LeakTestRunner Instance { get; } = new();

    public async ValueTask<RunSummary> Run(
        IXunitTest test,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExplicitOption explicitOption,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource,
        IReadOnlyCollection<IBeforeAfterTestAttribute> beforeAfterAttributes
    )
    {
        await using var ctxt = new LeakTestRunnerContext(
            test,
            messageBus,
            explicitOption,
            aggregator,
            cancellationTokenSource,
            beforeAfterAttributes,
            constructorArguments
        );
        await ctxt.InitializeAsync();
        return await Run(ctxt);
    }

    protected override ValueTask<TimeSpan> InvokeTest(LeakTestRunnerContext ctxt, object? testClassInstance)
    {
        // Before xUnit's own check, which would reject async void with a message that does not say why for LeakGuard.
        if (ReflectedLeakRun.IsAsyncVoid(ctxt.TestMethod))
        {
            ctxt.Aggregator.Add(ReflectedLeakRun.AsyncVoidError(ctxt.TestMethod));
            return new(TimeSpan.Zero);
        }
        return base.InvokeTest(ctxt, testClassInstance);
    }

    /// <summary>Called once, with the arguments already checked against the parameters; the returned task is awaited by xUnit.</summary>
    protected override object? InvokeTestMethod(LeakTestRunnerContext ctxt, object? testClassInstance) => RunLeakTestAsync(ctxt, testClassInstance);

    private static async Task RunLeakTestAsync(LeakTestRunnerContext ctxt, object? instance)
    {
        var method = ctxt.TestMethod;
        var arguments = ctxt.TestMethodArguments ?? [];
        // Resolved before the test class was created, when xUnit asked for the skip reason.
        if (ctxt.Settings is not { } settings)
            return; // resolving them failed: the exception is in the aggregator and fails the test
        // Progress lines (a failing run's diagnosis) go to the test's output: live with xUnit's showLiveOutput, and with the result.
        var output = TestContext.Current.TestOutputHelper;
        var options = output is null ? settings.Options : settings.Options with { Progress = new ProgressLines(output.WriteLine) };
        var cancellationToken = ctxt.CancellationTokenSource.Token;

        var report = await ReflectedLeakRun.RunAsync(method, instance, arguments, options, cancellationToken);

        if (report.Failed)
            throw new LeakDetectedException(report);
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
    }
}

/// <summary>
/// The context of a <see cref="LeakTestRunner"/>: xUnit's, with the test's <c>Timeout</c> taken out of xUnit's hands
/// and kept for LeakGuard (<see cref="TimeoutMilliseconds"/>), and the test's LeakGuard settings, whose skip reason
/// joins xUnit's.
/// </summary>
internal sealed class LeakTestRunnerContext(
    IXunitTest test,
    IMessageBus messageBus,
    ExplicitOption explicitOption,
    ExceptionAggregator aggregator,
    CancellationTokenSource cancellationTokenSource,
    IReadOnlyCollection<IBeforeAfterTestAttribute> beforeAfterTestAttributes,
    object?[] constructorArguments
)
    : XunitTestRunnerBaseContext<IXunitTest>(
        WithoutTimeout(test),
        messageBus,
        explicitOption,
        aggregator,
        cancellationTokenSource,
        beforeAfterTestAttributes,
        constructorArguments
    )
{
    private LeakSettings? _settings;
    private bool _resolved;

    /// <summary>The test's time limit in milliseconds (a theory row's own when it has one); 0 means none.</summary>
    public int TimeoutMilliseconds { get; } = test.Timeout;

    /// <summary>
    /// The test's LeakGuard settings, resolved on first use (xUnit asks for the skip reason before it creates the test
    /// class); null when resolving them failed, the exception then being in the aggregator, which fails the test.
    /// </summary>
    public LeakSettings? Settings
    {
        get
        {
            if (!_resolved)
            {
                _resolved = true;
                _settings = Aggregator.Run(() => LeakTestSettings.Resolve(Test, TimeoutMilliseconds), null);
            }
            return _settings;
        }
    }

    /// <summary>xUnit's skip reason (<c>Skip</c>, <c>SkipWhen</c>/<c>SkipUnless</c>, a skip exception), else one from LeakGuard's configuration.</summary>
    public override string? GetSkipReason(Exception? exception) => base.GetSkipReason(exception) ?? Settings?.SkipReason;

    /// <summary>The same test (same unique ID, display name, arguments, skip settings and traits) with no xUnit timeout.</summary>
    private static IXunitTest WithoutTimeout(IXunitTest test) =>
        test.Timeout == 0
            ? test
            : new XunitTest(
                test.TestCase,
                test.TestMethod,
                test.Explicit,
                test.SkipReason,
                test.SkipType,
                test.SkipUnless,
                test.SkipWhen,
                test.TestDisplayName,
                test.UniqueID,
                test.Traits,
                timeout: 0,
                test.TestMethodArguments
            );
}
