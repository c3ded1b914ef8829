namespace LeakGuard;

/// <summary>
/// Settings for one leak run: how many iterations, the warmup, and the growth budget of each metric.
/// An immutable object: create it with an object initializer, derive variants with <c>with</c>.
/// </summary>
/// <remarks>
/// <para>Budgets are <b>per iteration</b>: a run fails when the fitted growth slope of a metric, and the lower
/// bound of its confidence interval, both exceed the metric's budget, and the growth does not level off
/// (a plateau) before <see cref="MaxIterations"/>.</para>
/// <para>The defaults (budgets 0, native 512 B, <see cref="Iterations"/> = 50) catch one leaked 24-byte object per
/// iteration, one leaked object every fourth iteration, 1 KiB of native memory per iteration, one OS handle per
/// iteration and one thread per iteration, and pass caches that fill up and level off.</para>
/// <para>Options are validated when a run starts: an invalid value throws <see cref="ArgumentOutOfRangeException"/>
/// whose message names the property and the value.</para>
/// </remarks>
public sealed record LeakOptions
{
    /// <summary>The default options.</summary>
    public static LeakOptions Default { get; } = new();

    /// <summary>
    /// Number of measured iterations in the first round. Default 50. Must be at least 1. A sample is taken every
    /// <see cref="EffectiveIterationsPerSample"/> iterations (4 for the default); the statistics need at least 8 samples
    /// a round to tell growth from noise, so values from 1 to 7 run but report a low-evidence pass.
    /// </summary>
    public int Iterations { get; init; } = 50;

    /// <summary>
    /// Iterations between two samples in the first round (each later round doubles it). Each sample costs a full
    /// blocking compacting GC, pending finalizers and another full GC; the iterations between samples run without any
    /// forced collection. <see langword="null"/> (the default) means automatic: <c>Iterations / 12</c>, between 1 and 4
    /// (4 for <see cref="Iterations"/> = 50: 13 samples a round, the last 2 iterations after the one before it), so a
    /// round keeps at least 12 samples. 1 takes a sample after every iteration, as a hand-written loop with a GC per
    /// iteration does. Must be between 1 and <see cref="Iterations"/>.
    /// </summary>
    /// <remarks>
    /// Budgets stay per iteration: the slope is fitted against the iteration number of each sample. Spaced samples
    /// make a leak of one object every fourth iteration a steady rise of one object per sample, and cost a quarter of the
    /// collections of a sample per iteration.
    /// </remarks>
    public int? IterationsPerSample { get; init; }

    /// <summary>
    /// Iterations run before the first sample and not measured, so that one-time initialisation (JIT, static
    /// constructors, lazy caches) is not counted. Default 5. Must be 0 or more.
    /// </summary>
    public int WarmupIterations { get; init; } = 5;

    /// <summary>
    /// The most iterations a run may take (warmup not counted) when the evidence after <see cref="Iterations"/> is
    /// not conclusive, or growth may still level off. The run is extended in rounds that double the iterations
    /// between samples, keeping the first round's number of samples, while the total stays within this bound.
    /// <see langword="null"/> (the default) means 16 × <see cref="Iterations"/>. Set it equal to
    /// <see cref="Iterations"/> to never extend. Must be at least <see cref="Iterations"/>.
    /// </summary>
    /// <remarks>
    /// Without extension the verdict rests on one round: a cache still filling, or growth by other threads during that
    /// round (a test runner's reflection, say), cannot be told from a leak. Extension is how LeakGuard tells them apart.
    /// </remarks>
    public int? MaxIterations { get; init; }

    /// <summary>
    /// Budget for managed heap growth, in bytes per iteration. The figure is the live bytes recorded by the last of a
    /// full blocking compacting GC, pending finalizers and another GC (<see cref="GC.GetGCMemoryInfo(GCKind)"/>: size
    /// after minus fragmentation, summed over generations). Default 0. Must be 0 or more.
    /// </summary>
    public double MaxManagedBytesPerIteration { get; init; }

