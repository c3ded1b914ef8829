namespace LeakGuard.Sampling;

/// <summary>
/// Every sample of a run, preallocated: per sample the iteration number, one value per metric and the process's count
/// of JIT-compiled methods. Appending never allocates (a sampler that grows a list would itself look like a leak).
/// </summary>
internal sealed class SampleSeries
{
    private readonly double[] _iterations;
    private readonly double[][] _values;
    private readonly long[] _jitCompiledMethods;

    /// <param name="metricCount">Metrics per sample.</param>
    /// <param name="capacity">Most samples the run can take.</param>
    public SampleSeries(int metricCount, int capacity)
    {
        _iterations = new double[capacity];
        _jitCompiledMethods = new long[capacity];
        _values = new double[metricCount][];
        for (var m = 0; m < metricCount; m++)
            _values[m] = new double[capacity];
    }

    /// <summary>Samples taken so far.</summary>
    public int Count { get; private set; }

    /// <summary>Metrics per sample.</summary>
    public int MetricCount => _values.Length;

    /// <summary>Iteration number of every sample so far (0 for the baseline).</summary>
    public ReadOnlySpan<double> Iterations => _iterations.AsSpan(0, Count);

    /// <summary>Every value of metric <paramref name="m"/> so far, in its unit.</summary>
    public ReadOnlySpan<double> Values(int m) => _values[m].AsSpan(0, Count);

    /// <summary>The process's JIT-compiled method count at every sample so far.</summary>
    public ReadOnlySpan<long> JitCompiledMethods => _jitCompiledMethods.AsSpan(0, Count);

    /// <summary>Sets value <paramref name="value"/> of metric <paramref name="m"/> for the sample being taken.</summary>
    public void Set(int m, double value) => _values[m][Count] = value;

    /// <summary>Completes the sample being taken.</summary>
    /// <exception cref="InvalidOperationException">The series is full.</exception>
    public void Commit(int iteration, long jitCompiledMethods)
    {
        if (Count >= _iterations.Length)
            throw new InvalidOperationException($"The sample series is full ({_iterations.Length} samples).");
        _iterations[Count] = iteration;
        _jitCompiledMethods[Count] = jitCompiledMethods;
        Count++;
    }
}

/// <summary>One metric a <see cref="ISampleSource"/> reads.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Source">Where the figure comes from, for the report.</param>
/// <param name="IsMeasured">False where it cannot be read (its values are NaN).</param>
internal readonly record struct SampledMetric(LeakMetric Metric, string Source, bool IsMeasured);

/// <summary>
/// Where the engine's samples come from: the real probes of this process after a forced full GC
/// (<see cref="ProcessSampleSource"/>), or a scripted series in tests.
/// </summary>
internal interface ISampleSource
{
    /// <summary>The metrics, one per <see cref="LeakMetric"/>, in enum order.</summary>
    IReadOnlyList<SampledMetric> Metrics { get; }

    /// <summary>True for the real process: then diagnosers (heap snapshots, native attribution) apply.</summary>
    bool IsProcess { get; }

    /// <summary>First reads before the baseline (they may resolve P/Invoke targets and allocate stubs).</summary>
    void Prepare();

    /// <summary>Waits for other work in the process to settle before the baseline sample.</summary>
    void Settle();

    /// <summary>Takes one sample after <paramref name="iteration"/> measured iterations into <paramref name="series"/>.</summary>
    void Sample(SampleSeries series, int iteration);
}
