namespace LeakGuard;

/// <summary>
/// Thrown by <see cref="LeakTest"/>'s asserting methods and by the test framework adapters when a run finds a metric
/// growing over its budget. <see cref="Exception.Message"/> is the human report (<see cref="LeakReport.ToString"/>).
/// </summary>
public sealed class LeakDetectedException : Exception
{
    /// <summary>Creates the exception for a report.</summary>
    /// <param name="report">The report of the failing run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="report"/> is null.</exception>
    public LeakDetectedException(LeakReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).ToString())
    {
        Report = report;
    }

    /// <summary>The report of the failing run.</summary>
    public LeakReport Report { get; }
}