    /// <summary>
    /// Budget for native heap growth, in bytes per iteration. Default 512. Must be 0 or more.
    /// The source of the figure depends on the platform: Linux/glibc <c>mallinfo2()</c> <c>uordblks + hblkhd</c>
    /// (bytes in use in malloc arenas plus bytes in mmapped chunks); Windows <c>HeapSummary</c> of every process heap
    /// (bytes allocated); macOS <c>malloc_zone_statistics</c> (bytes in use in all zones); elsewhere the anonymous
    /// resident memory (<c>RssAnon</c>) minus the managed heap, which is page-granular and noisier.
    /// </summary>
    /// <remarks>
    /// Native memory is shared with the runtime and the test runner. Measured in busy test hosts (the NUnit and xUnit
    /// pipelines calling an empty test body), the runtime's own work per iteration (JIT, reflection stubs, allocator
    /// caches) grows the native heap by up to about 200 B per iteration that is not the operation's; the default
    /// budget keeps that from failing clean tests and still catches 1 KiB per iteration. Set 0 to catch smaller native
    /// leaks in a quiet process.
    /// </remarks>
    public double MaxNativeBytesPerIteration { get; init; } = 512;

    /// <summary>
    /// Budget for growth of open OS handles (file descriptors on Linux and macOS, kernel handles on Windows), in
    /// handles per iteration. Default 0. Must be 0 or more.
    /// </summary>
    public double MaxHandlesPerIteration { get; init; }

    /// <summary>Budget for growth of OS threads in the process, in threads per iteration. Default 0. Must be 0 or more.</summary>
    public double MaxThreadsPerIteration { get; init; }

    /// <summary>
    /// Time limit for the whole run (warmup, iterations, extensions, attribution, heap summary). <see langword="null"/>
    /// (the default) means no limit. When it passes during the iterations, the run stops at the next iteration and
    /// throws <see cref="TimeoutException"/>; an iteration that has not returned 2 s after the limit is left behind
    /// (it cannot be interrupted) and the run throws <see cref="TimeoutException"/> saying so, so the test host goes on.
    /// When it passes during the diagnosis after the verdict, the verdict stands and the report says the heap summary
    /// ran out of time. Must be positive when set.
    /// </summary>
    /// <remarks>
    /// With a time limit, a synchronous operation runs on a thread of LeakGuard's ("LeakGuard run"), not on the
    /// calling thread, so that a hanging iteration can be left behind.
    /// </remarks>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Two-sided confidence level of the slope interval, between 0.5 and 0.999. Default 0.95. A metric is over
    /// budget only when the lower bound of this interval is above the budget.
    /// </summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>
    /// Whether a run that leaks (managed heap, native memory or handles), or whose managed heap verdict is ambiguous,
    /// takes three heap snapshots (dumps of the process), <c>max(1, Iterations / 2)</c> iterations apart, and reports
    /// the top types that grew in both intervals with their retention paths. The snapshots are read by ClrMD in a child
    /// process. Default <see langword="true"/>. A passing report keeps no heap summary.
    /// </summary>
    public bool CaptureHeapSummary { get; init; } = true;

    /// <summary>How many growing types the heap summary lists, most bytes per iteration first. Default 10. Must be at least 1.</summary>
    public int TopTypes { get; init; } = 10;

    /// <summary>
    /// How many of the heap summary's top types get retention paths (the shortest paths from GC roots to their
    /// instances). Default 5; 0 for none. Must be between 0 and 100; values above <see cref="TopTypes"/> mean
    /// all of them.
    /// </summary>
    public int RetentionPathTypes { get; init; } = 5;

