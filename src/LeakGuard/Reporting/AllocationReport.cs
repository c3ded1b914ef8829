using System.Globalization;

namespace LeakGuard;

/// <summary>
/// Allocation traffic of a leak run: the bytes the operation allocated during the measured iterations, per iteration,
/// and the verdict against <see cref="LeakOptions.MaxAllocatedBytesPerIteration"/>. Allocation is not growth: it counts
/// every allocated object, also the ones collected right away.
/// </summary>
public sealed class AllocationReport
{
    internal AllocationReport(long totalBytes, int iterations, double? budget, string source)
    {
        TotalBytes = totalBytes;
        Iterations = iterations;
        BudgetPerIteration = budget;
        Source = source;
    }

    /// <summary>Bytes allocated during the measured iterations in total (warmup, sampling, heap summary not included).</summary>
    public long TotalBytes { get; }

    /// <summary>The measured iterations <see cref="TotalBytes"/> was counted over.</summary>
    public int Iterations { get; }

    /// <summary><see cref="TotalBytes"/> / <see cref="Iterations"/>, in bytes per iteration; 0 when no iteration ran.</summary>
    public double BytesPerIteration => Iterations == 0 ? 0 : (double)TotalBytes / Iterations;

    /// <summary>The budget in bytes per iteration (<see cref="LeakOptions.MaxAllocatedBytesPerIteration"/>); null when there is none.</summary>
    public double? BudgetPerIteration { get; }

    /// <summary>
    /// Where the figure comes from: <c>GC.GetAllocatedBytesForCurrentThread</c> (synchronous runs: the calling thread) or
    /// <c>GC.GetTotalAllocatedBytes(precise: true)</c> (asynchronous runs: the whole process).
    /// </summary>
    public string Source { get; }

    /// <summary>True when a budget is set and <see cref="BytesPerIteration"/> exceeds it: the run fails.</summary>
    public bool IsOverBudget => BudgetPerIteration is { } budget && BytesPerIteration > budget;

    /// <summary>
    /// One line, e.g. <c>allocated 4,120 B/iteration exceeds maximum of 1,024 B/iteration (205,968 B over 50 iterations)</c>,
    /// or <c>allocated 96 B/iteration (…); no budget</c>.
    /// </summary>
    public override string ToString()
    {
        var rate = MetricReport.FormatNumber(BytesPerIteration) + " B/iteration";
        var evidence = string.Create(CultureInfo.InvariantCulture, $"{TotalBytes:#,0} B over {Iterations:#,0} iterations, {Source}");
        return BudgetPerIteration switch
        {
            null => $"allocated {rate} ({evidence}); no budget",
            { } budget when IsOverBudget => $"allocated {rate} exceeds maximum of {MetricReport.FormatNumber(budget)} B/iteration ({evidence})",
            { } budget => $"allocated {rate} within budget of {MetricReport.FormatNumber(budget)} B/iteration ({evidence})",
        };
    }
}
