using Contoso.Trading.Messaging;
using Contoso.Trading.Orders;
using Contoso.Trading.Pricing;
using Contoso.Trading.Reporting;
using LeakGuard.Xunit;

namespace Contoso.Trading.XunitTests;

// The SAME tests as FixedCode_PassesLeakGuard, run against the leaky code: every test here FAILS BY DESIGN, and its
// failure message is LeakGuard's report — which metric grew, by how much per iteration, and for managed leaks a heap
// summary naming the types that pile up. In a real suite these would be the tests of the fixed code, failing the
// build the day someone reintroduces the leak.
public sealed class LeakyCode_CaughtByLeakGuard : IDisposable
{
    private readonly CancellationTokenSource _applicationStopping = new();
    private readonly LeakyOrderPipeline _orders;
    private readonly LeakyOrderMessageEncoder _encoder = new(new SimulatedNativeTransport());
    private readonly LeakyPositionReportService _reports = new(new PositionBook(positionsPerAccount: 20));
    private int _nextAccount;

    public LeakyCode_CaughtByLeakGuard() => _orders = new LeakyOrderPipeline(new SimulatedOrderGateway(), _applicationStopping.Token);

    // Fails: every LeakyPriceSubscriber stays on the static PriceFeed.PriceChanged event.
    [NoLeakTheory]
    [InlineData("MSFT")]
    [InlineData("MSFT,AAPL,NVDA")]
    public void Opening_and_closing_a_watch_list_does_not_leak(string symbols)
    {
        var watchList = new LeakyPriceSubscriber(symbols.Split(',')); // nothing to dispose: it never unsubscribes
        PriceFeed.Publish(Trading.MsftQuote);
        Assert.Equal(1, watchList.QuotesSeen);
    }

    // Fails: one undisposed linked CancellationTokenSource per order stays registered on the application's token.
    [NoLeak]
    public async Task Submitting_an_order_does_not_leak()
    {
        var ack = await _orders.SubmitAsync(Trading.BuyMsft);
        Assert.Equal(Trading.BuyMsft.ClientOrderId, ack.ClientOrderId);
    }

    // Fails on native memory (4 KiB per order, never freed) while the managed heap stays flat: no heap summary.
    [NoLeak(MaxNativeBytesPerIteration = 1024)]
    public void Sending_an_order_message_does_not_leak_native_memory() => _encoder.Send(Trading.BuyMsft);

    // Fails: the unbounded memo keeps every report ever served.
    [NoLeak]
    public void Position_report_cache_stays_bounded()
    {
        var report = _reports.GetReport($"ACC-{++_nextAccount:000000}", Trading.AsOf);
        Assert.Equal(20, report.Lines.Count);
    }

    public void Dispose() => _applicationStopping.Dispose();
}
