using System.Runtime;
using System.Runtime.CompilerServices;

namespace LeakGuard.Sampling;

/// <summary>
/// The samples of this process: a full blocking compacting GC, pending finalizers and another GC, then every probe
/// (<see cref="MetricProbe.CreateAll"/>), managed heap first.
/// </summary>
internal sealed class ProcessSampleSource : ISampleSource
{
    private readonly MetricProbe[] _probes;

    /// <summary>Creates the probes for this platform.</summary>
    public ProcessSampleSource()
    {
        _probes = MetricProbe.CreateAll();
        Metrics = _probes.Select(p => new SampledMetric(p.Metric, p.Source, p.IsMeasured)).ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<SampledMetric> Metrics { get; }

    /// <inheritdoc />
    public bool IsProcess => true;

    /// <inheritdoc />
    public void Prepare()
    {
        // First reads resolve P/Invoke targets and build their stubs (native allocations): do them before the baseline.
        for (var i = 0; i < 3; i++)
        {
            foreach (var probe in _probes)
                probe.Read();
        }
    }

    /// <summary>
    /// Collects until the managed heap reads the same twice in a row (at most 10 collections), so that work other
    /// threads were doing when the test started (a runner reporting the previous result) is over.
    /// </summary>
    public void Settle()
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

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Sample(SampleSeries series, int iteration)
    {
        ForceFullCollection();
        for (var m = 0; m < _probes.Length; m++)
            series.Set(m, _probes[m].Read());
        series.Commit(iteration, JitInfo.GetCompiledMethodCount(currentThread: false));
    }

    /// <summary>Full blocking compacting GC (large object heap compacted once), pending finalizers, another full GC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForceFullCollection()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
