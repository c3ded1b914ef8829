using System.Runtime.CompilerServices;
using LeakGuard.Xunit.Sdk;
using Xunit;
using Xunit.v3;

namespace LeakGuard.Xunit;

/// <summary>
/// Marks a test method that must not leak. Replaces <see cref="FactAttribute"/>: the test body runs many times on one
/// instance of the test class, LeakGuard samples the managed heap, native memory, OS handles and threads after full
/// GCs, and the test fails with a <see cref="LeakDetectedException"/> whose message is the leak report when a metric
/// grows over its budget. A passing run writes its report to the test output.
/// </summary>
/// <remarks>
/// <para>Each LeakGuard property maps to the <see cref="LeakOptions"/> property of the same name. The properties set
/// on the attribute are the method layer of LeakGuard's configuration (<see cref="LeakConfiguration"/>): they override
/// <c>.config/leakguard.json</c>, <c>[assembly: LeakSettings]</c> and <c>[LeakSettings]</c> on the class, and
/// <c>LEAKGUARD_*</c> environment variables override them; a property left unset keeps the lower layers' value (in the
/// end the engine's default). A skip from another layer (<c>[LeakSettings(Skip = …)]</c>, the file's <c>skip</c>,
/// <c>LEAKGUARD_SKIP</c>) skips the test. Invalid values do not fail discovery: the test fails when it runs, with an
/// <see cref="ArgumentOutOfRangeException"/> whose message names the property and the value (an invalid configuration
/// file or variable: a <see cref="LeakConfigurationException"/> naming the file and line, or the variable).</para>
/// <para><see cref="FactAttribute.Timeout"/> (milliseconds; 0, the default, means no limit) is handled by LeakGuard,
/// not by xUnit: it becomes <see cref="LeakOptions.Timeout"/> and limits the whole leak run (warmup, iterations,
/// extensions, heap summary) for synchronous and asynchronous tests alike; when it passes, the run stops between two
/// iterations and the test fails with a <see cref="TimeoutException"/>. <see cref="FactAttribute.Skip"/>,
/// <c>SkipUnless</c>, <c>SkipWhen</c>, <c>SkipExceptions</c>, <c>Explicit</c> and <c>DisplayName</c> work as for
/// <c>[Fact]</c>; <c>Assert.Skip</c> in the body skips the test.</para>
/// <para>The test class is created once per test, as for <c>[Fact]</c>: the constructor, <c>IAsyncLifetime</c>,
/// <c>BeforeAfterTestAttribute</c>s and <c>Dispose</c>/<c>DisposeAsync</c> run once around the whole leak run, and
/// every iteration calls the method on that same instance. Warm up in the constructor what must not count as growth,
/// or rely on <see cref="WarmupIterations"/>.</para>
/// <para>Synchronous methods run on the test thread; methods returning <see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/> are awaited once per iteration. <c>async void</c>
/// methods are not supported and fail.</para>
/// <para>If the body throws, the run stops and the test fails with that exception, not with a leak report.</para>
/// <para><b>Parallel tests.</b> Allocations by other threads during a run count as growth. A <c>[NoLeak]</c> test
/// therefore runs in a test collection with parallelization disabled: its own collection when that already disables
/// parallelization, otherwise a companion of its collection (same collection definition and fixtures, display name
/// followed by <c>(LeakGuard: not parallel)</c>). xUnit v3 runs such collections after every parallel collection has
/// finished, one at a time, so no ordinary test runs during a leak run.</para>
/// </remarks>
/// <example>
/// <code>
/// public class OrderCacheTests
/// {
///     [NoLeak]
///     public void Lookup_does_not_leak() => _cache.Lookup(42);
///
///     [NoLeak(Iterations = 100, MaxManagedBytesPerIteration = 64, Timeout = 30_000)]
///     public async Task Refresh_does_not_leak() => await _cache.RefreshAsync();
/// }
/// </code>
/// </example>
/// <param name="sourceFilePath">Filled in by the compiler: the source file of the test, for runners that show it.</param>
/// <param name="sourceLineNumber">Filled in by the compiler: the line of the attribute, for runners that show it.</param>
[XunitTestCaseDiscoverer(typeof(NoLeakDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoLeakAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    : FactAttribute(sourceFilePath, sourceLineNumber),
        ILeakAttributeOptions
{
    /// <summary>
    /// Measured iterations in the first round, sampled every few iterations (<see cref="LeakOptions.EffectiveIterationsPerSample"/>). Default 50. Must be at least 1 (8 or more
    /// for a conclusive verdict). See <see cref="LeakOptions.Iterations"/>.
    /// </summary>
    public int Iterations { get; set; } = LeakOptions.Default.Iterations;

    /// <summary>Unmeasured iterations run before the first sample. Default 5. Must be 0 or more. See <see cref="LeakOptions.WarmupIterations"/>.</summary>
    public int WarmupIterations { get; set; } = LeakOptions.Default.WarmupIterations;

    /// <summary>
    /// The most measured iterations the run may extend to when the evidence is not conclusive. 0 (the default) means the
    /// engine's default, 16 × <see cref="Iterations"/>; otherwise must be at least <see cref="Iterations"/>.
    /// See <see cref="LeakOptions.MaxIterations"/>.
    /// </summary>
    public int MaxIterations { get; set; }

    /// <summary>Budget for managed heap growth, in bytes per iteration. Default 0. Must be 0 or more. See <see cref="LeakOptions.MaxManagedBytesPerIteration"/>.</summary>
    public double MaxManagedBytesPerIteration { get; set; } = LeakOptions.Default.MaxManagedBytesPerIteration;

    /// <summary>Budget for native memory growth, in bytes per iteration. Default 512. Must be 0 or more. See <see cref="LeakOptions.MaxNativeBytesPerIteration"/>.</summary>
    public double MaxNativeBytesPerIteration { get; set; } = LeakOptions.Default.MaxNativeBytesPerIteration;

    /// <summary>Budget for growth of open OS handles, in handles per iteration. Default 0. Must be 0 or more. See <see cref="LeakOptions.MaxHandlesPerIteration"/>.</summary>
    public double MaxHandlesPerIteration { get; set; } = LeakOptions.Default.MaxHandlesPerIteration;

    /// <summary>Budget for growth of OS threads, in threads per iteration. Default 0. Must be 0 or more. See <see cref="LeakOptions.MaxThreadsPerIteration"/>.</summary>
    public double MaxThreadsPerIteration { get; set; } = LeakOptions.Default.MaxThreadsPerIteration;

    /// <summary>Two-sided confidence level of the slope interval, between 0.5 and 0.999. Default 0.95. See <see cref="LeakOptions.ConfidenceLevel"/>.</summary>
    public double ConfidenceLevel { get; set; } = LeakOptions.Default.ConfidenceLevel;

    /// <summary>
    /// Whether a managed leak is diagnosed with heap snapshots and the top growing types. Default
    /// <see langword="true"/>. A snapshot is a dump of the test process (about a second each, and it holds everything in
    /// memory, secrets included). See <see cref="LeakOptions.CaptureHeapSummary"/>.
    /// </summary>
    public bool CaptureHeapSummary { get; set; } = LeakOptions.Default.CaptureHeapSummary;

    /// <summary>How many growing types the heap summary lists. Default 10. Must be at least 1. See <see cref="LeakOptions.TopTypes"/>.</summary>
    public int TopTypes { get; set; } = LeakOptions.Default.TopTypes;

    /// <summary>
    /// Folder for the temporary heap dumps; <see langword="null"/> (the default) means a <c>leakguard</c> folder under the
    /// temp path. See <see cref="LeakOptions.SnapshotDirectory"/>.
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
}
