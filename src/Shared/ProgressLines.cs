namespace LeakGuard.Adapters;

/// <summary>
/// The adapters' progress sink: keeps each of LeakGuard's progress lines (a failing run's diagnosis) for the test's
/// output and hands it, as it comes, to the framework's live channel. Synchronous, as
/// <see cref="LeakOptions.Progress"/> asks.
/// </summary>
/// <param name="live">Writes one line where the framework shows it while the test runs.</param>
internal sealed class ProgressLines(Action<string> live) : IProgress<LeakProgress>
{
    private readonly List<string> _lines = [];

    /// <summary>The lines so far, oldest first.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <inheritdoc />
    public void Report(LeakProgress value)
    {
        var line = value.ToString();
        _lines.Add(line);
        live(line);
    }
}
