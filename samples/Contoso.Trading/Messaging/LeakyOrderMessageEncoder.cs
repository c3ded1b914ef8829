using System.Runtime.InteropServices;
using Contoso.Trading.Orders;

namespace Contoso.Trading.Messaging;

// LEAKY. Every order is encoded into a 4 KiB frame taken from the native heap with NativeMemory.Alloc and handed to
// the transport. Nobody frees it:
//
//   malloc arena ──► 4 KiB frame (one per order)        ◄── no pointer to it anywhere, managed or native
//
// The GC never sees this memory: the managed heap stays flat, a heap dump shows nothing, and the process's RSS
// creeps up until the container is killed. The fix is OrderMessageEncoder.cs.

/// <summary>Encodes orders as FIX frames in unmanaged memory and sends them. Leaks every frame.</summary>
public sealed unsafe class LeakyOrderMessageEncoder(INativeTransport transport)
{
    public void Send(OrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var frame = (byte*)NativeMemory.Alloc(FixFrame.Size);
        var length = FixFrame.Write(order, new Span<byte>(frame, FixFrame.Size));
        transport.Send((nint)frame, length);
    }
}
