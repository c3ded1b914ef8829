using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace LeakGuard.NUnit;

/// <summary>
/// Turns an NUnit test into a leak regression test: the test body runs many times and the test fails when the
/// managed heap, native memory, OS handles or threads keep growing over their budget per iteration.
/// Use it next to <see cref="TestAttribute"/>, <see cref="TestCaseAttribute"/> or any other test attribute:
/// <c>[Test, NoLeak(Iterations = 50)]</c>.
/// </summary>
/// <remarks>
/// <para><b>What runs how often.</b> The attribute wraps only the test method body (<see cref="IWrapTestMethod"/>):
/// <c>[SetUp]</c> and <c>[TearDown]</c> run once per test, around the whole leak run, and every iteration calls the
/// body on the same fixture instance. The body runs <see cref="WarmupIterations"/> + <see cref="Iterations"/> times,
/// more when the run is extended (up to <see cref="MaxIterations"/>) or a heap summary is taken. <c>async Task</c>
/// tests are supported: NUnit's own method command awaits each call before the next iteration starts. The test
/// reports one result.</para>
/// <para><b>Verdicts.</b> On a leak the result is set to <see cref="ResultState.Failure"/> with the LeakGuard report as
/// its message, as NUnit's <see cref="MaxTimeAttribute"/> reports a time budget breach. When the body throws, the run
/// stops and the test fails with that exception, as without the attribute. When an iteration leaves a result that is
/// not a pass without throwing (a failure recorded inside a multiple-assert scope, a warning), the run stops and that
/// result is kept. Options out of range make the test not runnable with the engine's message, which names the
/// property and the value.</para>
/// <para><b>Parallel suites.</b> A leak run samples the whole process, so memory and threads allocated by other tests
/// running at the same time would be counted as growth. The attribute therefore marks the test non-parallelizable
/// (<see cref="ParallelScope.None"/>, as <see cref="NonParallelizableAttribute"/> does, also for the test cases of a
/// parameterized method): NUnit's parallel dispatcher runs such tests in its non-parallel shift, which starts only when
/// no parallel work is running. Combining it with <see cref="ParallelizableAttribute"/> on the same method makes the
/// test not runnable. Leak runs are also serialised process-wide by the engine.</para>
/// <para><b>Caveats.</b> Text the body writes to the console or <see cref="TestContext.Out"/> is kept by NUnit in the
/// test result on every iteration, and that growing text is managed memory: write output outside the body, or raise
/// <see cref="MaxManagedBytesPerIteration"/>. <c>Assert.Pass</c>, <c>Assert.Ignore</c> and <c>Assert.Inconclusive</c>
/// in the body end the test, and with it the leak run, as they do without the attribute.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class NoLeakAttribute : NUnitAttribute, IWrapTestMethod, IApplyToTest, IApplyToContext, ILeakAttributeOptions
{
    /// <summary>
    /// Number of measured iterations in the first round, sampled every few iterations (<see cref="LeakOptions.EffectiveIterationsPerSample"/>). Default 50
    /// (<see cref="LeakOptions.Iterations"/>). Must be between 1 and 100000; below 8 the run passes with low evidence.
    /// </summary>
    public int Iterations { get; set; } = LeakOptions.Default.Iterations;

    /// <summary>Unmeasured iterations before the first sample (JIT, static constructors, lazy caches). Default 5. Must be 0 or more.</summary>
    public int WarmupIterations { get; set; } = LeakOptions.Default.WarmupIterations;

    /// <summary>
    /// The most measured iterations a run may take when it is extended because the evidence is not conclusive or the
    /// growth may still level off. 0 (the default) means the engine's default, 16 × <see cref="Iterations"/>.
    /// Otherwise it must be at least <see cref="Iterations"/>; set it equal to <see cref="Iterations"/> to never extend.
    /// </summary>
    public int MaxIterations { get; set; }

    /// <summary>Budget for managed heap growth, in bytes per iteration. Default 0. Must be 0 or more.</summary>
    public double MaxManagedBytesPerIteration { get; set; } = LeakOptions.Default.MaxManagedBytesPerIteration;

    /// <summary>Budget for native memory growth, in bytes per iteration. Default 512. Must be 0 or more. See <see cref="LeakOptions.MaxNativeBytesPerIteration"/> for why it is not 0.</summary>
    public double MaxNativeBytesPerIteration { get; set; } = LeakOptions.Default.MaxNativeBytesPerIteration;

    /// <summary>Budget for growth of open OS handles (file descriptors on Linux and macOS), in handles per iteration. Default 0. Must be 0 or more.</summary>
    public double MaxHandlesPerIteration { get; set; } = LeakOptions.Default.MaxHandlesPerIteration;

    /// <summary>Budget for growth of OS threads in the process, in threads per iteration. Default 0. Must be 0 or more.</summary>
    public double MaxThreadsPerIteration { get; set; } = LeakOptions.Default.MaxThreadsPerIteration;

    /// <summary>
    /// Time limit for the whole leak run, in milliseconds. 0 (the default) means no limit. When it passes, the run stops
    /// between iterations and the test fails with a <see cref="TimeoutException"/>. Must be 0 or positive.
    /// NUnit's own <c>[Timeout]</c>/<c>[CancelAfter]</c> also apply, around SetUp, the run and TearDown.
    /// </summary>
    public int Timeout { get; set; }

    /// <summary>Two-sided confidence level of the growth slope's interval, between 0.5 and 0.999. Default 0.95.</summary>
    public double ConfidenceLevel { get; set; } = LeakOptions.Default.ConfidenceLevel;

    /// <summary>
    /// Whether a run whose managed heap leaks takes two heap snapshots and lists the top growing types in the report.
    /// Default <see langword="true"/>. Costs a few seconds, only on a leak.
    /// </summary>
    public bool CaptureHeapSummary { get; set; } = LeakOptions.Default.CaptureHeapSummary;

    /// <summary>How many growing types the heap summary lists. Default 10. Must be at least 1.</summary>
    public int TopTypes { get; set; } = LeakOptions.Default.TopTypes;

    /// <summary>
    /// Folder for the temporary heap dumps of the heap summary (deleted after reading). <see langword="null"/> (the
    /// default) means a <c>leakguard</c> folder under the temp path. A dump holds everything in the process's memory.
    /// </summary>
    public string? SnapshotDirectory { get; set; }

    /// <summary>
    /// When the run writes its artifacts (report JSON, one SVG chart per metric, a Markdown summary): on a leak (the
    /// default), always or never. See <see cref="LeakOptions.Artifacts"/> and <c>docs/artifacts.md</c>.
    /// </summary>
    public ArtifactPolicy Artifacts { get; set; } = LeakOptions.Default.Artifacts;

    /// <summary>
    /// The folder under which the artifacts go, in a subfolder named after the test; <see langword="null"/> (the default)
    /// means <c>LEAKGUARD_ARTIFACTS_DIRECTORY</c> when set, else <c>TestResults/leakguard</c> in the test project's
    /// folder. See <see cref="LeakOptions.ArtifactsDirectory"/>.
    /// </summary>
    public string? ArtifactsDirectory { get; set; }

    /// <summary>
    /// Budget for allocation traffic, in bytes allocated per measured iteration (every allocation, also of objects
    /// collected at once). <see cref="double.PositiveInfinity"/> (the default) means no budget; otherwise must be 0 or
    /// more. The cross-platform counterpart of dotMemory Unit's <c>[AssertTraffic]</c>. See
    /// <see cref="LeakOptions.MaxAllocatedBytesPerIteration"/> for how it is counted.
    /// </summary>
    public double MaxAllocatedBytesPerIteration { get; set; } = double.PositiveInfinity;

    /// <summary>
    /// When set (not empty), the test is skipped (NUnit's <c>Ignored</c>) with this reason, as <c>[Ignore("…")]</c> would.
    /// Skips from <c>[LeakSettings]</c>, <c>.config/leakguard.json</c> and <c>LEAKGUARD_SKIP</c> apply the same way.
    /// </summary>
    public string? Skip { get; set; }

    /// <summary>
    /// The settings of a test from every layer (<see cref="LeakConfiguration"/>: the file, <c>[LeakSettings]</c> on the
    /// assembly and the fixture, this attribute, the environment); this attribute's values alone when the test has no
    /// reflection method (not validated).
    /// </summary>
    internal LeakSettings ResolveSettings(ITest test)
    {
        if (test.Method?.MethodInfo is { } method)
            return LeakConfiguration.Resolve(method, test.TypeInfo?.Type);
        return new LeakSettings(LeakOptions.FromAttribute(this, Timeout), string.IsNullOrWhiteSpace(Skip) ? null : Skip, null);
    }

    /// <summary>
    /// Called by NUnit when it builds the test: validates the options and marks the test non-parallelizable.
    /// Users do not call it.
    /// </summary>
    /// <param name="test">The test method, or the suite of a parameterized method.</param>
    /// <remarks>Out-of-range options, or <see cref="ParallelizableAttribute"/> with <see cref="ParallelScope.Self"/> on
    /// the same method, make the test not runnable with a message saying why.</remarks>
    public void ApplyToTest(Test test)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (test.RunState == RunState.NotRunnable)
            return;

        LeakSettings settings;
        try
        {
            settings = ResolveSettings(test);
            settings.Options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            test.MakeInvalid("[NoLeak] " + ex.Message);
            return;
        }
        catch (LeakConfigurationException ex)
        {
            test.MakeInvalid("[NoLeak] " + ex.Message);
            return;
        }

        if (settings.SkipReason is { } skip && test.RunState != RunState.Ignored)
        {
            test.RunState = RunState.Ignored;
            test.Properties.Set(PropertyNames.SkipReason, skip);
        }

        if (test.Method?.GetCustomAttributes<ParallelizableAttribute>(inherit: true).Any(p => p.Scope.HasFlag(ParallelScope.Self)) == true)
        {
            test.MakeInvalid("[NoLeak] tests run alone so that other tests' allocations are not counted as growth; remove [Parallelizable] from this method.");
            return;
        }

        // As [NonParallelizable]: the dispatcher queues the test for its non-parallel shift.
        test.Properties.Set(PropertyNames.ParallelScope, ParallelScope.None);
    }

    /// <summary>
    /// Called by NUnit before the test runs: clears inherited parallelism from the context, so that the test cases of a
    /// parameterized <c>[NoLeak]</c> method run one after another inside its non-parallel suite, as
    /// <see cref="NonParallelizableAttribute"/> does. Users do not call it.
    /// </summary>
    /// <param name="context">The execution context of the test or of the parameterized method's suite.</param>
    public void ApplyToContext(TestExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ParallelScope = ParallelScope.Default;
    }

    /// <summary>
    /// Called by NUnit when it builds the command that runs the test: wraps the command that invokes the test method
    /// (inside SetUp and TearDown) in one that runs it through the LeakGuard engine. Users do not call it.
    /// </summary>
    /// <param name="command">NUnit's command invoking the test method.</param>
    /// <returns>The wrapping command.</returns>
    public TestCommand Wrap(TestCommand command) => new NoLeakCommand(command, this);
}
