using System.Diagnostics;
using LeakGuard.TestTargets;
using NUnit.Framework;

namespace LeakGuard.NUnit.TestData;

/// <summary>
/// A parallel fixture: ordinary tests that allocate and hold memory and threads for a while, next to a clean and a
/// leaking [NoLeak] test. Run with several workers, the clean test must pass and the leak must fail: [NoLeak] tests
/// wait for NUnit's non-parallel shift, when none of the ordinary tests is running. Each test records when it ran
/// (Stopwatch timestamps, no allocation in the [NoLeak] bodies) so that the acceptance test can check the overlap.
/// </summary>
[Parallelizable(ParallelScope.All)]
public class ParallelSuiteFixture
{
    public const int OrdinaryTests = 4;

    /// <summary>Start and end timestamps of the ordinary tests, by index.</summary>
    public static readonly long[] OrdinaryStarted = new long[OrdinaryTests];
    public static readonly long[] OrdinaryEnded = new long[OrdinaryTests];

    /// <summary>First and last body call of each [NoLeak] test: [0] clean, [1] leaking.</summary>
    public static readonly long[] NoLeakFirstCall = new long[2];
    public static readonly long[] NoLeakLastCall = new long[2];

    [OneTimeSetUp]
    public void Clear()
    {
        Array.Clear(OrdinaryStarted);
        Array.Clear(OrdinaryEnded);
        Array.Clear(NoLeakFirstCall);
        Array.Clear(NoLeakLastCall);
    }

    [OneTimeTearDown]
    public void ResetLeak() => KilobyteRecordLeak.Reset();

    [Test]
    public void Ordinary0() => HoldMemoryAndThreads(0);

    [Test]
    public void Ordinary1() => HoldMemoryAndThreads(1);

    [Test]
    public void Ordinary2() => HoldMemoryAndThreads(2);

    [Test]
    public void Ordinary3() => HoldMemoryAndThreads(3);

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void CleanNoLeak()
    {
        Record(0);
        GarbageOnly.Run();
    }

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void LeakingNoLeak()
    {
        Record(1);
        KilobyteRecordLeak.Run();
    }

    private static void Record(int index)
    {
        var now = Stopwatch.GetTimestamp();
        if (NoLeakFirstCall[index] == 0)
            NoLeakFirstCall[index] = now;
        NoLeakLastCall[index] = now;
    }

    /// <summary>For about 1.5 s: allocates 64 KiB every 10 ms and holds it, starts a parked thread every 100 ms; then lets go.</summary>
    private static void HoldMemoryAndThreads(int index)
    {
        OrdinaryStarted[index] = Stopwatch.GetTimestamp();
        var held = new List<byte[]>();
        var threads = new List<Thread>();
        using (var release = new ManualResetEventSlim())
        {
            for (var i = 0; i < 150; i++)
            {
                held.Add(new byte[64 * 1024]);
                if (i % 10 == 0)
                {
                    var thread = new Thread(() => release.Wait()) { IsBackground = true };
                    thread.Start();
                    threads.Add(thread);
                }
                Thread.Sleep(10);
            }
            release.Set();
            foreach (var thread in threads)
                thread.Join();
        }
        Assert.That(held, Has.Count.EqualTo(150));
        OrdinaryEnded[index] = Stopwatch.GetTimestamp();
    }
}
