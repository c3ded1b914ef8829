namespace Contoso.Trading.Orders;

internal static class OrderValidation
{
    public static void Validate(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentException.ThrowIfNullOrWhiteSpace(order.ClientOrderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(order.Symbol);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order.Quantity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order.LimitPrice);
    }
}
