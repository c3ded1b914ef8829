using System.Diagnostics;
using LeakGuard.Tool.Output;
using Spectre.Console;

namespace LeakGuard.Tool.Watching;

/// <summary>What <c>watch</c> and <c>run</c> were asked to do.</summary>
internal sealed record WatchSettings
{
    public required TimeSpan Duration { get; init; }
    public required TimeSpan Interval { get; init; }
    public required WatchBudgets Budgets { get; init; }
    public required TimeSpan SnapshotDelay { get; init; }
    public string? SnapshotDirectory { get; init; }
    public bool Snapshots { get; init; } = true;
    public int TopTypes { get; init; } = 10;

    /// <summary>The time limit of reading the snapshots (<c>--analysis-timeout</c>).</summary>
    public TimeSpan AnalysisTimeout { get; init; } = Commands.CommonOptions.DefaultAnalysisTimeout;
}

/// <summary>The result of <c>watch</c> and <c>run</c> (its JSON shape is documented in docs/cli.md).</summary>
internal sealed record WatchReport
{
    public required string Verb { get; init; }
    public required int ExitCode { get; init; }
    public required string Verdict { get; init; }
    public required TargetInfo Process { get; init; }
    public required double DurationSeconds { get; init; }
    public required double IntervalSeconds { get; init; }
    public required int Samples { get; init; }
    public required int GcCount { get; init; }
    public required IReadOnlyList<MetricGrowth> Metrics { get; init; }
    public required IReadOnlyList<string> Findings { get; init; }
    public SnapshotReport? Snapshots { get; init; }
    public required ToolCost Cost { get; init; }
}

/// <summary>The watched process.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Name">Process name.</param>
/// <param name="Command">The command line (<c>run</c> only).</param>
/// <param name="ExitCode">The process's exit code when it exited on its own (<c>run</c> only).</param>
internal sealed record TargetInfo(int Pid, string Name, IReadOnlyList<string>? Command = null, int? ExitCode = null);

/// <summary>What watching cost.</summary>
/// <param name="ToolCpuSeconds">CPU time (user + system) of the tool while sampling (snapshots and analysis excluded).</param>
/// <param name="ToolCpuPercent">That, in percent of one core over the sampling time.</param>
/// <param name="TargetCpuPercent">CPU of the target over the sampling time, percent of one core (Linux); null when unknown.</param>
internal sealed record ToolCost(double ToolCpuSeconds, double ToolCpuPercent, double? TargetCpuPercent);

/// <summary>Samples a target for the duration, shows the figures live, fits the slopes, and takes heap snapshots when a metric grew over budget.</summary>
internal static class WatchSession
{
    private static readonly WatchedMetric[] Metrics =
    [
        WatchedMetric.ManagedHeap,
        WatchedMetric.NativeMemory,
        WatchedMetric.Rss,
        WatchedMetric.Handles,
        WatchedMetric.Threads,
    ];

