namespace Contoso.Trading.Pricing;

// LEAKY. A price ticker (one per open watch-list panel) that subscribes to the feed in its constructor and never
// unsubscribes. Closing the panel drops the last reference the application holds, but not the one the feed holds:
//
//   static PriceFeed.PriceChanged ──► EventHandler<Quote> (multicast invocation list)
//                                          └─► _target ──► LeakyPriceSubscriber ──► Dictionary<string, Quote> (last quotes)
//
// Every panel ever opened stays reachable from a static root, and each one also costs a little CPU on every quote.
// The fix is PriceSubscriber.cs.

/// <summary>Tracks the latest quote of a watch list. Subscribes to <see cref="PriceFeed"/> and never lets go.</summary>
public sealed class LeakyPriceSubscriber
{
    private readonly HashSet<string> _symbols;
    private readonly Dictionary<string, Quote> _lastQuotes = new(StringComparer.Ordinal);

    public LeakyPriceSubscriber(params IEnumerable<string> symbols)
    {
        _symbols = new HashSet<string>(symbols, StringComparer.Ordinal);
        PriceFeed.PriceChanged += OnPriceChanged;
    }

    public int QuotesSeen { get; private set; }

    public Quote? GetLastQuote(string symbol) => _lastQuotes.GetValueOrDefault(symbol);

    private void OnPriceChanged(object? sender, Quote quote)
    {
        if (!_symbols.Contains(quote.Symbol))
            return;
        _lastQuotes[quote.Symbol] = quote;
        QuotesSeen++;
    }
}
