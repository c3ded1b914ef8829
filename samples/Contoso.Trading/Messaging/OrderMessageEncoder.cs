using System.Runtime.InteropServices;
using Contoso.Trading.Orders;

namespace Contoso.Trading.Messaging;

// FIXED. The frame is freed in `finally` once the transport has sent it (the transport's contract: the buffer may be
// freed when Send returns), also when encoding or sending throws:
//
//   malloc arena ──► (frame returned to the allocator after every send)

/// <summary>Encodes orders as FIX frames in unmanaged memory and sends them.</summary>
public sealed unsafe class OrderMessageEncoder(INativeTransport transport)
{
    public void Send(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var frame = (byte*)NativeMemory.Alloc(FixFrame.Size);
        try
        {
            var length = FixFrame.Write(order, new Span<byte>(frame, FixFrame.Size));
            transport.Send((nint)frame, length);
        }
        finally
        {
            NativeMemory.Free(frame);
        }
    }
}
