using System.Reactive.Linq;
using System.Reactive.Subjects;
using Dapper;
using LeakGuard.Xunit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using Polly;

namespace ThirdParty.XunitTests;

// Four leaks through real libraries: every test here FAILS BY DESIGN, and its failure message is LeakGuard's report —
// which metric grew, by how much per iteration, and for managed leaks a heap summary naming the types that pile up.
// FixedCode_PassesLeakGuard has the same scenarios, fixed.
//
// The test method body is ONE iteration: LeakGuard runs it 5 times to warm up, then 50 times (more if the evidence is
// not conclusive), sampling the managed heap, native memory, handles and threads after each. The long-lived things are
// static, created once, as an application creates them at startup.
public sealed class LeakyCode_CaughtByLeakGuard
{
    // The connections "kept for reuse" (by nobody).
    private static readonly List<SqliteConnection> OpenConnections = [];

    // The application's quote feed.
    private static readonly Subject<Quote> Quotes = new();

    // The application's root container, built once and disposed at shutdown.
    private static readonly ServiceProvider Services = Market.BuildServices();

    // Fails on managed heap and native memory. What keeps it alive: the static OpenConnections list holds every open
    // SqliteConnection, and each open connection holds its own in-memory database (SQLite's native pages, schema and
    // statement cache) behind its sqlite3 handle.
    [NoLeak(Iterations = 50)]
    public void Querying_an_in_memory_database_does_not_leak()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open(); // never closed
        OpenConnections.Add(connection);

        connection.Execute(Market.QuoteTable.Create);
        connection.Execute(Market.QuoteTable.Upsert, new { Market.MsftQuote.Symbol, Payload = Market.MsftQuoteJson });
        var payload = connection.QuerySingle<string>(Market.QuoteTable.SelectPayload, new { Market.MsftQuote.Symbol });

        Assert.Equal(Market.MsftQuote, JsonConvert.DeserializeObject<Quote>(payload));
    }

    // Fails on managed heap. What keeps it alive: the static Subject's observer array holds every subscription ever
    // made — the Where operator's sink, the observer and the closure over `seen` — because the IDisposable that
    // Subscribe returns is dropped, never disposed.
    [NoLeak(Iterations = 50)]
    public void Watching_a_symbol_does_not_leak()
    {
        var seen = 0;
        Quotes.Where(quote => quote.Symbol == "MSFT").Subscribe(_ => seen++);

        Quotes.OnNext(JsonConvert.DeserializeObject<Quote>(Market.MsftQuoteJson)!);

        Assert.Equal(1, seen);
    }

    // Fails on managed heap. What keeps it alive: the root ServiceProvider tracks every IDisposable transient it
    // creates, to dispose it when the provider itself is disposed — at shutdown. Disposing the exporter here does not
    // help: the root's list of disposables still holds it, with its StringWriter and everything written to it.
    [NoLeak(Iterations = 50)]
    public void Exporting_a_quote_does_not_leak()
    {
        using var exporter = Services.GetRequiredService<QuoteExporter>(); // resolved from the root, not from a scope

        var json = exporter.Export(Market.MsftQuote);

        Assert.Contains("\"Mid\":512.12", json, StringComparison.Ordinal);
    }

    // Fails on managed heap. What keeps it alive: CancelAfter puts a timer in the runtime's timer queue (a static
    // root), which holds the never-disposed source for an hour — and with it the registered timeout callback, the
    // request it captured and the request's JSON.
    [NoLeak(Iterations = 50)]
    public async Task Requesting_a_quote_with_a_timeout_does_not_leak()
    {
        var request = new QuoteRequest(Guid.NewGuid().ToString("N"), "MSFT", "equities-emea");
        var requestJson = JsonConvert.SerializeObject(request);
        var timeout = new CancellationTokenSource(); // never disposed
        timeout.CancelAfter(TimeSpan.FromHours(1));
        timeout.Token.Register(() => Market.Log.Warning("Quote request {RequestId} timed out: {Request}", request.RequestId, requestJson));

        var quote = await Market.Resilience.ExecuteAsync(static (json, token) => Market.FetchQuoteAsync(json, token), Market.MsftQuoteJson, timeout.Token);

        Market.Log.Debug("Quote for {RequestId}: {Bid}/{Ask}", request.RequestId, quote.Bid, quote.Ask);
        Assert.Equal(Market.MsftQuote, quote);
    }
}
