using Contoso.Trading.Messaging;
using Contoso.Trading.Orders;
using Contoso.Trading.Pricing;
using Contoso.Trading.Reporting;
using LeakGuard.NUnit;

namespace Contoso.Trading.NUnitTests;

// The fixed code under the same [NoLeak] tests as LeakyCode_CaughtByLeakGuard: every test passes.
//
// How a [NoLeak] test reads: the test method body is ONE iteration of the scenario. LeakGuard runs it 5 times to warm
// up, then 50 times (more if the evidence is not conclusive), forcing full GCs and sampling the managed heap, native
// memory, handles and threads after each. [SetUp] and [TearDown] run once per test, around all the iterations: that
// is where the long-lived things — the services, the application's lifetime — are created, as in the application.
[TestFixture]
public sealed class FixedCode_PassesLeakGuard
{
    private CancellationTokenSource _applicationStopping = null!;
    private OrderPipeline _orders = null!;
    private OrderMessageEncoder _encoder = null!;
    private PositionReportService _reports = null!;
    private int _nextAccount;

    [SetUp]
    public void StartApplication()
    {
        _applicationStopping = new CancellationTokenSource();
        _orders = new OrderPipeline(new SimulatedOrderGateway(), _applicationStopping.Token);
        _encoder = new OrderMessageEncoder(new SimulatedNativeTransport());
        _reports = new PositionReportService(new PositionBook(positionsPerAccount: 20));
    }

    [TearDown]
    public void StopApplication() => _applicationStopping.Dispose();

    [NoLeak]
    [TestCase("MSFT")]
    [TestCase("MSFT,AAPL,NVDA")]
    public void Opening_and_closing_a_watch_list_does_not_leak(string symbols)
    {
        using var watchList = new PriceSubscriber(symbols.Split(','));
        PriceFeed.Publish(Trading.MsftQuote);
        Assert.That(watchList.QuotesSeen, Is.EqualTo(1));
    }

    [Test, NoLeak]
    public async Task Submitting_an_order_does_not_leak()
    {
        var ack = await _orders.SubmitAsync(Trading.BuyMsft);
        Assert.That(ack.ClientOrderId, Is.EqualTo(Trading.BuyMsft.ClientOrderId));
    }

    // Native memory is measured by the allocator's own statistics (glibc mallinfo2 on Linux), which move by a few
    // hundred bytes for reasons of their own: a budget of 1 KiB per iteration still catches a leaked 4 KiB frame.
    [Test, NoLeak(MaxNativeBytesPerIteration = 1024)]
    public void Sending_an_order_message_does_not_leak_native_memory() => _encoder.Send(Trading.BuyMsft);

    // The bounded cache grows for its first 100 reports, then levels off: LeakGuard extends the run, sees the plateau
    // and passes it.
    [Test, NoLeak]
    public void Position_report_cache_stays_bounded()
    {
        var report = _reports.GetReport($"ACC-{++_nextAccount:000000}", Trading.AsOf);
        Assert.That(report.Lines, Has.Count.EqualTo(20));
    }
}
