namespace Contoso.Trading.Orders;

/// <summary>Sends orders to an exchange.</summary>
public interface IOrderGateway
{
    Task<OrderAck> SendAsync(OrderRequest order, CancellationToken cancellationToken);
}

/// <summary>
/// A simulated exchange for tests and demos: acknowledges every order asynchronously (after a hop through the thread
/// pool, as a network round trip would) and keeps nothing.
/// </summary>
public sealed class SimulatedOrderGateway : IOrderGateway
{
    private long _nextExchangeOrderId = 1_000_000;

    public async Task<OrderAck> SendAsync(OrderRequest order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return new OrderAck(order.ClientOrderId, Interlocked.Increment(ref _nextExchangeOrderId), DateTimeOffset.UtcNow);
    }
}
