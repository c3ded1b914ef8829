namespace Contoso.Trading.Orders;

public enum OrderSide
{
    Buy,
    Sell,
}

/// <summary>A limit order as a client submits it.</summary>
public sealed record OrderRequest(string ClientOrderId, string Account, string Symbol, OrderSide Side, int Quantity, decimal LimitPrice);

/// <summary>The exchange's acknowledgement of an order.</summary>
public sealed record OrderAck(string ClientOrderId, long ExchangeOrderId, DateTimeOffset AcceptedAt);