    /// <summary>
    /// Whether a run that takes a heap summary keeps its last heap snapshot (a dump of the whole process) as
    /// <c>heap.dmp</c> in its artifacts folder (<see cref="LeakArtifacts.GetDirectory"/>), to be opened later with
    /// <c>dotnet-dump analyze</c>, the LeakGuard CLI or <c>LeakGuard.HeapAnalysis</c>. Default <see langword="false"/>:
    /// every dump is deleted. A dump holds everything in the process's memory, secrets included: it is created readable
    /// by its owner only (mode 0600), and not kept when larger than <see cref="MaxHeapDumpBytes"/>. On Linux, where
    /// the snapshots are otherwise copies of the process's memory read from memory, setting it makes them dumps
    /// (written with <c>createdump</c>: a slower diagnosis, by a few full GCs' time per snapshot).
    /// </summary>
    public bool KeepHeapDump { get; init; }

    /// <summary>The largest heap dump <see cref="KeepHeapDump"/> keeps, in bytes. Default 2 GiB. Must be at least 1.</summary>
    public long MaxHeapDumpBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// Time limit for the heap analysis child process after the last of the three heap snapshots is written (the child
    /// starts before the first and reads each as it is written; then it diffs the histograms and searches the retention
    /// paths). Default 2 minutes. When it passes, the child is stopped, the verdict stands and the report says why the
    /// heap summary is missing. Must be positive.
    /// </summary>
    public TimeSpan HeapAnalysisTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Folder for the temporary heap dumps of the heap summary (where its snapshots are dumps: not on Linux, when a
    /// copy of the memory cannot be taken, or with <see cref="KeepHeapDump"/>) and for the analysis child's runtime
    /// configuration; dumps are deleted after reading. <see langword="null"/>
    /// (the default) means <c>&lt;temp&gt;/leakguard-&lt;uid&gt;</c> on Unix and <c>&lt;temp&gt;\leakguard</c> on Windows,
    /// <c>&lt;temp&gt;</c> being <see cref="Path.GetTempPath"/>. A dump holds everything in the process's memory, secrets
    /// included: a folder that another user can write is refused (the verdict stands; the report says why).
    /// </summary>
    public string? SnapshotDirectory { get; init; }

    /// <summary>
    /// Name of the test or scenario the run belongs to, e.g. <c>Contoso.Tests.OrderTests.Lookup_does_not_leak</c>.
    /// <see langword="null"/> (the default) means unnamed. When set, the first line of the report names it, and it names
    /// the run's artifacts folder under <see cref="ArtifactsDirectory"/> (made a safe file name: characters other than
    /// ASCII letters, digits and <c>. - _ ( ) [ ] , + = @</c> become <c>_</c>; a name that this changed, or that is over
    /// 100 characters, is cut to 91 and ends with a hash of the exact name, so that every test has its own folder, the
    /// same on every run). Unnamed runs share the folder <c>leak-run</c>. The xUnit and NUnit adapters set it
    /// to the test's full display name; <c>ShouldNotLeak</c> to the caller's expression.
    /// </summary>
    public string? TestName { get; init; }

    /// <summary>
    /// When the run writes its artifacts: the report as JSON (<c>report.json</c>), an SVG chart of every measured
    /// metric (sample growth against iteration, with the fitted slope, its confidence band and the budget) and a
    /// Markdown summary (<c>summary.md</c>, for a CI step summary). Default <see cref="ArtifactPolicy.OnFailure"/>:
    /// only runs that find a leak write them. Must be a defined <see cref="ArtifactPolicy"/>.
    /// </summary>
    /// <remarks>
    /// Writing never fails the run: when a file cannot be written the verdict stands and
    /// <see cref="LeakReport.ArtifactsUnavailableReason"/> (and the report's last line) says why. Files of an earlier run of
    /// the same test are overwritten. See <c>docs/artifacts.md</c>.
    /// </remarks>
    public ArtifactPolicy Artifacts { get; init; } = ArtifactPolicy.OnFailure;

    /// <summary>
    /// The folder under which every run writes its artifacts, each run in a subfolder named after
    /// <see cref="TestName"/>. A relative path is relative to the current directory. <see langword="null"/> (the
    /// default) means: the environment variable <c>LEAKGUARD_ARTIFACTS_DIRECTORY</c> when it is set and not empty;
    /// otherwise a <c>leakguard</c> folder in the test results directory, that is the <c>TestResults</c> folder of the
    /// nearest folder, walking up from <see cref="AppContext.BaseDirectory"/> (the test assembly's folder, e.g.
    /// <c>bin/Debug/net10.0</c>), that holds a <c>*.csproj</c>, <c>*.fsproj</c> or <c>*.vbproj</c> file (the project
    /// folder: <c>dotnet test</c>'s default results directory); when there is none,
    /// <c>TestResults/leakguard</c> under <see cref="AppContext.BaseDirectory"/>. Must not be empty or white space when
    /// set, nor contain characters invalid in a path.
    /// </summary>
    /// <remarks>
    /// <c>dotnet test --results-directory</c> is not visible to the test process: set the environment variable (or
    /// this option) to put the artifacts next to results written elsewhere.
    /// </remarks>
    public string? ArtifactsDirectory { get; init; }

    /// <summary>
    /// Budget for allocation traffic, in bytes allocated per measured iteration (not growth: every allocation counts,
    /// also of objects collected at once). <see langword="null"/> (the default) means no budget. Must be 0 or more
    /// when set. The figure is the bytes allocated during the measured iterations divided by their number (warmup,
    /// sampling and the heap summary not included): synchronous runs (<see cref="LeakTest.Run"/>) count the calling
    /// thread's allocations (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), asynchronous runs the whole
    /// process's (<see cref="GC.GetTotalAllocatedBytes(bool)"/> with <c>precise: true</c>), which includes what other
    /// threads allocate meanwhile. The cross-platform counterpart of dotMemory Unit's <c>[AssertTraffic]</c>.
    /// </summary>
    public double? MaxAllocatedBytesPerIteration { get; init; }

    /// <summary>
    /// Rules that set aside managed heap growth of known caches and third-party leaks: a metric verdict
    /// <see cref="MetricVerdict.Leak"/> on the managed heap becomes <see cref="MetricVerdict.Ignored"/> when the types
    /// the rules match explain the growth over budget (see <see cref="LeakIgnoreRule"/>). Needs the heap summary
    /// (<see cref="CaptureHeapSummary"/>). Default empty. The report lists the rules that matched and how much growth
    /// each set aside (<see cref="LeakReport.IgnoredGrowth"/>).
    /// </summary>
    public IReadOnlyList<LeakIgnoreRule> IgnoreRules { get; init; } = [];

    /// <summary>
    /// Path of the baseline file (<c>leakguard.baseline.json</c>: the slopes recorded per test; see
    /// <see cref="LeakBaseline"/> and <c>docs/baselines.md</c>). When set and the run is named (<see cref="TestName"/>)
    /// and the file has an entry for it, each metric's budget becomes the baseline budget
    /// (<see cref="LeakBaseline.GetBudget"/>): tighter than <see cref="MaxManagedBytesPerIteration"/> and the others when
    /// the test met them when recorded, looser for a known leak accepted in the baseline. <see langword="null"/> (the
    /// default) means no baseline. A file that does not exist means no entries; a malformed one fails the run with a
    /// <see cref="LeakConfigurationException"/>.
    /// </summary>
    public string? BaselineFile { get; init; }

    /// <summary>
    /// How far a slope may rise above its baseline before the test fails, relative to the baseline: 0.25 (the default)
    /// is 25 %. An absolute floor per metric applies too (<see cref="LeakBaseline.GetBudget"/>). Must be between 0 and 10.
    /// </summary>
    public double BaselineTolerance { get; init; } = 0.25;

    /// <summary>
    /// Where each setting in force came from, when the options were built by <see cref="LeakConfiguration"/>: one
    /// entry per setting that a layer set (a file, an attribute, an environment variable), even to its default value. Empty for
    /// options created in code. Shown in the report.
    /// </summary>
    public IReadOnlyList<LeakSettingSource> Sources { get; init; } = [];

    /// <summary>
    /// Receives what the run is doing when it starts work that takes seconds after the verdict: the native attribution
    /// run, the heap snapshots, the heap analysis, and the end of the diagnosis (see <see cref="LeakProgress"/>).
    /// <see langword="null"/> (the default) reports nothing. The adapters set it: NUnit writes to
    /// <c>TestContext.Progress</c> (shown as the test runs), xUnit v2 and v3 to the test's output (shown as the test runs
    /// with xUnit's <c>showLiveOutput</c> setting, and with the test's result).
    /// </summary>
    /// <remarks>
    /// Called on the run's thread, synchronously, never between samples nor between heap snapshots: what a handler
    /// allocates there would be measured as growth. Use a synchronous <see cref="IProgress{T}"/>:
    /// <see cref="Progress{T}"/> posts to the captured synchronization context, so its handler may run later, during
    /// the measurement. An exception thrown by the handler is caught and ignored (it cannot lose the verdict). Not a
    /// setting of the configuration layers (no file key, attribute property or environment variable).
    /// </remarks>
    public IProgress<LeakProgress>? Progress { get; init; }

    /// <summary>The iteration bound in force: <see cref="MaxIterations"/>, or 16 × <see cref="Iterations"/> when it is null.</summary>
    public int EffectiveMaxIterations => MaxIterations ?? checked(Iterations * 16);

    /// <summary>
    /// The iterations between samples in the first round: <see cref="IterationsPerSample"/>, or, when it is null,
    /// <c>Iterations / 12</c> clamped to 1–4.
    /// </summary>
    public int EffectiveIterationsPerSample => IterationsPerSample ?? Math.Clamp(Iterations / 12, 1, 4);

    /// <summary>Samples per round: <see cref="Iterations"/> / <see cref="EffectiveIterationsPerSample"/>, rounded up.</summary>
    internal int SamplesPerRound => (Iterations + EffectiveIterationsPerSample - 1) / Math.Max(1, EffectiveIterationsPerSample);

    /// <summary>
    /// Checks every property and throws when one is out of range.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the message names the property and
    /// its value, e.g. <c>LeakOptions.Iterations must be at least 1, but was 0.</c></exception>
    public void Validate()
    {
        if (FindInvalid() is { } invalid)
            throw Invalid(invalid.Property, invalid.Value, invalid.Rule);
        if (IgnoreRules is null || IgnoreRules.Any(r => r is null))
            throw new ArgumentNullException(nameof(IgnoreRules), "LeakOptions.IgnoreRules must not be null nor contain null.");
    }

    /// <summary>The properties <see cref="Validate"/> checks, in the order it checks them.</summary>
    private static readonly string[] CheckedProperties =
    [
        nameof(Iterations),
        nameof(WarmupIterations),
        nameof(MaxIterations),
        nameof(IterationsPerSample),
        nameof(MaxManagedBytesPerIteration),
        nameof(MaxNativeBytesPerIteration),
        nameof(MaxHandlesPerIteration),
        nameof(MaxThreadsPerIteration),
        nameof(Timeout),
        nameof(ConfidenceLevel),
        nameof(TopTypes),
        nameof(RetentionPathTypes),
        nameof(MaxHeapDumpBytes),
        nameof(HeapAnalysisTimeout),
        nameof(Artifacts),
        nameof(MaxAllocatedBytesPerIteration),
        nameof(BaselineTolerance),
        nameof(BaselineFile),
        nameof(ArtifactsDirectory),
    ];

    /// <summary>The first property out of range, in the order <see cref="Validate"/> checks them; null when all are valid.</summary>
    internal InvalidOption? FindInvalid()
    {
        foreach (var property in CheckedProperties)
        {
            if (Check(property) is { } invalid)
                return invalid;
        }
        return null;
    }

    /// <summary>
    /// The rule <paramref name="property"/> breaks, with its value; null when it is valid (or not a checked property).
    /// </summary>
    /// <param name="property">A <see cref="LeakOptions"/> property name.</param>
    /// <param name="alone">Leave out the rules that compare it with another property (<see cref="MaxIterations"/> at
    /// least <see cref="Iterations"/>): for a layer that sets one property and not the other, e.g. the JSON file.</param>
    internal InvalidOption? Check(string property, bool alone = false)
    {
        string? rule = null;
        object? value = null;
        switch (property)
        {
            case nameof(Iterations):
                (value, rule) = (
                    Iterations,
                    Iterations < 1 ? "must be at least 1"
                    : Iterations > IterationsLimit ? $"must be at most {IterationsLimit}"
                    : null
                );
                break;
            case nameof(WarmupIterations):
                (value, rule) = (WarmupIterations, WarmupIterations < 0 ? "must be 0 or more" : null);
                break;
            case nameof(MaxIterations) when MaxIterations is { } max:
                value = max;
                if (alone)
                    rule = max is < 1 or > MaxIterationsLimit ? $"must be between 1 and {MaxIterationsLimit}" : null;
                else
                    rule = max < Iterations || max > MaxIterationsLimit ? $"must be at least Iterations ({Iterations}) and at most {MaxIterationsLimit}" : null;
                break;
            case nameof(IterationsPerSample) when IterationsPerSample is { } perSample:
                value = perSample;
                if (alone)
                    rule = perSample is < 1 or > IterationsLimit ? $"must be between 1 and {IterationsLimit}" : null;
                else
                    rule = perSample < 1 || perSample > Iterations ? $"must be between 1 and Iterations ({Iterations})" : null;
                break;
            case nameof(MaxManagedBytesPerIteration):
                (value, rule) = (MaxManagedBytesPerIteration, BudgetRule(MaxManagedBytesPerIteration));
                break;
            case nameof(MaxNativeBytesPerIteration):
                (value, rule) = (MaxNativeBytesPerIteration, BudgetRule(MaxNativeBytesPerIteration));
                break;
            case nameof(MaxHandlesPerIteration):
                (value, rule) = (MaxHandlesPerIteration, BudgetRule(MaxHandlesPerIteration));
                break;
            case nameof(MaxThreadsPerIteration):
                (value, rule) = (MaxThreadsPerIteration, BudgetRule(MaxThreadsPerIteration));
                break;
            case nameof(Timeout) when Timeout is { } timeout:
                (value, rule) = (timeout, timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan ? "must be positive" : null);
                break;
            case nameof(ConfidenceLevel):
                (value, rule) = (ConfidenceLevel, !(ConfidenceLevel >= 0.5 && ConfidenceLevel <= 0.999) ? "must be between 0.5 and 0.999" : null);
                break;
            case nameof(TopTypes):
                (value, rule) = (TopTypes, TopTypes < 1 ? "must be at least 1" : null);
                break;
            case nameof(RetentionPathTypes):
                (value, rule) = (RetentionPathTypes, RetentionPathTypes is < 0 or > 100 ? "must be between 0 and 100" : null);
                break;
            case nameof(MaxHeapDumpBytes):
                (value, rule) = (MaxHeapDumpBytes, MaxHeapDumpBytes < 1 ? "must be at least 1" : null);
                break;
            case nameof(HeapAnalysisTimeout):
                (value, rule) = (HeapAnalysisTimeout, HeapAnalysisTimeout <= TimeSpan.Zero ? "must be positive" : null);
                break;
            case nameof(Artifacts):
                (value, rule) = (Artifacts, !Enum.IsDefined(Artifacts) ? "must be OnFailure, Always or Never" : null);
                break;
            case nameof(MaxAllocatedBytesPerIteration) when MaxAllocatedBytesPerIteration is { } allocated:
                (value, rule) = (allocated, BudgetRule(allocated));
                break;
            case nameof(BaselineTolerance):
                (value, rule) = (BaselineTolerance, !(BaselineTolerance >= 0 && BaselineTolerance <= 10) ? "must be between 0 and 10" : null);
                break;
            case nameof(BaselineFile) when BaselineFile is { } baseline:
                (value, rule) = (baseline, PathRule(baseline));
                break;
            case nameof(ArtifactsDirectory) when ArtifactsDirectory is { } directory:
                (value, rule) = (directory, PathRule(directory));
                break;
        }
        return rule is null ? null : new InvalidOption(property, value!, rule);
    }

    /// <summary>The largest <see cref="Iterations"/>: 100,000.</summary>
    internal const int IterationsLimit = 100_000;

    /// <summary>The largest <see cref="MaxIterations"/>: 10,000,000.</summary>
    internal const int MaxIterationsLimit = 10_000_000;

    private static string? BudgetRule(double value) => double.IsNaN(value) || value < 0 ? "must be 0 or more" : null;

    private static string? PathRule(string path) =>
        string.IsNullOrWhiteSpace(path) || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0
            ? "must be a path: not empty or white space, no characters invalid in a path"
            : null;

    /// <summary>The options an attribute describes. Not validated: <see cref="Validate"/> runs when the leak run starts.</summary>
    /// <param name="attribute">The attribute's values.</param>
    /// <param name="timeoutMilliseconds">Time limit for the whole run in milliseconds; 0 means none, -1
    /// (<see cref="System.Threading.Timeout.Infinite"/>) too; other negative values fail validation.</param>
    /// <returns>The options; <see cref="MaxIterations"/> 0 becomes <see langword="null"/> (the default).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attribute"/> is null.</exception>
    public static LeakOptions FromAttribute(ILeakAttributeOptions attribute, int timeoutMilliseconds = 0)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return new()
        {
            Iterations = attribute.Iterations,
            WarmupIterations = attribute.WarmupIterations,
            MaxIterations = attribute.MaxIterations == 0 ? null : attribute.MaxIterations,
            MaxManagedBytesPerIteration = attribute.MaxManagedBytesPerIteration,
            MaxNativeBytesPerIteration = attribute.MaxNativeBytesPerIteration,
            MaxHandlesPerIteration = attribute.MaxHandlesPerIteration,
            MaxThreadsPerIteration = attribute.MaxThreadsPerIteration,
            Timeout = timeoutMilliseconds == 0 ? null : TimeSpan.FromMilliseconds(timeoutMilliseconds),
            ConfidenceLevel = attribute.ConfidenceLevel,
            CaptureHeapSummary = attribute.CaptureHeapSummary,
            TopTypes = attribute.TopTypes,
            SnapshotDirectory = attribute.SnapshotDirectory,
            Artifacts = attribute.Artifacts,
            ArtifactsDirectory = attribute.ArtifactsDirectory,
            MaxAllocatedBytesPerIteration = double.IsPositiveInfinity(attribute.MaxAllocatedBytesPerIteration) ? null : attribute.MaxAllocatedBytesPerIteration,
        };
    }

    /// <summary>The budget of <paramref name="metric"/> in its per-iteration unit.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>Bytes per iteration for the heaps, handles or threads per iteration otherwise.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not a defined <see cref="LeakMetric"/>.</exception>
    public double GetBudget(LeakMetric metric) =>
        metric switch
        {
            LeakMetric.ManagedHeap => MaxManagedBytesPerIteration,
            LeakMetric.NativeHeap => MaxNativeBytesPerIteration,
            LeakMetric.Handles => MaxHandlesPerIteration,
            LeakMetric.Threads => MaxThreadsPerIteration,
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
        };

    private static ArgumentOutOfRangeException Invalid(string property, object value, string rule) =>
        new(property, value, $"LeakOptions.{property} {rule}, but was {Format(value)}.");

    /// <summary>The value as messages show it: doubles round-trip, strings quoted, invariant culture.</summary>
    internal static string Format(object value) =>
        value switch
        {
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            string s => $"'{s}'",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "null",
        };
}

/// <summary>A <see cref="LeakOptions"/> property out of range: its name, its value and the rule it breaks (e.g. <c>must be at least 1</c>).</summary>
internal readonly record struct InvalidOption(string Property, object Value, string Rule);
