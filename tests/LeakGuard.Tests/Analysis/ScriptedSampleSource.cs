using LeakGuard.Diagnostics;
using LeakGuard.Sampling;

namespace LeakGuard.Tests.Analysis;

/// <summary>
/// A sample source that reads a script instead of the process (as BenchmarkDotNet's MockEngine measures): each
/// metric's value is a function of the iteration count and the sample's index, so every rule of the judge can be run
/// through the real engine loop with exact expectations.
/// </summary>
internal sealed class ScriptedSampleSource : ISampleSource
{
    /// <summary>A metric's script: (iteration, sample index) → value. The baseline sample has index 0.</summary>
    public delegate double Script(int iteration, int sample);

    private readonly Script[] _scripts = [(_, _) => 0, (_, _) => 0, (_, _) => 0, (_, _) => 0];

    /// <summary>The JIT-compiled method count at a sample: (iteration, sample index) → count.</summary>
    public Func<int, int, long> JitCompiledMethods { get; init; } = (_, _) => 0;

    public ScriptedSampleSource With(LeakMetric metric, Script script)
    {
        _scripts[(int)metric] = script;
        return this;
    }

    public IReadOnlyList<SampledMetric> Metrics { get; } =
    [.. Enum.GetValues<LeakMetric>().Select(m => new SampledMetric(m, $"script ({MetricTable.Get(m).Name})", true))];

    public bool IsProcess => false;

    public int Samples { get; private set; }

    public void Prepare() { }

    public void Settle() { }

    public void Sample(SampleSeries series, int iteration)
    {
        var index = series.Count;
        for (var m = 0; m < _scripts.Length; m++)
            series.Set(m, _scripts[m](iteration, index));
        series.Commit(iteration, JitCompiledMethods(iteration, index));
        Samples++;
    }

    /// <summary>Runs the engine on this script with an empty operation.</summary>
    public Task<LeakReport> RunAsync(LeakOptions? options = null, IHeapDiagnoser? heapDiagnoser = null) =>
        LeakGuard.Running.LeakRunner.RunAsync(
            () => default,
            options ?? new LeakOptions { CaptureHeapSummary = heapDiagnoser is not null },
            true,
            this,
            heapDiagnoser,
            CancellationToken.None
        );
}

/// <summary>A heap diagnoser that returns a prepared summary and counts its calls.</summary>
internal sealed class ScriptedHeapDiagnoser(HeapSummary? summary, string? unavailableReason = null) : IHeapDiagnoser
{
    public int Calls { get; private set; }

    public Task<HeapSummaryOutcome> CaptureAsync(
        Func<ValueTask> operation,
        LeakOptions options,
        Action throwIfStopped,
        CancellationToken cancellationToken,
        double? managedBytesPerIteration,
        Action<LeakStage, string>? progress = null
    )
    {
        Calls++;
        progress?.Invoke(LeakStage.HeapAnalysis, "scripted: analysing");
        return Task.FromResult(new HeapSummaryOutcome(summary, summary is null ? unavailableReason ?? "scripted: no summary" : null));
    }

    /// <summary>A summary over 50 iterations (snapshots 25 apart) listing <paramref name="types"/>.</summary>
    public static HeapSummary Summary(bool grewInEveryInterval, params TypeGrowth[] types) =>
        new(50, types, 1_000_000, 1_000_000 + types.Sum(t => t.BytesAfter - t.BytesBefore), TimeSpan.FromSeconds(1))
        {
            GrewInEveryInterval = grewInEveryInterval,
        };
}
