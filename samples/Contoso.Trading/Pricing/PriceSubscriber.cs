namespace Contoso.Trading.Pricing;

// FIXED. The same ticker, but it owns its subscription: Dispose() removes the handler from the static event, which
// cuts the only path from a GC root to the subscriber:
//
//   static PriceFeed.PriceChanged ──► (handler removed)     PriceSubscriber ──► Dictionary<string, Quote>   (unreachable)
//
// The panel that creates a PriceSubscriber disposes it when it closes (`using`, or its own Dispose).

/// <summary>Tracks the latest quote of a watch list while it is alive; unsubscribes from <see cref="PriceFeed"/> on dispose.</summary>
public sealed class PriceSubscriber : IDisposable
{
    private readonly HashSet<string> _symbols;
    private readonly Dictionary<string, Quote> _lastQuotes = new(StringComparer.Ordinal);
    private bool _disposed;

    public PriceSubscriber(params IEnumerable<string> symbols)
    {
        _symbols = new HashSet<string>(symbols, StringComparer.Ordinal);
        PriceFeed.PriceChanged += OnPriceChanged;
    }

    public int QuotesSeen { get; private set; }

    public Quote? GetLastQuote(string symbol) => _lastQuotes.GetValueOrDefault(symbol);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        PriceFeed.PriceChanged -= OnPriceChanged;
    }

    private void OnPriceChanged(object? sender, Quote quote)
    {
        if (!_symbols.Contains(quote.Symbol))
            return;
        _lastQuotes[quote.Symbol] = quote;
        QuotesSeen++;
    }
}
