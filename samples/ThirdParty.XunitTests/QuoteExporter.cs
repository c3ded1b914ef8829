using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;

namespace ThirdParty.XunitTests;

/// <summary>
/// Writes quotes as JSON for the downstream risk system. It owns its writer, so it is <see cref="IDisposable"/>, and a
/// transient service: every consumer gets its own.
/// </summary>
public sealed class QuoteExporter : IDisposable
{
    private readonly IMemoryCache _referenceData;
    private readonly ILogger<QuoteExporter> _logger;
    private readonly StringWriter _buffer = new();
    private readonly JsonTextWriter _writer;

    public QuoteExporter(IMemoryCache referenceData, ILogger<QuoteExporter> logger)
    {
        _referenceData = referenceData;
        _logger = logger;
        _writer = new JsonTextWriter(_buffer);
    }

    /// <summary>Writes <paramref name="quote"/> with its mid price rounded to the instrument's tick size; returns everything written.</summary>
    public string Export(Quote quote)
    {
        // Reference data: one entry per instrument, loaded once and kept.
        var tickSize = _referenceData.GetOrCreate($"tick-size:{quote.Symbol}", _ => 0.01m);
        var mid = Math.Round((quote.Bid + quote.Ask) / 2 / tickSize) * tickSize;
        _logger.LogDebug("Exporting {Symbol} at {Mid}", quote.Symbol, mid);
        Market.Json.Serialize(
            _writer,
            new
            {
                quote.Symbol,
                Mid = mid,
                quote.Time,
            }
        );
        _writer.Flush();
        return _buffer.ToString();
    }

    public void Dispose() => _writer.Close();
}
