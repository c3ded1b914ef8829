using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Polly;
using Polly.Retry;
using Serilog;

namespace ThirdParty.XunitTests;

/// <summary>A quote as the market-data feed sends it (as JSON, through Newtonsoft.Json).</summary>
public sealed record Quote(string Symbol, decimal Bid, decimal Ask, DateTimeOffset Time);

/// <summary>A request for a quote, logged if it times out.</summary>
public sealed record QuoteRequest(string RequestId, string Symbol, string Desk);

/// <summary>Market data, and the long-lived infrastructure an application builds once at startup.</summary>
internal static class Market
{
    public static readonly Quote MsftQuote = new("MSFT", 512.10m, 512.14m, new DateTimeOffset(2026, 11, 20, 14, 30, 0, TimeSpan.Zero));

    public static readonly JsonSerializer Json = JsonSerializer.CreateDefault();

    /// <summary>The feed's wire format.</summary>
    public static readonly string MsftQuoteJson = JsonConvert.SerializeObject(MsftQuote);

    /// <summary>Serilog with a Warning minimum and no sink: the tests' Debug events are dropped, nothing is written.</summary>
    public static readonly Serilog.ILogger Log = new LoggerConfiguration().MinimumLevel.Warning().CreateLogger();

    /// <summary>Polly v8: up to two retries, and a 5 s timeout on each attempt.</summary>
    public static readonly ResiliencePipeline Resilience = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.Zero })
        .AddTimeout(TimeSpan.FromSeconds(5))
        .Build();

    /// <summary>The application's container: console logging at Warning (the tests log at Debug: nothing is written), a memory cache, the exporter.</summary>
    public static ServiceProvider BuildServices() =>
        new ServiceCollection()
            .AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning))
            .AddMemoryCache()
            .AddTransient<QuoteExporter>()
            .BuildServiceProvider();

    /// <summary>The quote service behind the resilience pipeline: parses the feed's JSON.</summary>
    public static ValueTask<Quote> FetchQuoteAsync(string json, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(JsonConvert.DeserializeObject<Quote>(json)!);
    }

    /// <summary>The quotes table of the in-memory database: one JSON payload per symbol.</summary>
    public static class QuoteTable
    {
        public const string Create = "CREATE TABLE quotes (symbol TEXT PRIMARY KEY, payload TEXT NOT NULL)";
        public const string Upsert = "INSERT OR REPLACE INTO quotes (symbol, payload) VALUES (@Symbol, @Payload)";
        public const string SelectPayload = "SELECT payload FROM quotes WHERE symbol = @Symbol";
    }
}
