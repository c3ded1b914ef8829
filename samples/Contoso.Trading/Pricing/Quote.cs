namespace Contoso.Trading.Pricing;

/// <summary>A top-of-book quote for one instrument.</summary>
public sealed record Quote(string Symbol, decimal Bid, decimal Ask, DateTimeOffset Timestamp)
{
    public decimal Mid => (Bid + Ask) / 2;

    public decimal Spread => Ask - Bid;
}
