using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LeakGuard.Xunit.TestData;

// (g) Parallel interference. Ordinary [Fact] classes, each its own test collection (so xUnit runs them in parallel),
// grow the managed heap, native memory, handles and threads for about two seconds, next to a clean and a leaking
// [NoLeak] test. With LeakGuardTestFramework the leak tests run after them, alone: the clean one passes, the leaking
// one fails. The clock records when each side ran, to prove the order.

/// <summary>When the ordinary tests and the leak tests of this scenario ran (Stopwatch timestamps).</summary>
public static class InterferenceClock
{
    private static long _firstOrdinaryStart = long.MaxValue;
    private static long _lastOrdinaryFinish = long.MinValue;
    private static long _firstLeakTestStart = long.MaxValue;

    public static long FirstOrdinaryStart => Interlocked.Read(ref _firstOrdinaryStart);

    public static long LastOrdinaryFinish => Interlocked.Read(ref _lastOrdinaryFinish);

    public static long FirstLeakTestStart => Interlocked.Read(ref _firstLeakTestStart);

    public static void Reset()
    {
        Interlocked.Exchange(ref _firstOrdinaryStart, long.MaxValue);
        Interlocked.Exchange(ref _lastOrdinaryFinish, long.MinValue);
        Interlocked.Exchange(ref _firstLeakTestStart, long.MaxValue);
    }

    internal static void OrdinaryStarted() => Min(ref _firstOrdinaryStart, Stopwatch.GetTimestamp());

    internal static void OrdinaryFinished() => Max(ref _lastOrdinaryFinish, Stopwatch.GetTimestamp());

    internal static void LeakTestStarted() => Min(ref _firstLeakTestStart, Stopwatch.GetTimestamp());

    private static void Min(ref long field, long value)
    {
        long seen;
        while (value < (seen = Interlocked.Read(ref field)) && Interlocked.CompareExchange(ref field, value, seen) != seen) { }
    }

    private static void Max(ref long field, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref field)) && Interlocked.CompareExchange(ref field, value, seen) != seen) { }
    }

    /// <summary>Runs <paramref name="step"/> <paramref name="steps"/> times over about two seconds.</summary>
    internal static void OverTwoSeconds(int steps, Action<int> step)
    {
        OrdinaryStarted();
        try
        {
            for (var i = 0; i < steps; i++)
            {
                step(i);
                Thread.Sleep(2000 / steps);
            }
        }
        finally
        {
            OrdinaryFinished();
        }
    }
}

/// <summary>Builds a 50 MB list over two seconds and holds it until the end of the test.</summary>
public sealed class InterferenceManagedHeap
{
    [Fact]
    public void Builds50MegabytesOverTwoSeconds()
    {
        var held = new List<byte[]>();
        InterferenceClock.OverTwoSeconds(50, _ => held.Add(new byte[1024 * 1024]));
        Assert.Equal(50, held.Count);
    }

    [Fact]
    public void ManySmallObjects()
    {
        var held = new List<object>();
        InterferenceClock.OverTwoSeconds(
            40,
            _ =>
            {
                for (var i = 0; i < 20_000; i++)
                    held.Add(new object());
            }
        );
        Assert.Equal(800_000, held.Count);
    }
}

/// <summary>Starts threads one after another, keeps them alive for the rest of the test, then joins them.</summary>
public sealed class InterferenceThreads
{
    [Fact]
    public void SpinsUpThreads()
    {
        using var release = new ManualResetEventSlim(false);
        var threads = new List<Thread>();
        try
        {
            InterferenceClock.OverTwoSeconds(
                20,
                _ =>
                {
                    var thread = new Thread(() => release.Wait()) { IsBackground = true };
                    thread.Start();
                    threads.Add(thread);
                }
            );
        }
        finally
        {
            release.Set();
            threads.ForEach(t => t.Join());
        }
        Assert.Equal(20, threads.Count);
    }
}

/// <summary>Allocates native memory and opens file handles over two seconds, then frees and closes them.</summary>
public sealed class InterferenceNativeAndHandles
{
    [Fact]
    public void AllocatesNativeMemoryAndOpensFiles()
    {
        var path = Path.GetTempFileName();
        var blocks = new List<IntPtr>();
        var files = new List<FileStream>();
        try
        {
            InterferenceClock.OverTwoSeconds(
                40,
                _ =>
                {
                    blocks.Add(Marshal.AllocHGlobal(256 * 1024));
                    files.Add(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                }
            );
        }
        finally
        {
            blocks.ForEach(Marshal.FreeHGlobal);
            files.ForEach(f => f.Dispose());
            File.Delete(path);
        }
        Assert.Equal(40, files.Count);
    }
}

/// <summary>The leak tests of the scenario: a clean one and a leaking one.</summary>
public sealed class InterferenceLeakTests : IDisposable
{
    private static readonly List<object> Retained = new(100_000);

    public InterferenceLeakTests() => InterferenceClock.LeakTestStarted();

    [NoLeak]
    public void Clean() => GC.KeepAlive(new byte[256]);

    [NoLeak(CaptureHeapSummary = false)]
    public void Leaking() => Retained.Add(new object());

    public void Dispose() => Retained.Clear();
}
