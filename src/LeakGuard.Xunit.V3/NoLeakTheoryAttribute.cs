using System.Runtime.CompilerServices;
using LeakGuard.Xunit.Sdk;
using Xunit;
using Xunit.v3;

namespace LeakGuard.Xunit;

/// <summary>
/// Marks a data-driven test method that must not leak. Replaces <see cref="TheoryAttribute"/>: each data row
/// (<see cref="InlineDataAttribute"/>, <see cref="MemberDataAttribute"/>, <see cref="ClassDataAttribute"/>, …) is one
/// test and one leak run, with the behaviour of <see cref="NoLeakAttribute"/>.
/// </summary>
/// <remarks>
/// <para>The properties are those of <see cref="NoLeakAttribute"/>, layered with LeakGuard's configuration in the same
/// way, and apply to every row. A row's own <c>Timeout</c>
/// (e.g. <c>[InlineData(1, Timeout = 5_000)]</c>) replaces the attribute's for that row, and is handled by LeakGuard
/// as described on <see cref="NoLeakAttribute"/>.</para>
/// <para>Rows that xUnit cannot serialize are enumerated when the test runs, as for <c>[Theory]</c>; each row is
/// still one test result and one leak run.</para>
/// <para>The remarks on parallel tests of <see cref="NoLeakAttribute"/> apply: every row runs in a collection with
/// parallelization disabled, after the parallel tests, alone.</para>
/// </remarks>
/// <example>
/// <code>
/// [NoLeakTheory]
/// [InlineData("EUR")]
/// [InlineData("USD")]
/// public void Quote_does_not_leak(string currency) => _pricing.Quote(currency);
/// </code>
/// </example>
/// <param name="sourceFilePath">Filled in by the compiler: the source file of the test, for runners that show it.</param>
/// <param name="sourceLineNumber">Filled in by the compiler: the line of the attribute, for runners that show it.</param>
[XunitTestCaseDiscoverer(typeof(NoLeakTheoryDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NoLeakTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
    : TheoryAttribute(sourceFilePath, sourceLineNumber),
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
