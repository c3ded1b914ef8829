namespace Contoso.Trading.Reporting;

// LEAKY. Building a report is slow, so the service memoises reports by (account, date) — in a dictionary that is
// never trimmed. Every account and every day ever asked for stays in memory for the life of the service (a
// singleton, so: of the process):
//
//   PositionReportService (singleton) ──► Dictionary<(string, DateOnly), PositionReport>
//                                            └─► PositionReport ──► PositionLine[] + CSV string   (one per key, forever)
//
// It looks fine in a test with three accounts; in production it grows with accounts × days. The fix is
// PositionReportService.cs: a bounded cache.

/// <summary>Serves end-of-day position reports, memoised without bound.</summary>
public sealed class LeakyPositionReportService(PositionBook book)
{
    private readonly Dictionary<(string Account, DateOnly AsOf), PositionReport> _reports = [];
    private readonly Lock _lock = new();

    public PositionReport GetReport(string account, DateOnly asOf)
    {
        lock (_lock)
        {
            if (!_reports.TryGetValue((account, asOf), out var report))
            {
                report = PositionReport.Build(account, asOf, book.GetPositions(account, asOf));
                _reports.Add((account, asOf), report);
            }
            return report;
        }
    }
}
