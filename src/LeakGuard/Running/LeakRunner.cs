using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LeakGuard.Analysis;
using LeakGuard.Diagnostics;
using LeakGuard.Reporting;
using LeakGuard.Sampling;

namespace LeakGuard.Running;

/// <summary>
/// Runs one leak test through the engine's stages: iterations and samples from an <see cref="ISampleSource"/>, judged
/// round by round by the pure <see cref="LeakJudge"/>; then the diagnosers (native and handle attribution, the heap
/// summary, which is also the heap histogram that decides an ambiguous managed heap verdict, see
/// <see cref="HeapEvidence"/>); then the ignore rules; then the report.
/// </summary>
/// <remarks>
/// One loop serves the synchronous and the asynchronous entry points: with a synchronous operation every await
/// completes inline, on the caller's thread.
/// </remarks>
internal sealed class LeakRunner
{
    /// <summary>Total growth after which a metric still growing is called a leak without further extension.</summary>
    internal static double GrowthCap(LeakMetric metric) => MetricTable.Get(metric).GrowthCap;

    /// <summary>Smallest sample-to-sample jump that can be set aside as another component's activity (see <see cref="GrowthClassifier"/>).</summary>
    internal static double JumpFloor(LeakMetric metric) => MetricTable.Get(metric).JumpFloor;

    private readonly Func<ValueTask> _operation;
    private readonly LeakOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationToken _userToken;
    private readonly CancellationToken _deadline;
    private readonly ISampleSource _source;
    private readonly IHeapDiagnoser? _heapDiagnoser;
    private readonly SampleSeries _series;
    private readonly int _plannedRounds;
    private readonly Stopwatch _clock = new();
    private readonly bool _synchronous;
    private readonly double[] _budgets;
    private readonly double?[] _baselines;
    private int _iteration;
    private long _allocatedBytes;

    private LeakRunner(
        Func<ValueTask> operation,
        LeakOptions options,
        bool synchronous,
        ISampleSource source,
        IHeapDiagnoser? heapDiagnoser,
        CancellationToken cancellationToken,
        CancellationToken userToken,
        CancellationToken deadline
    )
    {
        _heapDiagnoser = heapDiagnoser;
        _userToken = userToken;
        _deadline = deadline;
        _operation = operation;
        _synchronous = synchronous;
        _options = options;
        _cancellationToken = cancellationToken;
        _source = source;
        (_budgets, _baselines) = LeakBudgets.Resolve(options, source.Metrics.Select(m => m.Metric).ToArray());
        // Preallocate every sample slot: growing a list during the run would itself look like a leak.
        _plannedRounds = LeakJudge.PlanRounds(options);
        _series = new SampleSeries(source.Metrics.Count, 1 + options.SamplesPerRound * _plannedRounds);
    }

    /// <summary>How many rounds fit into <see cref="LeakOptions.EffectiveMaxIterations"/>.</summary>
    internal static int PlanRounds(LeakOptions options) => LeakJudge.PlanRounds(options);

