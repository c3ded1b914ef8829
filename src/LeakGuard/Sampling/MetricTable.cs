namespace LeakGuard.Sampling;

/// <summary>What LeakGuard knows about one <see cref="LeakMetric"/>: how it is named, counted and judged.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Name">Its name in report text: "managed heap", "native memory", "handles", "threads".</param>
/// <param name="Unit">The unit of its samples and slopes: "B", "handles", "threads".</param>
/// <param name="JsonKey">Its key in report.json and baseline files (camelCase of the enum name, e.g. <c>managedHeap</c>).</param>
/// <param name="FileStem">Its file name stem in artifacts, e.g. <c>managed-heap</c> (<c>managed-heap.svg</c>).</param>
/// <param name="DefaultBudgetPerIteration">The default budget in <paramref name="Unit"/> per iteration (<see cref="LeakOptions"/>).</param>
/// <param name="BaselineFloorPerIteration">Least headroom a baseline budget gets over its recorded slope (<see cref="LeakBaseline.GetFloor"/>).</param>
/// <param name="GrowthCap">Total growth (in <paramref name="Unit"/>) after which a metric still growing is called a leak without further extension.</param>
/// <param name="JumpFloor">Smallest sample-to-sample jump (in <paramref name="Unit"/>) that can be set aside as another component's activity.</param>
internal sealed record MetricTraits(
    LeakMetric Metric,
    string Name,
    string Unit,
    string JsonKey,
    string FileStem,
    double DefaultBudgetPerIteration,
    double BaselineFloorPerIteration,
    double GrowthCap,
    double JumpFloor
);

/// <summary>The one table of per-metric facts; every per-metric name, unit, key, default and floor comes from here.</summary>
internal static class MetricTable
{
    private static readonly MetricTraits[] Rows =
    [
        new(
            LeakMetric.ManagedHeap,
            "managed heap",
            "B",
            "managedHeap",
            "managed-heap",
            0,
            LeakBaseline.ManagedHeapFloorBytesPerIteration,
            256.0 * 1024 * 1024,
            2048
        ),
        new(
            LeakMetric.NativeHeap,
            "native memory",
            "B",
            "nativeHeap",
            "native-memory",
            512,
            LeakBaseline.NativeHeapFloorBytesPerIteration,
            256.0 * 1024 * 1024,
            2048
        ),
        new(LeakMetric.Handles, "handles", "handles", "handles", "handles", 0, LeakBaseline.HandlesFloorPerIteration, 256, 2),
        new(LeakMetric.Threads, "threads", "threads", "threads", "threads", 0, LeakBaseline.ThreadsFloorPerIteration, 128, 2),
    ];

    /// <summary>Every metric, in <see cref="LeakMetric"/> order.</summary>
    public static IReadOnlyList<MetricTraits> All => Rows;

    /// <summary>The row of <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="LeakMetric"/>.</exception>
    public static MetricTraits Get(LeakMetric metric) =>
        (uint)metric < (uint)Rows.Length ? Rows[(int)metric] : throw new ArgumentOutOfRangeException(nameof(metric), metric, "not a LeakMetric");
}
