using System.Runtime.InteropServices;

namespace LeakGuard.Xunit.V3.TestData;

// Parallel interference. Ordinary [Fact] classes, each its own test collection (so xUnit runs them in parallel), grow
// the managed heap, native memory, handles and threads for about two seconds, next to a clean and a leaking [NoLeak]
// test. The leak tests run in a non-parallel collection, after them, alone: the clean one passes, the leaking one
// fails. The start and finish times of every test in the runner's results prove the order.

internal static class OverTwoSeconds
{
    /// <summary>Runs <paramref name="step"/> <paramref name="steps"/> times over about two seconds.</summary>
    public static void Run(int steps, Action<int> step)
    {
        for (var i = 0; i < steps; i++)
        {
            step(i);
            Thread.Sleep(2000 / steps);
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
        OverTwoSeconds.Run(50, _ => held.Add(new byte[1024 * 1024]));
        Assert.Equal(50, held.Count);
    }
}

/// <summary>Allocates many small objects over two seconds.</summary>
public sealed class InterferenceSmallObjects
{
    [Fact]
    public void ManySmallObjects()
    {
        var held = new List<object>();
        OverTwoSeconds.Run(
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
            OverTwoSeconds.Run(
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
            OverTwoSeconds.Run(
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

/// <summary>The leak tests of the scenario, a clean one and a leaking one, next to an ordinary test of the same class.</summary>
public sealed class InterferenceLeakTests : IDisposable
{
    // static Retained → List<object> (preallocated) → byte[1024], one per call of Leaking.
    private static readonly List<object> Retained = new(100_000);

    [NoLeak]
    public void Clean() => GC.KeepAlive(new byte[256]);

    [NoLeak(CaptureHeapSummary = false)]
    public void Leaking() => Retained.Add(new byte[1024]);

    [Fact]
    public void OrdinaryTestOfTheSameClass() => OverTwoSeconds.Run(20, _ => GC.KeepAlive(new byte[4096]));

    public void Dispose() => Retained.Clear();
}
