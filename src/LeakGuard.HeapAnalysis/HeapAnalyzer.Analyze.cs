using System.Diagnostics;

namespace LeakGuard.HeapAnalysis;

/// <summary>Options of <see cref="HeapAnalyzer.Analyze(string, HeapSnapshotOptions?, CancellationToken)"/>.</summary>
public sealed record HeapSnapshotOptions
{
    /// <summary>How many types to list, largest first. Default 20. Must be at least 1.</summary>
    public int TopTypes { get; init; } = 20;

    /// <summary>
    /// A type to search retention paths for, or null for none: its full name (<c>Contoso.Trading.Quote</c>), its name
    /// without namespace (<c>Quote</c>), or a part of the full name that matches only one type (case-sensitive).
    /// </summary>
    public string? TypeName { get; init; }

    /// <summary>Whether thread stacks are searched as roots. Default true (see <see cref="HeapComparisonOptions.IncludeStackRoots"/>).</summary>
    public bool IncludeStackRoots { get; init; } = true;
}

/// <summary>Instances and shallow bytes of one type in one heap snapshot.</summary>
/// <param name="TypeName">Full type name as the runtime names it.</param>
/// <param name="Count">Live instances (objects on the heap when the snapshot was taken).</param>
/// <param name="Bytes">Their shallow bytes.</param>
public readonly record struct TypeSize(string TypeName, long Count, long Bytes);

/// <summary>One heap snapshot summarised: its largest types and, when asked, the retention paths of one type.</summary>
public sealed record HeapSnapshotSummary
{
    /// <summary>Bytes of all objects on the heap (shallow sizes).</summary>
    public long TotalBytes { get; init; }

    /// <summary>Objects on the heap.</summary>
    public long Objects { get; init; }

    /// <summary>Distinct types on the heap.</summary>
    public int TypeCount { get; init; }

    /// <summary>The largest types by shallow bytes, at most <see cref="HeapSnapshotOptions.TopTypes"/>.</summary>
    public required IReadOnlyList<TypeSize> Types { get; init; }

    /// <summary>The type <see cref="HeapSnapshotOptions.TypeName"/> matched, or null when none was asked for.</summary>
    public TypeSize? SearchedType { get; init; }

    /// <summary>Retention paths of the searched type's instances, grouped by path shape, most instances first (at most three groups).</summary>
    public IReadOnlyList<RetentionPath> Paths { get; init; } = [];

    /// <summary>Why some or all retention paths are missing (stack roots skipped, instances not reachable); null when none are.</summary>
    public string? PathsNote { get; init; }

    /// <summary>Seconds spent reading the snapshot and searching paths.</summary>
    public double Seconds { get; init; }
}

public static partial class HeapAnalyzer
{
    /// <summary>
    /// Reads one snapshot: its largest types and, when <see cref="HeapSnapshotOptions.TypeName"/> is set, the shortest
    /// retention paths of that type's instances, grouped by path shape.
    /// </summary>
    /// <param name="dump">Path of the dump.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the read and the search.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="FileNotFoundException">The dump does not exist.</exception>
    /// <exception cref="InvalidOperationException">The dump holds no .NET runtime, or its heap cannot be walked.</exception>
    /// <exception cref="ArgumentException">The type name matches no type, or a part of it matches several (the message lists them).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static HeapSnapshotSummary Analyze(string dump, HeapSnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dump);
        options ??= new HeapSnapshotOptions();
        if (options.TopTypes < 1)
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.TopTypes,
                $"HeapSnapshotOptions.TopTypes must be at least 1, but was {options.TopTypes}."
            );
        if (!File.Exists(dump))
            throw new FileNotFoundException($"No heap snapshot at '{dump}'.", dump);

        var clock = Stopwatch.StartNew();
        using var snapshot = Snapshot.Open(dump);
        var histogram = HeapHistogram.Read(snapshot.Heap, dump, cancellationToken);
        var types = histogram
            .Types.OrderByDescending(t => t.Value.Bytes)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .Take(options.TopTypes)
            .Select(t => new TypeSize(t.Key, t.Value.Count, t.Value.Bytes))
            .ToList();
        var summary = new HeapSnapshotSummary
        {
            TotalBytes = histogram.TotalBytes,
            Objects = histogram.Objects,
            TypeCount = histogram.Types.Count,
            Types = types,
        };
        if (options.TypeName is not { } wanted)
            return summary with { Seconds = clock.Elapsed.TotalSeconds };

        var name = MatchTypeName(histogram, wanted);
        var totals = histogram.Types[name];
        var targets = new PathTargets();
        targets.AddType(totals.MethodTables ?? [], totals.Count);
        var finder = new RetentionPathFinder(snapshot.Runtime);
        var search = finder.Find(targets, options.IncludeStackRoots, cancellationToken);
        var paths = search.TypeShapes[0].Take(RetentionPathFinder.GroupsPerType).Select(finder.Build).ToList();
        var unreached = totals.Count - search.Reached[0];
        var notes = new List<string>();
        if (unreached > 0)
            notes.Add($"{unreached:#,0} of {totals.Count:#,0} instances are not reachable from a GC root (garbage not yet collected?)");
        if (search.StackRootsSkippedReason is { } skipped)
            notes.Add(skipped);
        return summary with
        {
            SearchedType = new TypeSize(name, totals.Count, totals.Bytes),
            Paths = paths,
            PathsNote = notes.Count > 0 ? string.Join("; ", notes) : null,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>The full name of the one type <paramref name="wanted"/> names: exact, then without namespace, then as a part of the name.</summary>
    private static string MatchTypeName(HeapHistogram histogram, string wanted)
    {
        if (histogram.Types.ContainsKey(wanted))
            return wanted;
        var names = histogram.Types.Keys;
        var matches = names.Where(n => TypeNames.Short(n) == wanted || n.EndsWith("." + wanted, StringComparison.Ordinal)).ToList();
        if (matches.Count == 0)
            matches = names.Where(n => n.Contains(wanted, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ArgumentException($"no type named '{wanted}' has instances in the snapshot", nameof(wanted)),
            _ => throw new ArgumentException(
                $"'{wanted}' matches {matches.Count} types: {string.Join(", ", matches.Order(StringComparer.Ordinal).Take(10))}{(matches.Count > 10 ? ", …" : "")}; give the full name",
                nameof(wanted)
            ),
        };
    }
}
