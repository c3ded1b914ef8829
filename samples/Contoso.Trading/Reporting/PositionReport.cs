using System.Globalization;
using System.Text;

namespace Contoso.Trading.Reporting;

public sealed record PositionLine(string Symbol, int Quantity, decimal AveragePrice, decimal MarketValue);

/// <summary>An end-of-day position statement for one account, with its rendered CSV.</summary>
public sealed record PositionReport(string Account, DateOnly AsOf, IReadOnlyList<PositionLine> Lines, string Csv)
{
    public decimal TotalMarketValue => Lines.Sum(l => l.MarketValue);

    internal static PositionReport Build(string account, DateOnly asOf, IReadOnlyList<PositionLine> lines)
    {
        var csv = new StringBuilder("symbol,quantity,average_price,market_value\n");
        foreach (var line in lines)
            csv.Append(CultureInfo.InvariantCulture, $"{line.Symbol},{line.Quantity},{line.AveragePrice:0.00},{line.MarketValue:0.00}\n");
        return new PositionReport(account, asOf, lines, csv.ToString());
    }
}

/// <summary>The positions of every account; a stand-in for the position-keeping database.</summary>
public sealed class PositionBook(int positionsPerAccount)
{
    private static readonly string[] Symbols = ["MSFT", "AAPL", "NVDA", "AMZN", "GOOG", "META", "TSLA", "AVGO", "COST", "NFLX"];

    public IReadOnlyList<PositionLine> GetPositions(string account, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(account);
        var seed = StringComparer.Ordinal.GetHashCode(account) ^ asOf.DayNumber;
        var lines = new PositionLine[positionsPerAccount];
        for (var i = 0; i < lines.Length; i++)
        {
            var quantity = 100 + Math.Abs((seed + i * 7919) % 900);
            var price = 50m + i;
            lines[i] = new PositionLine(Symbols[i % Symbols.Length], quantity, price, quantity * (price + 1.25m));
        }
        return lines;
    }
}
