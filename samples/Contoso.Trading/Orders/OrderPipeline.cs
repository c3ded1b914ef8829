namespace Contoso.Trading.Orders;

// FIXED. The same pipeline with `using` on the linked source: when SubmitAsync completes (or throws), Dispose()
// unregisters it from the application-stopping token, and the linked source becomes garbage:
//
//   application CancellationTokenSource ──► (registration removed)     linked CancellationTokenSource   (unreachable)

/// <summary>Validates and sends orders; ties every send to the application lifetime and the request.</summary>
public sealed class OrderPipeline(IOrderGateway gateway, CancellationToken applicationStopping)
{
    public async Task<OrderAck> SubmitAsync(OrderRequest order, CancellationToken requestAborted = default)
    {
        OrderValidation.Validate(order);
        using var sendCancellation = CancellationTokenSource.CreateLinkedTokenSource(applicationStopping, requestAborted);
        return await gateway.SendAsync(order, sendCancellation.Token).ConfigureAwait(false);
    }
}
