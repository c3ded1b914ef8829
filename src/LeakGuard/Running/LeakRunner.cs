using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;
using LeakGuard.Analysis;
using LeakGuard.Diagnostics;
using LeakGuard.Sampling;

namespace LeakGuard.Running;

/// <summary>
/// Runs one leak test: warmup, then rounds of iterations, each followed by a sample; classifies every metric per
/// round; extends the run while the evidence is not conclusive; takes the heap summary when the managed heap leaks.
/// </summary>
/// <remarks>
/// Rounds: round <c>r</c> runs <see cref="LeakOptions.Iterations"/> samples, <c>2^r</c> iterations apart, starting from
/// the last sample of the previous round. A metric is settled when a round is within budget (pass), or when it grew in
/// every round up to the last one allowed by <see cref="LeakOptions.EffectiveMaxIterations"/> or past its growth cap
/// (leak). One loop serves the synchronous and the asynchronous entry points: with a synchronous operation every
/// await completes inline, on the caller's thread.
/// </remarks>
internal sealed class LeakRunner
{
    /// <summary>Total growth after which a metric still growing is called a leak without further extension.</summary>
    internal static double GrowthCap(LeakMetric metric) =>
        metric switch
        {
            LeakMetric.ManagedHeap or LeakMetric.NativeHeap => 256.0 * 1024 * 1024,
            LeakMetric.Handles => 256,
            LeakMetric.Threads => 128,
            _ => double.PositiveInfinity,
        };

    /// <summary>Smallest sample-to-sample jump that can be set aside as another component's activity (see <see cref="GrowthClassifier"/>).</summary>
    internal static double JumpFloor(LeakMetric metric) =>
        metric switch
        {
            LeakMetric.ManagedHeap or LeakMetric.NativeHeap => 2048,
            LeakMetric.Handles or LeakMetric.Threads => 2,
            _ => double.PositiveInfinity,
        };

    /// <summary>Largest ratio of a growing round's per-iteration rate to the previous round's that counts as halving.</summary>
    internal const double GrowthRateTracking = 0.65;

    /// <summary>
    /// True when at least three consecutive growing rounds each grew per iteration by at most
    /// <see cref="GrowthRateTracking"/> × the round before: the signature of growth per sample, not per iteration.
    /// </summary>
    internal static bool FollowsSamplesNotIterations(ReadOnlySpan<double> ratesPerIteration)
    {
        if (ratesPerIteration.Length < 3)
            return false;
        for (var i = 1; i < ratesPerIteration.Length; i++)
        {
            if (!(ratesPerIteration[i] <= ratesPerIteration[i - 1] * GrowthRateTracking))
                return false;
        }
        return true;
    }

    private readonly Func<ValueTask> _operation;
    private readonly LeakOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly MetricProbe[] _probes;
    private readonly double[][] _values;
    private readonly double[] _iterations;
    private readonly int _plannedRounds;
    private readonly long[] _jitCompiledMethods;
    private readonly Stopwatch _clock = new();
    private readonly bool _synchronous;
    private readonly double[] _budgets;
    private readonly double?[] _baselines;
    private int _count;
    private int _iteration;
    private long _allocatedBytes;

    private LeakRunner(Func<ValueTask> operation, LeakOptions options, bool synchronous, CancellationToken cancellationToken)
    {
        _operation = operation;
        _synchronous = synchronous;
        _options = options;
        _cancellationToken = cancellationToken;
        _probes = MetricProbe.CreateAll();
        (_budgets, _baselines) = Budgets(options, _probes);
        // Preallocate every sample slot: growing a list during the run would itself look like a leak.
        _plannedRounds = PlanRounds(options);
        var capacity = 1 + options.Iterations * _plannedRounds;
        _values = new double[_probes.Length][];
        for (var m = 0; m < _probes.Length; m++)
            _values[m] = new double[capacity];
        _iterations = new double[capacity];
        _jitCompiledMethods = new long[capacity];
    }

    /// <summary>
    /// The budget of every metric: the option's, or the baseline budget (<see cref="LeakBaseline.GetBudget"/>) when the
    /// run is named and the baseline file has a slope for it. A baseline file that does not exist has no entries.
    /// </summary>
    /// <exception cref="LeakConfigurationException">The baseline file is malformed.</exception>
    internal static (double[] Budgets, double?[] Baselines) Budgets(LeakOptions options, MetricProbe[] probes)
    {
        var budgets = new double[probes.Length];
        var baselines = new double?[probes.Length];
        var baseline = options.BaselineFile is { } file && options.TestName is not null && File.Exists(file) ? LeakBaseline.LoadCached(file) : null;
        for (var m = 0; m < probes.Length; m++)
        {
            var metric = probes[m].Metric;
            budgets[m] = options.GetBudget(metric);
            if (baseline is not null && baseline.TryGetSlope(options.TestName!, metric, out var recorded))
            {
                baselines[m] = recorded;
                budgets[m] = LeakBaseline.GetBudget(budgets[m], recorded, options.BaselineTolerance, metric);
            }
        }
        return (budgets, baselines);
    }

