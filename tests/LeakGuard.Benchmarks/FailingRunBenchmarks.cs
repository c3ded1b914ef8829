using System.Reactive.Linq;
using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using ThirdParty.XunitTests;

namespace LeakGuard.Benchmarks;

/// <summary>
/// Benchmark D: a failing leak test end to end — the verdict (warmup, four rounds, 750 iterations) and the diagnosis
/// (three heap snapshots, the analysis child, retention paths) — in a process that has loaded and used the ten packages of
/// <c>samples/ThirdParty.XunitTests</c> (SQLite and Dapper, Rx, DI, caching, logging, Newtonsoft.Json, Polly, Serilog),
/// against the hand loop of the same 50 iterations (baseline). The verdict alone (<c>CaptureHeapSummary = false</c>)
/// breaks the figure down.
/// </summary>
/// <remarks>
/// The two leaks are the sample's: a transient <see cref="IDisposable"/> resolved from the root provider (which keeps
/// it), and an Rx subscription on a long-lived subject never disposed. Each benchmark invocation starts from a new root
/// provider and a new subject, so the leaked objects of one invocation are gone before the next. A run whose report is
/// not a leak (or, with the diagnosis, has no heap summary) throws: a benchmark that measured a pass would mislead.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class FailingRunBenchmarks
{
    private ServiceProvider? _services;
    private Subject<Quote>? _quotes;

    private static readonly LeakOptions WithDiagnosis = new() { Artifacts = ArtifactPolicy.Never, TestName = "Benchmarks.FailingRun" };

    [GlobalSetup]
    public void LoadTheLibraries()
    {
        // Every package in use once, as a test host's earlier tests would have done.
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        connection.Execute(Market.QuoteTable.Create);
        connection.Execute(Market.QuoteTable.Upsert, new { Market.MsftQuote.Symbol, Payload = Market.MsftQuoteJson });
        _ = connection.QuerySingle<string>(Market.QuoteTable.SelectPayload, new { Market.MsftQuote.Symbol });
        _ = Market.Resilience.Execute(() => JsonConvert.DeserializeObject<Quote>(Market.MsftQuoteJson));
        Market.Log.Debug("benchmark setup");
        using var services = Market.BuildServices();
        using var scope = services.CreateScope();
        _ = scope.ServiceProvider.GetRequiredService<QuoteExporter>().Export(Market.MsftQuote);
        using var subject = new Subject<Quote>();
        using (subject.Where(q => q.Symbol == "MSFT").Subscribe(_ => { }))
            subject.OnNext(Market.MsftQuote);
    }

    [IterationSetup]
    public void NewRoots()
    {
        _services = Market.BuildServices();
        _quotes = new Subject<Quote>();
    }

    [IterationCleanup]
    public void DropRoots()
    {
        _services?.Dispose();
        _quotes?.Dispose();
        _services = null;
        _quotes = null;
    }

    private void ExportFromTheRoot()
    {
        using var exporter = _services!.GetRequiredService<QuoteExporter>();
        _ = exporter.Export(Market.MsftQuote);
    }

    private void SubscribeAndDrop()
    {
        var quotes = _quotes!;
        quotes.Where(q => q.Symbol == "MSFT").Subscribe(_ => { });
        quotes.OnNext(Market.MsftQuote);
    }

    [Benchmark(Baseline = true, Description = "hand loop: 50 × (DI export + GC + finalizers + GC)")]
    public void HandLoop()
    {
        for (var i = 0; i < 50; i++)
        {
            ExportFromTheRoot();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    [Benchmark(Description = "failing test, DI root keeps transients: verdict only")]
    public LeakReport DiVerdictOnly() => Leaking(ExportFromTheRoot, WithDiagnosis with { CaptureHeapSummary = false });

    [Benchmark(Description = "failing test, DI root keeps transients: verdict + diagnosis")]
    public LeakReport DiWithDiagnosis() => Leaking(ExportFromTheRoot, WithDiagnosis);

    [Benchmark(Description = "failing test, Rx subscription never disposed: verdict + diagnosis")]
    public LeakReport RxWithDiagnosis() => Leaking(SubscribeAndDrop, WithDiagnosis);

    private static LeakReport Leaking(Action operation, LeakOptions options)
    {
        var report = LeakTest.Run(operation, options);
        if (!report.HasLeak || (options.CaptureHeapSummary && report.HeapSummary is null))
            throw new InvalidOperationException($"The benchmark's leak was not reported as expected:{Environment.NewLine}{report}");
        return report;
    }
}
