using System.Reactive.Linq;
using System.Reactive.Subjects;
using Dapper;
using LeakGuard.Xunit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using Polly;

namespace ThirdParty.XunitTests;

// The scenarios of LeakyCode_CaughtByLeakGuard with their fixes — a `using` each, or a scope: every test passes.
public sealed class FixedCode_PassesLeakGuard
{
    // The application's quote feed.
    private static readonly Subject<Quote> Quotes = new();

    // The application's root container, built once and disposed at shutdown.
    private static readonly ServiceProvider Services = Market.BuildServices();

    // Nothing outlives the iteration: disposing the connection closes it, and closing the last connection to an
    // in-memory database frees the database.
    [NoLeak(Iterations = 50)]
    public void Querying_an_in_memory_database_does_not_leak()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();

        connection.Execute(Market.QuoteTable.Create);
        connection.Execute(Market.QuoteTable.Upsert, new { Market.MsftQuote.Symbol, Payload = Market.MsftQuoteJson });
        var payload = connection.QuerySingle<string>(Market.QuoteTable.SelectPayload, new { Market.MsftQuote.Symbol });

        Assert.Equal(Market.MsftQuote, JsonConvert.DeserializeObject<Quote>(payload));
    }

    // Disposing the subscription removes its observer from the static Subject: the Subject keeps nothing of it.
    [NoLeak(Iterations = 50)]
    public void Watching_a_symbol_does_not_leak()
    {
        var seen = 0;
        using var subscription = Quotes.Where(quote => quote.Symbol == "MSFT").Subscribe(_ => seen++);

        Quotes.OnNext(JsonConvert.DeserializeObject<Quote>(Market.MsftQuoteJson)!);

        Assert.Equal(1, seen);
    }

    // The exporter is resolved from a scope, which tracks it instead of the root and disposes it with the scope: when
    // the scope goes, nothing references the exporter. (The memory cache is a singleton with one entry per instrument.)
    [NoLeak(Iterations = 50)]
    public void Exporting_a_quote_does_not_leak()
    {
        using var scope = Services.CreateScope();
        var exporter = scope.ServiceProvider.GetRequiredService<QuoteExporter>();

        var json = exporter.Export(Market.MsftQuote);

        Assert.Contains("\"Mid\":512.12", json, StringComparison.Ordinal);
    }

    // Disposing the source deletes its timer from the timer queue, so nothing static holds the source, its callback or
    // the request.
    [NoLeak(Iterations = 50)]
    public async Task Requesting_a_quote_with_a_timeout_does_not_leak()
    {
        var request = new QuoteRequest(Guid.NewGuid().ToString("N"), "MSFT", "equities-emea");
        var requestJson = JsonConvert.SerializeObject(request);
        using var timeout = new CancellationTokenSource();
        timeout.CancelAfter(TimeSpan.FromHours(1));
        timeout.Token.Register(() => Market.Log.Warning("Quote request {RequestId} timed out: {Request}", request.RequestId, requestJson));

        var quote = await Market.Resilience.ExecuteAsync(static (json, token) => Market.FetchQuoteAsync(json, token), Market.MsftQuoteJson, timeout.Token);

        Market.Log.Debug("Quote for {RequestId}: {Bid}/{Ask}", request.RequestId, quote.Bid, quote.Ask);
        Assert.Equal(Market.MsftQuote, quote);
    }
}
