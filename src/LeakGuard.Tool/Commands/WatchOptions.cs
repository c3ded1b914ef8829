using System.CommandLine;
using LeakGuard.Tool.Watching;

namespace LeakGuard.Tool.Commands;

/// <summary>The options of <c>watch</c> and <c>run</c>.</summary>
internal static class WatchOptions
{
    public static readonly Option<TimeSpan> DurationOption = new("--duration", "-d")
    {
        Description = "How long to watch, e.g. 30s, 10m, 1h: 1s to 30d.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
        CustomParser = CommonOptions.DurationIn(TimeSpan.FromSeconds(1), TimeSpan.FromDays(30)),
    };

    public static readonly Option<TimeSpan> IntervalOption = new("--interval", "-i")
    {
        Description = "Time between samples, e.g. 500ms, 1s, 10s: 100ms to 1h.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
        CustomParser = CommonOptions.DurationIn(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
    };

    public static readonly Option<GrowthRate> MaxManagedGrowthOption = new("--max-managed-growth")
    {
        Description = "Budget of the managed (GC) heap, e.g. 10MB/h, 512KB/min, 0B/h.",
        DefaultValueFactory = _ => new GrowthRate(10 * 1024 * 1024, "10MB/h"),
        CustomParser = CommonOptions.SizeRate,
    };

    public static readonly Option<GrowthRate> MaxNativeGrowthOption = new("--max-native-growth")
    {
        Description = "Budget of native memory (resident anonymous memory outside the GC heap), e.g. 50MB/h.",
        DefaultValueFactory = _ => new GrowthRate(50 * 1024 * 1024, "50MB/h"),
        CustomParser = CommonOptions.SizeRate,
    };

    public static readonly Option<GrowthRate> MaxHandleGrowthOption = new("--max-handle-growth")
    {
        Description = "Budget of open OS handles (file descriptors), e.g. 100/h.",
        DefaultValueFactory = _ => new GrowthRate(100, "100/h"),
        CustomParser = CommonOptions.CountRate,
    };

    public static readonly Option<GrowthRate> MaxThreadGrowthOption = new("--max-thread-growth")
    {
        Description = "Budget of threads, e.g. 20/h.",
        DefaultValueFactory = _ => new GrowthRate(20, "20/h"),
        CustomParser = CommonOptions.CountRate,
    };

    public static readonly Option<TimeSpan> SnapshotDelayOption = new("--snapshot-delay")
    {
        Description = "Time between the two heap snapshots taken when a metric grew over budget: 1s to 1h.",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        CustomParser = CommonOptions.DurationIn(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
    };

    public static readonly Option<string?> SnapshotDirectoryOption = new("--snapshot-directory")
    {
        Description =
            "Where the temporary dumps go (mode 0600, deleted after reading). Default: <temp>/leakguard-<uid> (created 0700; a folder another user owns or can write is refused).",
    };

    public static readonly Option<bool> NoSnapshotsOption = new("--no-snapshots")
    {
        Description = "Do not take heap snapshots when a metric grew over budget.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public static Command AddTo(Command command)
    {
        foreach (
            var option in new Option[]
            {
                DurationOption,
                IntervalOption,
                MaxManagedGrowthOption,
                MaxNativeGrowthOption,
                MaxHandleGrowthOption,
                MaxThreadGrowthOption,
                SnapshotDelayOption,
                SnapshotDirectoryOption,
                NoSnapshotsOption,
                CommonOptions.TopOption,
                CommonOptions.AnalysisTimeoutOption,
                CommonOptions.JsonOption,
            }
        )
            command.Options.Add(option);
        return command;
    }

    /// <summary>The settings the options give.</summary>
    /// <exception cref="ToolException">They do not fit together.</exception>
    public static WatchSettings Read(ParseResult parse)
    {
        var duration = parse.GetValue(DurationOption);
        var interval = parse.GetValue(IntervalOption);
        if (duration < interval * 3)
            throw new ToolException(
                $"--duration {Units.Duration(duration)} allows fewer than 3 samples at --interval {Units.Duration(interval)}: a growth slope needs at least 3 (e.g. --duration 30s --interval 1s)."
            );
        return new WatchSettings
        {
            Duration = duration,
            Interval = interval,
            Budgets = new WatchBudgets(
                parse.GetValue(MaxManagedGrowthOption).PerHour,
                parse.GetValue(MaxNativeGrowthOption).PerHour,
                parse.GetValue(MaxHandleGrowthOption).PerHour,
                parse.GetValue(MaxThreadGrowthOption).PerHour
            ),
            SnapshotDelay = parse.GetValue(SnapshotDelayOption),
            SnapshotDirectory = parse.GetValue(SnapshotDirectoryOption),
            Snapshots = !parse.GetValue(NoSnapshotsOption),
            TopTypes = parse.GetValue(CommonOptions.TopOption),
            AnalysisTimeout = parse.GetValue(CommonOptions.AnalysisTimeoutOption),
        };
    }
}