    /// <summary>Runs <paramref name="operation"/> on this process's probes.</summary>
    public static Task<LeakReport> RunAsync(Func<ValueTask> operation, LeakOptions? options, bool synchronous, CancellationToken cancellationToken) =>
        RunAsync(operation, options, synchronous, null, null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/> with samples from <paramref name="source"/> (null: this process's probes) and
    /// heap snapshots from <paramref name="heapDiagnoser"/> (null: this process's when the source is, none otherwise).
    /// </summary>
    internal static async Task<LeakReport> RunAsync(
        Func<ValueTask> operation,
        LeakOptions? options,
        bool synchronous,
        ISampleSource? source,
        IHeapDiagnoser? heapDiagnoser,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(operation);
        options ??= LeakOptions.Default;
        options.Validate();
        using var gate = synchronous ? LeakGate.Enter(cancellationToken) : await LeakGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        // The operation's flow is inside this run: a leak run started from it fails at once (see LeakGate).
        LeakGate.MarkInRun();
        source ??= new ProcessSampleSource();
        heapDiagnoser ??= source.IsProcess ? HeapSnapshotDiagnoser.Instance : null;
        var timeout = options.Timeout is { } t && t != Timeout.InfiniteTimeSpan ? t : (TimeSpan?)null;
        // Everything the time limit needs is made before the run: a timer created mid-run would count as growth.
        using var deadline = timeout is { } limit ? new CancellationTokenSource(limit) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var stopWaiting = timeout is null ? null : new CancellationTokenSource();
        var runner = new LeakRunner(
            operation,
            options,
            synchronous,
            source,
            heapDiagnoser,
            linked?.Token ?? cancellationToken,
            cancellationToken,
            deadline?.Token ?? CancellationToken.None
        );
        LeakReport report;
        if (timeout is { } bound)
        {
            // A hanging iteration cannot be interrupted: with a time limit the run goes on its own thread (synchronous
            // operations) or is awaited against the limit, and when it has not returned shortly after the limit,
            // LeakGuard stops waiting for it and reports the timeout. The test host goes on.
            var hangLimit = Task.Delay(bound + HangGrace, stopWaiting!.Token);
            var work = synchronous ? RunOnOwnThread(runner) : runner.RunCoreAsync();
            if (await Task.WhenAny(work, hangLimit).ConfigureAwait(false) != work)
            {
                _ = work.ContinueWith(static w => _ = w.Exception, TaskScheduler.Default); // observed when the iteration returns
                throw runner.TimeoutError(hung: true);
            }
            stopWaiting.Cancel();
            report = await work.ConfigureAwait(false);
        }
        else
        {
            report = await runner.RunCoreAsync().ConfigureAwait(false);
        }
        if (runner._source.IsProcess)
            LeakArtifacts.WriteIfRequested(report); // never throws: a write failure is noted on the report
        return report;
    }

    /// <summary>How long after <see cref="LeakOptions.Timeout"/> a run that has not returned counts as hanging in an iteration.</summary>
    internal static readonly TimeSpan HangGrace = TimeSpan.FromSeconds(2);

    /// <summary>Runs a synchronous operation's run on a thread of its own, so that a hanging iteration can be left behind.</summary>
    private static Task<LeakReport> RunOnOwnThread(LeakRunner runner)
    {
        var completion = new TaskCompletionSource<LeakReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(runner.RunCoreAsync().GetAwaiter().GetResult());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "LeakGuard run",
        };
        thread.Start();
        return completion.Task;
    }

    /// <summary>The <see cref="TimeoutException"/> of a run that passed <see cref="LeakOptions.Timeout"/>.</summary>
    private TimeoutException TimeoutError(bool hung)
    {
        var timeout = _options.Timeout.GetValueOrDefault();
        return new TimeoutException(
            hung
                ? $"The leak run exceeded its Timeout of {timeout.TotalSeconds:0.###} s: an iteration did not return ({_iteration} measured iterations had completed, after {_options.WarmupIterations} warmup). LeakGuard stopped waiting for it; it may still be running on its thread. Fix the hang, or raise LeakOptions.Timeout."
                : $"The leak run exceeded its Timeout of {timeout.TotalSeconds:0.###} s after {_iteration} measured iterations ({_options.WarmupIterations} warmup). Raise LeakOptions.Timeout, or lower Iterations or MaxIterations."
        );
    }

    /// <summary>True when the time limit, not the caller's cancellation, stopped the run.</summary>
    private bool TimedOut =>
        !_userToken.IsCancellationRequested
        && (_deadline.IsCancellationRequested || _options.Timeout is { } timeout && timeout != Timeout.InfiniteTimeSpan && _clock.Elapsed > timeout);

    private async Task<LeakReport> RunCoreAsync()
    {
        _clock.Start();
        await RunIterationsAsync(_options.WarmupIterations, countIterations: false).ConfigureAwait(false);
        _source.Prepare();

        var metricCount = _source.Metrics.Count;
        var judged = new JudgedMetric[metricCount];
        for (var m = 0; m < metricCount; m++)
            judged[m] = new JudgedMetric(_source.Metrics[m].Metric, _budgets[m], _source.Metrics[m].IsMeasured);
        var judge = new LeakJudge(judged, _plannedRounds, _options.ConfidenceLevel);

        var attribution = _source.IsProcess ? NativeAttributor.Begin() : null; // allocates what it reads into between samples: before the baseline
        _source.Settle();
        _source.Sample(_series, _iteration);
        attribution?.MarkFirstSample();
        var rounds = 0;
        for (var round = 0; round < _plannedRounds && judge.WantsAnotherRound; round++)
        {
            // Round r: Iterations × 2^r iterations, a sample every IterationsPerSample × 2^r of them (the last
            // interval is shorter when they do not divide evenly). No forced collection between samples.
            var stride = _options.EffectiveIterationsPerSample << round;
            var roundEnd = _iteration + (_options.Iterations << round);
            var roundStart = _series.Count - 1;
            while (_iteration < roundEnd)
            {
                var allocatedBefore = AllocatedBytes();
                await RunIterationsAsync(Math.Min(stride, roundEnd - _iteration), countIterations: true).ConfigureAwait(false);
                _allocatedBytes += AllocatedBytes() - allocatedBefore;
                _source.Sample(_series, _iteration);
            }
            rounds++;
            judge.JudgeRound(_series, roundStart, round);
        }
        attribution?.MarkLastSample(_iteration);
        var judgements = judge.Finish(_series);

        var metrics = new MetricReport[metricCount];
        for (var m = 0; m < metricCount; m++)
            metrics[m] = BuildMetricReport(m, judgements[m]);

        // Where native memory and handles grew: compared over more iterations after the verdict, because reading the
        // memory mappings allocates and must not happen between samples.
        NativeAttribution? nativeAttribution = null;
        HandleAttribution? handleAttribution = null;
        if (attribution is not null)
        {
            var compared = true;
            var nativeOver = metrics[(int)LeakMetric.NativeHeap].IsOverBudget;
            var handlesOver = metrics[(int)LeakMetric.Handles].IsOverBudget;
            if (Reporting && (nativeOver || handlesOver))
                Report(
                    LeakStage.NativeAttribution,
                    $"LeakGuard: {OverBudget(metrics, nativeOver ? LeakMetric.NativeHeap : LeakMetric.Handles)}; running {_options.Iterations} more iterations to attribute the growth to memory mappings and handles…"
                );
            if (attribution.BeginComparison(nativeOver, handlesOver, _iteration))
            {
                try
                {
                    await RunIterationsAsync(_options.Iterations, countIterations: false).ConfigureAwait(false);
                    attribution.ComparisonIterations = _options.Iterations;
                }
                catch (TimeoutException)
                {
                    compared = false; // the time limit ran out after the verdict: it stands, without the attribution
                }
            }
            if (compared)
                (nativeAttribution, handleAttribution) = attribution.Finish(metrics);
        }

        HeapSummary? heapSummary = null;
        string? unavailable = null;
        var managedIndex = (int)LeakMetric.ManagedHeap;
        var histogramDecides = HeapEvidence.NeedsHistogram(judgements[managedIndex]);
        // Managed growth is explained by the growing types; native and handle growth by the SafeHandle types among
        // them; an ambiguous managed plateau is decided by them.
        if (
            _heapDiagnoser is not null
            && _options.CaptureHeapSummary
            && (
                histogramDecides
                || metrics[managedIndex].IsOverBudget
                || metrics[(int)LeakMetric.NativeHeap].IsOverBudget
                || metrics[(int)LeakMetric.Handles].IsOverBudget
            )
        )
        {
            HeapSummaryOutcome outcome;
            var diagnosisStart = _clock.Elapsed;
            if (Reporting)
            {
                var why =
                    metrics[managedIndex].IsOverBudget ? OverBudget(metrics, LeakMetric.ManagedHeap)
                    : histogramDecides ? "the managed heap verdict is ambiguous (growth that another thread's release may hide); per-type growth decides it"
                    : OverBudget(metrics, metrics[(int)LeakMetric.NativeHeap].IsOverBudget ? LeakMetric.NativeHeap : LeakMetric.Handles);
                Report(
                    LeakStage.HeapSnapshots,
                    $"LeakGuard: {why}; taking {HeapSummarizer.SnapshotCount} heap snapshots {Math.Max(1, _options.Iterations / 2)} iterations apart…"
                );
            }
            try
            {
                outcome = await _heapDiagnoser
                    .CaptureAsync(
                        _operation,
                        _options,
                        ThrowIfStopped,
                        _cancellationToken,
                        metrics[managedIndex].IsOverBudget ? metrics[managedIndex].Slope.PerIteration : null,
                        Reporting ? Report : null
                    )
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && TimedOut))
            {
                // The time limit ran out during the diagnosis: the verdict stands, without the summary.
                outcome = new(
                    null,
                    $"the run's Timeout of {_options.Timeout.GetValueOrDefault().TotalSeconds:0.###} s ran out during the heap summary; raise LeakOptions.Timeout for one"
                );
            }
            heapSummary = outcome.Summary;
            unavailable = outcome.UnavailableReason;
            if (Reporting)
            {
                var took = (_clock.Elapsed - diagnosisStart).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
                Report(
                    LeakStage.DiagnosisFinished,
                    heapSummary is { } done
                        ? $"LeakGuard: heap summary done in {took} s ({done.Types.Count} growing {(done.Types.Count == 1 ? "type" : "types")})."
                        : $"LeakGuard: no heap summary, after {took} s: {unavailable}"
                );
            }
            var decided = HeapEvidence.Apply(judgements[managedIndex], heapSummary, searchedSizeGrowth: _options.RetentionPathTypes > 0);
            if (decided != judgements[managedIndex])
            {
                judgements[managedIndex] = decided;
                metrics[managedIndex] = BuildMetricReport(managedIndex, decided);
            }
            if (!metrics[managedIndex].IsOverBudget)
            {
                // A pass keeps no heap summary, and no reason it is missing.
                if (!metrics[(int)LeakMetric.NativeHeap].IsOverBudget && !metrics[(int)LeakMetric.Handles].IsOverBudget)
                {
                    heapSummary = null;
                    unavailable = null;
                }
                // For native or handle growth alone, the heap diff matters only when SafeHandle types grew with it; the
                // rest of it is other components' churn and would mislead.
                else if (heapSummary is { SafeHandleTypes.Count: 0 })
                    heapSummary = null;
            }
            // The SafeHandle subclasses that grew with native memory own (some of) it: name them where native growth is explained.
            if (nativeAttribution is not null && heapSummary is { SafeHandleTypes.Count: > 0 } summary)
                nativeAttribution = nativeAttribution.WithOwningHandleTypes(summary.SafeHandleTypes);
        }

        var (ignored, ignoreNote) = IgnoreRules.Apply(_options, metrics, heapSummary, unavailable);

        _clock.Stop();
        return new LeakReport(_options, metrics, _options.WarmupIterations, _iteration, rounds, _clock.Elapsed, heapSummary, unavailable)
        {
            NativeAttribution = nativeAttribution,
            HandleAttribution = handleAttribution,
            Allocations = new AllocationReport(
                _allocatedBytes,
                _iteration,
                _options.MaxAllocatedBytesPerIteration,
                _synchronous ? "GC.GetAllocatedBytesForCurrentThread" : "GC.GetTotalAllocatedBytes(precise: true)"
            ),
            IgnoredGrowth = ignored,
            IgnoreRulesNote = ignoreNote,
        };
    }

