using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LeakyService;

/// <summary>One request's state; the managed leak keeps every one of them.</summary>
public sealed class RequestContext(long id, int bytes)
{
    public long Id { get; } = id;

    public byte[] Buffer { get; } = new byte[bytes];
}

/// <summary>The managed leak: a static cache nobody evicts.</summary>
public static class SessionCache
{
    public static readonly List<RequestContext> Sessions = [];
}

/// <summary>The native leak: blocks of unmanaged memory nobody frees (their addresses are kept in a preallocated array, so the managed heap stays flat).</summary>
public static class NativeBuffers
{
    private static readonly IntPtr[] Blocks = new IntPtr[1 << 20];
    private static int _count;

    public static unsafe void Leak(int bytes)
    {
        var block = Marshal.AllocHGlobal(bytes);
        new Span<byte>((void*)block, bytes).Fill(0x5A); // resident, not just reserved
        Blocks[_count++ % Blocks.Length] = block;
    }
}

public static class Worker
{
    private static long _checksum;

    public static void Handle(string leak, int bytesPerRequest, int garbageKb, long id)
    {
        // Garbage a real request makes (parsing, serialising), collected by gen0 GCs.
        for (var i = 0; i < garbageKb / 4; i++)
        {
            var scratch = new byte[4096];
            scratch[i % scratch.Length] = (byte)id;
            _checksum += scratch[i % scratch.Length];
        }
        switch (leak)
        {
            case "managed":
                SessionCache.Sessions.Add(new RequestContext(id, bytesPerRequest));
                break;
            case "native":
                NativeBuffers.Leak(bytesPerRequest);
                break;
        }
    }
}

/// <summary>Reports every pause of the process longer than 50 ms (e.g. while a heap snapshot is written).</summary>
public static class PauseProbe
{
    public static void Run()
    {
        var clock = Stopwatch.StartNew();
        var last = clock.Elapsed;
        while (true)
        {
            Thread.Sleep(5);
            var now = clock.Elapsed;
            var gap = now - last - TimeSpan.FromMilliseconds(5);
            if (gap > TimeSpan.FromMilliseconds(50))
                Console.WriteLine($"paused {gap.TotalMilliseconds:0} ms");
            last = now;
        }
    }
}
