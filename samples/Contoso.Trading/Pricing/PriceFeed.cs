namespace Contoso.Trading.Pricing;

/// <summary>
/// The process-wide market data feed: the market data gateway publishes every quote here and any component that
/// shows or reacts to prices subscribes to <see cref="PriceChanged"/>.
/// </summary>
/// <remarks>
/// The event is static, so it lives as long as the process: every handler added to it keeps its target object alive
/// until it is removed again. See <see cref="LeakyPriceSubscriber"/> and <see cref="PriceSubscriber"/>.
/// </remarks>
public static class PriceFeed
{
    public static event EventHandler<Quote>? PriceChanged;

    public static void Publish(Quote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        PriceChanged?.Invoke(null, quote);
    }
}