    /// <summary>Watches <paramref name="target"/>.</summary>
    /// <param name="verb"><c>watch</c> or <c>run</c>.</param>
    /// <param name="target">The process.</param>
    /// <param name="settings">What to do.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="exited">For <c>run</c>: true once the started process has exited (sampling then stops with an error).</param>
    /// <param name="cancellationToken">Ctrl+C: stops sampling early; the report covers the samples taken.</param>
    /// <exception cref="ToolException">The target went away, or too few samples were taken.</exception>
    public static async Task<WatchReport> RunAsync(
        string verb,
        TargetInfo target,
        WatchSettings settings,
        CliOutput output,
        Func<bool>? exited,
        CancellationToken cancellationToken
    )
    {
        var clock = new Stopwatch();
        TimeSpan toolCpuBefore;
        var samples = new List<WatchSample>();
        using (var listener = RuntimeEventListener.Start(target.Pid, settings.Interval))
        {
            // The first counter event comes an interval or two after the session starts: sampling starts with it.
            for (var waited = 0; waited < 100 && listener.Read().CounterEvents == 0 && exited?.Invoke() != true; waited++)
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            toolCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            if (output.Interactive)
            {
                await AnsiConsole
                    .Live(LiveTable(target, samples, settings))
                    .AutoClear(false)
                    .StartAsync(async context =>
                        await SampleAsync(
                                listener,
                                target,
                                settings,
                                samples,
                                clock,
                                exited,
                                () => context.UpdateTarget(LiveTable(target, samples, settings)),
                                cancellationToken
                            )
                            .ConfigureAwait(false)
                    )
                    .ConfigureAwait(false);
            }
            else
            {
                if (!output.Json)
                    output.Out.WriteLine(
                        $"leakguard {verb}: process {target.Pid} ({target.Name}) for {Units.Duration(settings.Duration)}, a sample every {Units.Duration(settings.Interval)}"
                    );
                await SampleAsync(listener, target, settings, samples, clock, exited, () => PrintLine(output, samples[^1]), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        var sampling = clock.Elapsed;
        clock.Stop();
        var toolCpu = (Process.GetCurrentProcess().TotalProcessorTime - toolCpuBefore).TotalSeconds;
        double? targetCpu =
            samples.Count >= 2 && !double.IsNaN(samples[0].Proc.CpuSeconds) && !double.IsNaN(samples[^1].Proc.CpuSeconds)
                ? 100 * (samples[^1].Proc.CpuSeconds - samples[0].Proc.CpuSeconds) / Math.Max(0.001, samples[^1].Seconds - samples[0].Seconds)
                : null;
        if (samples.Count < 3)
            throw new ToolException(
                $"only {samples.Count} samples were taken: at least 3 are needed to fit a slope (make --duration at least 3 × --interval, or do not stop the watch so soon)."
            );

        var metrics = Metrics.Select(m => MetricGrowth.Fit(m, samples, settings.Budgets)).ToList();
        var findings = Findings(metrics);
        var over = metrics.Any(m => m.OverBudget);
        SnapshotReport? snapshots = null;
        if (over && settings.Snapshots && !cancellationToken.IsCancellationRequested && exited?.Invoke() != true)
        {
            snapshots = await TargetSnapshots
                .CompareAsync(
                    target.Pid,
                    settings.SnapshotDelay,
                    settings.SnapshotDirectory,
                    settings.TopTypes,
                    settings.AnalysisTimeout,
                    output.Progress,
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        var code = over ? ReturnCode.GrowthOverBudget : ReturnCode.Ok;
        return new WatchReport
        {
            Verb = verb,
            ExitCode = (int)code,
            Verdict = over ? "growth-over-budget" : "no-growth-over-budget",
            Process = target,
            DurationSeconds = samples[^1].Seconds,
            IntervalSeconds = settings.Interval.TotalSeconds,
            Samples = samples.Count,
            GcCount = samples[^1].Runtime.GcCount - samples[0].Runtime.GcCount,
            Metrics = metrics,
            Findings = findings,
            Snapshots = snapshots,
            Cost = new ToolCost(toolCpu, 100 * toolCpu / Math.Max(0.001, sampling.TotalSeconds), targetCpu),
        };
    }

    private static async Task SampleAsync(
        RuntimeEventListener listener,
        TargetInfo target,
        WatchSettings settings,
        List<WatchSample> samples,
        Stopwatch clock,
        Func<bool>? exited,
        Action onSample,
        CancellationToken cancellationToken
    )
    {
        for (var tick = 0; ; tick++)
        {
            var due = TimeSpan.FromTicks(settings.Interval.Ticks * tick);
            if (due > settings.Duration)
                break;
            var wait = due - clock.Elapsed;
            try
            {
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var runtime = listener.Read();
            if (exited?.Invoke() == true || !ProcStats.TryRead(target.Pid, runtime.GcSpan, out var proc))
                throw new ToolException($"process {target.Pid} ({target.Name}) exited while it was watched, after {Units.Duration(clock.Elapsed)}.");
            samples.Add(new WatchSample(clock.Elapsed.TotalSeconds, runtime, proc));
            onSample();
        }
    }

    private static void PrintLine(CliOutput output, WatchSample sample)
    {
        if (output.Json)
            return;
        var managed = MetricGrowth.Current(WatchedMetric.ManagedHeap, sample, afterGc: true);
        var native = MetricGrowth.Current(WatchedMetric.NativeMemory, sample, afterGc: true, outsideGcMappings: !double.IsNaN(sample.Proc.NonGcAnonymousBytes));
        output.Out.WriteLine(
            FormattableString.Invariant(
                $"  {sample.Seconds, 6:0.0}s  managed heap {Fmt(managed), 9}  native {Fmt(native), 9}  rss {Fmt(sample.Proc.RssBytes), 9}  handles {sample.Proc.Handles, 4}  threads {sample.Proc.Threads, 3}  GCs {sample.Runtime.GcCount}"
            )
        );
        static string Fmt(double bytes) => double.IsNaN(bytes) ? "n/a" : Units.Bytes(bytes);
    }

    private static Table LiveTable(TargetInfo target, List<WatchSample> samples, WatchSettings settings)
    {
        var elapsed = samples.Count > 0 ? samples[^1].Seconds : 0;
        var table = new Table()
            .Title($"leakguard: process {target.Pid} ({Markup.Escape(target.Name)}), {elapsed:0}s of {Units.Duration(settings.Duration)}")
            .AddColumns("metric", "now", "growth/h (95% CI)", "budget/h", "");
        if (samples.Count == 0)
            return table;
        foreach (var metric in Metrics)
        {
            var growth = samples.Count >= 3 ? MetricGrowth.Fit(metric, samples, settings.Budgets) : null;
            var now = MetricGrowth.Current(metric, samples[^1], MetricGrowth.UsesAfterGc(samples), MetricGrowth.UsesOutsideGcMappings(samples));
            var display = growth ?? MetricGrowth.Fit(metric, [samples[^1]], settings.Budgets);
            table.AddRow(
                display.DisplayName,
                display.Format(now),
                growth is null ? "…" : $"{growth.FormatRate(growth.SlopePerHour)} ({growth.Format(growth.LowerPerHour)}–{growth.Format(growth.UpperPerHour)})",
                display.BudgetPerHour is { } b ? display.FormatRate(b) : "",
                growth?.OverBudget == true ? "[red]over budget[/]" : ""
            );
        }
        return table;
    }

    /// <summary>The verdict in words: every metric over budget, and whether the growth is native while the managed heap is flat.</summary>
    internal static List<string> Findings(IReadOnlyList<MetricGrowth> metrics)
    {
        var findings = new List<string>();
        foreach (var m in metrics.Where(m => m.OverBudget))
        {
            findings.Add(
                $"{m.DisplayName} grew {m.FormatRate(m.SlopePerHour)} (95% CI {m.FormatRate(m.LowerPerHour)} to {m.FormatRate(m.UpperPerHour)}), over its budget of {m.FormatRate(m.BudgetPerHour ?? 0)}."
            );
        }
        var managed = metrics.First(m => m.Kind == WatchedMetric.ManagedHeap);
        var native = metrics.First(m => m.Kind == WatchedMetric.NativeMemory);
        if (native.OverBudget && !managed.OverBudget)
        {
            findings.Add(
                $"The growth is in native memory while the managed heap is flat ({managed.FormatRate(managed.SlopePerHour)}): memory outside the GC heap is growing (unmanaged allocations — Marshal.AllocHGlobal, NativeMemory, native libraries, undisposed native resources). Heap snapshots show at most the managed handles that own it (SafeHandle types below)."
            );
        }
        if (findings.Count == 0)
            findings.Add("No metric grew over its budget.");
        return findings;
    }
}
