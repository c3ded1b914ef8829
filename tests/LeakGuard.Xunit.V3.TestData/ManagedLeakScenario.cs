using LeakGuard.TestTargets;

namespace LeakGuard.Xunit.V3.TestData;

/// <summary>
/// A managed leak with the heap summary on (the report names the metric and the growing type), a native leak, and a
/// clean test whose passing report goes to the test output.
/// </summary>
public sealed class ManagedLeakScenario : IDisposable
{
    // static Retained → List<object> (preallocated: a List growing its array would itself be growth) → one
    // KilobyteBuffer per call → byte[1024]: about 1.1 KB per iteration, a leak no load can hide.
    private static readonly List<object> Retained = new(100_000);

    [NoLeak(Iterations = 20, TopTypes = 5)]
    public void LeaksKilobytes() => Retained.Add(new KilobyteBuffer());

    [NoLeak(Iterations = 20, CaptureHeapSummary = false)]
    public void LeaksNativeKilobytes() => NativeBufferLeak.Run();

    [NoLeak]
    public void GarbageOnly() => TestTargets.GarbageOnly.Run();

    public void Dispose()
    {
        Retained.Clear();
        NativeBufferLeak.Reset();
    }

    public sealed class KilobyteBuffer
    {
        public byte[] Payload = new byte[1024];
    }
}