    /// <summary>Whether anyone listens to progress: its messages are composed only then.</summary>
    private bool Reporting => _options.Progress is not null;

    /// <summary>Tells <see cref="LeakOptions.Progress"/>, if any, what starts now; a handler that throws is ignored.</summary>
    private void Report(LeakStage stage, string message)
    {
        if (_options.Progress is not { } progress)
            return;
        try
        {
            progress.Report(new LeakProgress(stage, message, _clock.Elapsed));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A progress handler cannot lose the verdict.
        }
    }

    /// <summary>E.g. <c>managed heap over budget: 1,064 B/iteration (budget 0)</c>.</summary>
    private static string OverBudget(MetricReport[] metrics, LeakMetric metric)
    {
        var report = metrics[(int)metric];
        var unit = MetricReport.GetUnit(metric);
        return $"{MetricReport.GetName(metric)} over budget: {MetricReport.FormatNumber(report.Slope.PerIteration)} {unit}/iteration (budget {MetricReport.FormatNumber(report.BudgetPerIteration)})";
    }

    private MetricReport BuildMetricReport(int m, MetricJudgement judgement)
    {
        var metric = _source.Metrics[m];
        var budget = _budgets[m];
        if (!metric.IsMeasured)
            return new MetricReport(metric.Metric, metric.Source, [], SlopeEstimate.None, budget, MetricVerdict.NotMeasured, "not measured on this platform");
        var iterations = _series.Iterations;
        var values = _series.Values(m);
        var samples = new LeakSample[_series.Count];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = new LeakSample((int)iterations[i], values[i]);
        return new MetricReport(metric.Metric, metric.Source, samples, judgement.Slope, budget, judgement.Verdict, ReasonText.Describe(judgement))
        {
            BaselinePerIteration = _baselines[m],
            BaselineTolerance = _options.BaselineTolerance,
            Judgement = judgement,
        };
    }

