namespace Contoso.Trading.Orders;

// LEAKY. Each order is sent under a token that cancels when either the application stops or the client aborts the
// request. CreateLinkedTokenSource registers a callback on both tokens; only Dispose() removes the registrations.
// This pipeline never disposes, and the application-stopping token lives as long as the process:
//
//   application CancellationTokenSource (lives for the process)
//     └─► callback registrations ──► linked CancellationTokenSource (one per order, never disposed)
//                                         └─► its own registrations on the request's token, ...
//
// Nothing refers to the linked source after SubmitAsync returns, yet it stays reachable until the application stops.
// The fix is OrderPipeline.cs.

/// <summary>Validates and sends orders; ties every send to the application lifetime and the request. Leaks a linked token source per order.</summary>
public sealed class LeakyOrderPipeline(IOrderGateway gateway, CancellationToken applicationStopping)
{
    public async Task<OrderAck> SubmitAsync(OrderRequest order, CancellationToken requestAborted = default)
    {
        OrderValidation.Validate(order);
        var sendCancellation = CancellationTokenSource.CreateLinkedTokenSource(applicationStopping, requestAborted);
        return await gateway.SendAsync(order, sendCancellation.Token).ConfigureAwait(false);
    }
}
