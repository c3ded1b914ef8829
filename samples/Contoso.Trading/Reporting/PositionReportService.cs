namespace Contoso.Trading.Reporting;

// FIXED. The same memo, bounded: a least-recently-used cache of at most Capacity reports. It grows while it fills,
// then every new report evicts the oldest one — memory levels off (a plateau, which LeakGuard does not call a leak):
//
//   PositionReportService ──► LruCache (≤ Capacity entries) ──► PositionReport ...   (evicted reports: unreachable)

/// <summary>Serves end-of-day position reports, memoising the most recently used ones.</summary>
public sealed class PositionReportService(PositionBook book, int capacity = PositionReportService.DefaultCapacity)
{
    public const int DefaultCapacity = 100;

    private readonly LruCache<(string Account, DateOnly AsOf), PositionReport> _reports = new(capacity);

    public int CachedReports => _reports.Count;

    public PositionReport GetReport(string account, DateOnly asOf) =>
        _reports.GetOrAdd((account, asOf), key => PositionReport.Build(key.Account, key.AsOf, book.GetPositions(key.Account, key.AsOf)));
}
