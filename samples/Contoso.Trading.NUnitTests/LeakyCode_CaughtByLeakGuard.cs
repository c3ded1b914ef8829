using Contoso.Trading.Messaging;
using Contoso.Trading.Orders;
using Contoso.Trading.Pricing;
using Contoso.Trading.Reporting;
using LeakGuard.NUnit;

namespace Contoso.Trading.NUnitTests;

// The SAME tests as FixedCode_PassesLeakGuard, run against the leaky code: every test here FAILS BY DESIGN, and its
// failure message is LeakGuard's report — which metric grew, by how much per iteration, and for managed leaks a heap
// summary naming the types that pile up. In a real suite these would be the tests of the fixed code, failing the
// build the day someone reintroduces the leak.
[TestFixture]
public sealed class LeakyCode_CaughtByLeakGuard
{
    private CancellationTokenSource _applicationStopping = null!;
    private LeakyOrderPipeline _orders = null!;
    private LeakyOrderMessageEncoder _encoder = null!;
    private LeakyPositionReportService _reports = null!;
    private int _nextAccount;

    [SetUp]
    public void StartApplication()
    {
        _applicationStopping = new CancellationTokenSource();
        _orders = new LeakyOrderPipeline(new SimulatedOrderGateway(), _applicationStopping.Token);
        _encoder = new LeakyOrderMessageEncoder(new SimulatedNativeTransport());
        _reports = new LeakyPositionReportService(new PositionBook(positionsPerAccount: 20));
    }

    [TearDown]
    public void StopApplication() => _applicationStopping.Dispose();

    // Fails: every LeakyPriceSubscriber stays on the static PriceFeed.PriceChanged event.
    [NoLeak]
    [TestCase("MSFT")]
    [TestCase("MSFT,AAPL,NVDA")]
    public void Opening_and_closing_a_watch_list_does_not_leak(string symbols)
    {
        var watchList = new LeakyPriceSubscriber(symbols.Split(',')); // nothing to dispose: it never unsubscribes
        PriceFeed.Publish(Trading.MsftQuote);
        Assert.That(watchList.QuotesSeen, Is.EqualTo(1));
    }

    // Fails: one undisposed linked CancellationTokenSource per order stays registered on the application's token.
    [Test, NoLeak]
    public async Task Submitting_an_order_does_not_leak()
    {
        var ack = await _orders.SubmitAsync(Trading.BuyMsft);
        Assert.That(ack.ClientOrderId, Is.EqualTo(Trading.BuyMsft.ClientOrderId));
    }

    // Fails on native memory (4 KiB per order, never freed) while the managed heap stays flat: no heap summary.
    [Test, NoLeak(MaxNativeBytesPerIteration = 1024)]
    public void Sending_an_order_message_does_not_leak_native_memory() => _encoder.Send(Trading.BuyMsft);

    // Fails: the unbounded memo keeps every report ever served.
    [Test, NoLeak]
    public void Position_report_cache_stays_bounded()
    {
        var report = _reports.GetReport($"ACC-{++_nextAccount:000000}", Trading.AsOf);
        Assert.That(report.Lines, Has.Count.EqualTo(20));
    }
}
