using System.Globalization;
using System.Text.Unicode;
using Contoso.Trading.Orders;

namespace Contoso.Trading.Messaging;

/// <summary>Writes a FIX 4.4 NewOrderSingle (35=D) into a fixed-size frame, without allocating.</summary>
internal static class FixFrame
{
    /// <summary>Frames are a fixed 4 KiB: the transport's maximum message size.</summary>
    public const int Size = 4096;

    private const char Soh = '\u0001';
    private const int HeaderLength = 16; // "8=FIX.4.4␁9=0000␁": the body length is patched in once known.

    public static int Write(OrderRequest order, Span<byte> frame)
    {
        var body = frame[HeaderLength..];
        var side = order.Side == OrderSide.Buy ? '1' : '2';
        if (
            !Utf8.TryWrite(
                body,
                CultureInfo.InvariantCulture,
                $"35=D{Soh}49=CONTOSO{Soh}56=XNAS{Soh}11={order.ClientOrderId}{Soh}1={order.Account}{Soh}55={order.Symbol}{Soh}54={side}{Soh}38={order.Quantity}{Soh}40=2{Soh}44={order.LimitPrice}{Soh}",
                out var bodyLength
            )
        )
        {
            throw new ArgumentException($"Order {order.ClientOrderId} does not fit in a {Size}-byte frame.", nameof(order));
        }
        Utf8.TryWrite(frame, CultureInfo.InvariantCulture, $"8=FIX.4.4{Soh}9={bodyLength:0000}{Soh}", out _);

        var checksum = 0;
        foreach (var b in frame[..(HeaderLength + bodyLength)])
            checksum += b;
        Utf8.TryWrite(frame[(HeaderLength + bodyLength)..], CultureInfo.InvariantCulture, $"10={checksum % 256:000}{Soh}", out var trailerLength);
        return HeaderLength + bodyLength + trailerLength;
    }
}
