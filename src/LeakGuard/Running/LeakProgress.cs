using System.Globalization;

namespace LeakGuard;

/// <summary>The stage of a leak run that a <see cref="LeakProgress"/> report announces.</summary>
public enum LeakStage
{
    /// <summary>
    /// The native attribution run: after a native memory or handle verdict over budget, the operation runs
    /// <see cref="LeakOptions.Iterations"/> more times between two reads of the memory mappings and open handles.
    /// </summary>
    NativeAttribution,

    /// <summary>The heap snapshots: three dumps of the process, <c>max(1, Iterations / 2)</c> iterations apart, each after a full GC.</summary>
    HeapSnapshots,

    /// <summary>The heap analysis: a child process reads the snapshots with ClrMD, diffs their histograms and searches retention paths.</summary>
    HeapAnalysis,

    /// <summary>The diagnosis has finished (with a heap summary or with the reason there is none); the report follows.</summary>
    DiagnosisFinished,
}

/// <summary>
/// What a leak run is doing, reported to <see cref="LeakOptions.Progress"/> when it starts work that takes seconds
/// after its verdict (a failing test's diagnosis).
/// </summary>
/// <param name="Stage">The stage that starts (or, for <see cref="LeakStage.DiagnosisFinished"/>, that ended).</param>
/// <param name="Message">One line of English for a test's output, e.g. <c>LeakGuard: taking 3 heap snapshots 25 iterations apart (managed heap over budget)…</c>.</param>
/// <param name="Elapsed">Time since the run started, warmup included.</param>
public sealed record LeakProgress(LeakStage Stage, string Message, TimeSpan Elapsed)
{
    /// <summary>The message, prefixed with the elapsed time in seconds, e.g. <c>[2.4 s] LeakGuard: …</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Elapsed.TotalSeconds:0.0} s] {Message}");
}