    /// <summary>How many rounds fit into <see cref="LeakOptions.EffectiveMaxIterations"/>.</summary>
    internal static int PlanRounds(LeakOptions options)
    {
        long total = 0;
        var rounds = 0;
        for (long size = options.Iterations; total + size <= options.EffectiveMaxIterations && rounds < 24; size *= 2)
        {
            total += size;
            rounds++;
        }
        return Math.Max(1, rounds);
    }

    public static async Task<LeakReport> RunAsync(Func<ValueTask> operation, LeakOptions? options, bool synchronous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        options ??= LeakOptions.Default;
        options.Validate();
        using var gate = synchronous ? LeakGate.Enter(cancellationToken) : await LeakGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var runner = new LeakRunner(operation, options, synchronous, cancellationToken);
        var report = await runner.RunCoreAsync().ConfigureAwait(false);
        LeakArtifacts.WriteIfRequested(report); // never throws: a write failure is noted on the report
        return report;
    }

    private async Task<LeakReport> RunCoreAsync()
    {
        _clock.Start();
        await RunIterationsAsync(_options.WarmupIterations, countIterations: false).ConfigureAwait(false);
        // First reads resolve P/Invoke targets and build their stubs (native allocations): do them before the baseline.
        for (var i = 0; i < 3; i++)
        {
            foreach (var probe in _probes)
                probe.Read();
        }

        var metricCount = _probes.Length;
        var states = new MetricState[metricCount];
        for (var m = 0; m < metricCount; m++)
            states[m] = new MetricState { Open = _probes[m].IsMeasured, GrowthRates = new double[_plannedRounds] };

        var attribution = NativeAttributor.Begin(); // allocates what it reads into between samples: before the baseline
        Settle();
        TakeSample();
        attribution.MarkFirstSample();
        var rounds = 0;
        string? stoppedBecause = null;
        for (var round = 0; round < _plannedRounds && stoppedBecause is null && states.Any(s => s.Open); round++)
        {
            var stride = 1 << round;
            var roundStart = _count - 1;
            for (var sample = 0; sample < _options.Iterations; sample++)
            {
                var allocatedBefore = AllocatedBytes();
                await RunIterationsAsync(stride, countIterations: true).ConfigureAwait(false);
                _allocatedBytes += AllocatedBytes() - allocatedBefore;
                TakeSample();
            }
            rounds++;

            var isLastRound = round == _plannedRounds - 1;
            for (var m = 0; m < metricCount; m++)
            {
                ref var state = ref states[m];
                if (!state.Open)
                    continue;
                var classification = GrowthClassifier.Classify(
                    _iterations.AsSpan(0, _count),
                    JudgedValues(m, out var jitIntervals),
                    roundStart,
                    _budgets[m],
                    _options.ConfidenceLevel,
                    JumpFloor(_probes[m].Metric)
                );
                state.JitIntervalsSetAside = jitIntervals;
                state.Last = classification;
                switch (classification.Outcome)
                {
                    case RoundOutcome.WithinBudget:
                        state.Open = false;
                        state.Decisive = classification.Evidence;
                        state.Verdict = state.EverGrew ? MetricVerdict.Plateau : MetricVerdict.Pass;
                        state.Reason =
                            state.EverGrew ? $"grew at first, then stayed within budget over iterations {_iterations[roundStart]:0}–{_iteration} (a plateau)"
                            : round == 0 ? "no growth over budget"
                            : $"no growth over budget over iterations {_iterations[roundStart]:0}–{_iteration}";
                        break;
                    case RoundOutcome.Plateau:
                        state.EverGrew = true;
                        if (isLastRound)
                        {
                            state.Open = false;
                            state.Decisive = classification.Evidence;
                            state.Verdict = MetricVerdict.Plateau;
                            state.Reason = $"grew, then leveled off by iteration {_iteration} (a plateau)";
                        }
                        break;
                    case RoundOutcome.Growing:
                        state.EverGrew = true;
                        state.GrowthRates[state.GrowingRounds++] = classification.Whole.PerIteration;
                        var growth = _values[m][_count - 1] - _values[m][0];
                        if (!isLastRound && growth >= GrowthCap(_probes[m].Metric))
                            stoppedBecause = $"{MetricReport.GetName(_probes[m].Metric)} passed its growth cap";
                        if (isLastRound || growth >= GrowthCap(_probes[m].Metric))
                        {
                            state.Open = false;
                            state.Decisive = classification.Evidence;
                            state.Verdict = MetricVerdict.Leak;
                            state.Reason =
                                (
                                    isLastRound
                                        ? $"kept growing through {_iteration} iterations and did not level off"
                                        : $"kept growing and passed the growth cap of {MetricReport.FormatNumber(GrowthCap(_probes[m].Metric))} {MetricReport.GetUnit(_probes[m].Metric)} by iteration {_iteration}"
                                )
                                + (
                                    classification.IsolatedReleases > 0
                                        ? $" ({classification.IsolatedReleases} isolated release(s) elsewhere in the process set aside)"
                                        : ""
                                )
                                + (state.JitIntervalsSetAside > 0 ? $" ({state.JitIntervalsSetAside} interval(s) with JIT compilation set aside)" : "");
                        }
                        break;
                    case RoundOutcome.Inconclusive:
                        if (isLastRound)
                        {
                            state.Open = false;
                            state.Decisive = classification.Evidence;
                            state.Verdict = MetricVerdict.Inconclusive;
                            state.Reason =
                                $"the estimate stayed over budget but its confidence interval reached the budget through {_iteration} iterations; not called a leak";
                        }
                        break;
                }
            }
        }
        attribution.MarkLastSample(_iteration);

        // A growth cap stops the run early (a leak must not exhaust the machine): settle what is still open on the
        // evidence of its last round.
        for (var m = 0; m < metricCount && stoppedBecause is not null; m++)
        {
            ref var state = ref states[m];
            if (!state.Open)
                continue;
            state.Open = false;
            state.Decisive = state.Last.Evidence;
            (state.Verdict, state.Reason) = state.Last.Outcome switch
            {
                RoundOutcome.Growing => (MetricVerdict.Leak, $"kept growing through {_iteration} iterations; the run stopped there because {stoppedBecause}"),
                RoundOutcome.Plateau => (MetricVerdict.Plateau, $"grew, then leveled off by iteration {_iteration} (a plateau)"),
                _ => (MetricVerdict.Inconclusive, $"not conclusive when the run stopped at iteration {_iteration} because {stoppedBecause}; not called a leak"),
            };
        }

        // A leak grows per iteration at every stride. Growth driven by time or by the forced GCs (another thread's
        // work, allocator caches filling) comes per sample, so its per-iteration rate halves every time the stride
        // doubles. When it did so in every growing round (three at least), the growth is not the operation's. One
        // smaller round is not enough: amortised growth (an array doubling) makes single rounds uneven.
        for (var m = 0; m < metricCount; m++)
        {
            ref var state = ref states[m];
            if (state.Verdict == MetricVerdict.Leak && FollowsSamplesNotIterations(state.GrowthRates.AsSpan(0, state.GrowingRounds)))
            {
                var unit = MetricReport.GetUnit(_probes[m].Metric);
                var rates = string.Join(", ", state.GrowthRates.Take(state.GrowingRounds).Select(r => MetricReport.FormatNumber(r)));
                state.Verdict = MetricVerdict.Inconclusive;
                state.Reason =
                    $"grew, but its rate halved every time the iterations per sample doubled ({rates} {unit}/iteration): growth that follows time or garbage collections, not iterations; not called a leak";
            }
        }

        var metrics = new MetricReport[metricCount];
        for (var m = 0; m < metricCount; m++)
            metrics[m] = BuildMetricReport(m, states[m]);

        // Where native memory and handles grew: compared over more iterations after the verdict, because reading the
        // memory mappings allocates and must not happen between samples.
        if (attribution.BeginComparison(metrics[(int)LeakMetric.NativeHeap].IsOverBudget, metrics[(int)LeakMetric.Handles].IsOverBudget, _iteration))
        {
            await RunIterationsAsync(_options.Iterations, countIterations: false).ConfigureAwait(false);
            attribution.ComparisonIterations = _options.Iterations;
        }
        var (nativeAttribution, handleAttribution) = attribution.Finish(metrics);
        HeapSummary? heapSummary = null;
        string? unavailable = null;
        // Managed growth is explained by the growing types; native and handle growth by the SafeHandle types among them.
        if (
            _options.CaptureHeapSummary
            && (
                metrics[(int)LeakMetric.ManagedHeap].IsOverBudget
                || metrics[(int)LeakMetric.NativeHeap].IsOverBudget
                || metrics[(int)LeakMetric.Handles].IsOverBudget
            )
        )
        {
            var outcome = await HeapSummarizer
                .TryCaptureAsync(
                    _operation,
                    _options,
                    ThrowIfStopped,
                    _cancellationToken,
                    metrics[(int)LeakMetric.ManagedHeap].IsOverBudget ? metrics[(int)LeakMetric.ManagedHeap].Slope.PerIteration : null
                )
                .ConfigureAwait(false);
            heapSummary = outcome.Summary;
            unavailable = outcome.UnavailableReason;
            // For native or handle growth alone, the heap diff matters only when SafeHandle types grew with it; the
            // rest of it is other components' churn and would mislead.
            if (!metrics[(int)LeakMetric.ManagedHeap].IsOverBudget && heapSummary is { SafeHandleTypes.Count: 0 })
                heapSummary = null;
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

    private MetricReport BuildMetricReport(int m, MetricState state)
    {
        var probe = _probes[m];
        var budget = _budgets[m];
        if (!probe.IsMeasured)
            return new MetricReport(probe.Metric, probe.Source, [], SlopeEstimate.None, budget, MetricVerdict.NotMeasured, "not measured on this platform");
        var samples = new LeakSample[_count];
        for (var i = 0; i < _count; i++)
            samples[i] = new LeakSample((int)_iterations[i], _values[m][i]);
        // The slope the verdict rests on: the fit that settled it.
        var slope = state.Decisive ?? TheilSen.Fit(_iterations.AsSpan(0, _count), _values[m].AsSpan(0, _count), _options.ConfidenceLevel);
        return new MetricReport(probe.Metric, probe.Source, samples, slope, budget, state.Verdict, state.Reason ?? "no growth over budget")
        {
            BaselinePerIteration = _baselines[m],
            BaselineTolerance = _options.BaselineTolerance,
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

    /// <summary>
    /// The series a metric is judged on. For native memory, intervals in which the JIT compiled methods (on any
    /// thread: tiered recompilation of a test host's own code, say) are set aside when enough quiet intervals remain:
    /// compiled code and JIT data structures are native allocations that are not the operation's.
    /// </summary>
    private ReadOnlySpan<double> JudgedValues(int m, out int setAside)
    {
        setAside = 0;
        var values = _values[m].AsSpan(0, _count);
        if (_probes[m].Metric != LeakMetric.NativeHeap)
            return values;
        var disturbed = new bool[_count];
        for (var i = 1; i < _count; i++)
            disturbed[i] = _jitCompiledMethods[i] != _jitCompiledMethods[i - 1];
        return GrowthClassifier.SetAsideDisturbedIntervals(_iterations.AsSpan(0, _count), values, disturbed, out setAside);
    }

    /// <summary>
    /// Before the baseline: collect until the managed heap reads the same twice in a row (at most 10 collections), so
    /// that work other threads were doing when the test started (a runner reporting the previous result) is over.
    /// </summary>
    private void Settle()
    {
        var managed = _probes[(int)LeakMetric.ManagedHeap];
        ForceFullCollection();
        var previous = managed.Read();
        for (var i = 0; i < 10; i++)
        {
            ForceFullCollection();
            var current = managed.Read();
            if (current == previous)
                return;
            previous = current;
        }
    }

    /// <summary>Full blocking compacting GC, pending finalizers, another GC; then every probe, managed heap first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TakeSample()
    {
        ForceFullCollection();
        for (var m = 0; m < _probes.Length; m++)
            _values[m][_count] = _probes[m].Read();
        _iterations[_count] = _iteration;
        _jitCompiledMethods[_count] = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForceFullCollection()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ThrowIfStopped()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (_options.Timeout is { } timeout && timeout != Timeout.InfiniteTimeSpan && _clock.Elapsed > timeout)
        {
            throw new TimeoutException(
                $"The leak run exceeded its Timeout of {timeout.TotalSeconds:0.###} s after {_iteration} measured iterations ({_options.WarmupIterations} warmup). Raise LeakOptions.Timeout, or lower Iterations or MaxIterations."
            );
        }
    }

    private struct MetricState
    {
        public bool Open;
        public bool EverGrew;
        public MetricVerdict Verdict;
        public string? Reason;
        public RoundClassification Last;
        public SlopeEstimate? Decisive;
        public int JitIntervalsSetAside;
        public double[] GrowthRates;
        public int GrowingRounds;
    }
}