    /// <summary>
    /// Runs the operation <paramref name="count"/> times. Synchronously completing operations stay in this method,
    /// which is compiled fully optimised at once (<see cref="MethodImplOptions.AggressiveOptimization"/>): LeakGuard's
    /// own per-iteration code must not be recompiled by tiered JIT in the middle of a run, which would show up as
    /// native memory growth.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueTask RunIterationsAsync(int count, bool countIterations)
    {
        for (var i = 0; i < count; i++)
        {
            ThrowIfStopped();
            var pending = _operation();
            if (!pending.IsCompletedSuccessfully)
                return AwaitRemainingAsync(pending, count - i - 1, countIterations);
            pending.GetAwaiter().GetResult();
            if (countIterations)
                _iteration++;
        }
        return default;
    }

    private async ValueTask AwaitRemainingAsync(ValueTask pending, int remaining, bool countIterations)
    {
        await pending.ConfigureAwait(false);
        if (countIterations)
            _iteration++;
        for (var i = 0; i < remaining; i++)
        {
            ThrowIfStopped();
            await _operation().ConfigureAwait(false);
            if (countIterations)
                _iteration++;
        }
    }

    /// <summary>
    /// Bytes allocated so far: by this thread for synchronous runs (the operation runs here), by the whole process for
    /// asynchronous ones (continuations run on other threads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long AllocatedBytes() => _synchronous ? GC.GetAllocatedBytesForCurrentThread() : GC.GetTotalAllocatedBytes(precise: true);

    /// <summary>Full blocking compacting GC, pending finalizers, another GC (<see cref="ProcessSampleSource.ForceFullCollection"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForceFullCollection() => ProcessSampleSource.ForceFullCollection();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ThrowIfStopped()
    {
        _userToken.ThrowIfCancellationRequested();
        if (TimedOut)
            throw TimeoutError(hung: false);
    }
}
