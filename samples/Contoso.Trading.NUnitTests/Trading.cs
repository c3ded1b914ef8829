using Contoso.Trading.Orders;
using Contoso.Trading.Pricing;

namespace Contoso.Trading.NUnitTests;

/// <summary>Market data and orders shared by the tests.</summary>
internal static class Trading
{
    public static readonly DateOnly AsOf = new(2026, 11, 20);

    public static readonly Quote MsftQuote = new("MSFT", 512.10m, 512.14m, new DateTimeOffset(2026, 11, 20, 14, 30, 0, TimeSpan.Zero));

    public static readonly OrderRequest BuyMsft = new("ORD-000001", "ACC-1001", "MSFT", OrderSide.Buy, 300, 512.12m);
}
