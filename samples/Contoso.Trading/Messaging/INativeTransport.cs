namespace Contoso.Trading.Messaging;

/// <summary>
/// A low-latency transport implemented in native code (a kernel-bypass NIC library, say). It sends from unmanaged
/// memory so that the GC can never move a frame while the NIC reads it; the caller owns the buffer.
/// </summary>
public interface INativeTransport
{
    /// <summary>Sends <paramref name="length"/> bytes at <paramref name="frame"/>; the buffer may be freed when this returns.</summary>
    void Send(nint frame, int length);
}

/// <summary>A transport for tests and demos: reads the frame (sums its bytes) and keeps nothing.</summary>
public sealed unsafe class SimulatedNativeTransport : INativeTransport
{
    public long FramesSent { get; private set; }

    public long BytesSent { get; private set; }

    public int LastChecksum { get; private set; }

    public void Send(nint frame, int length)
    {
        var bytes = new ReadOnlySpan<byte>((void*)frame, length);
        var sum = 0;
        foreach (var b in bytes)
            sum += b;
        LastChecksum = sum;
        FramesSent++;
        BytesSent += length;
    }
}
