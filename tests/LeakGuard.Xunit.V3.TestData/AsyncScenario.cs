namespace LeakGuard.Xunit.V3.TestData;

/// <summary>Asynchronous bodies: each iteration is awaited; leaks after an await are found; async void fails.</summary>
public sealed class AsyncScenario : IDisposable
{
    // static Retained → List<object> (preallocated) → AsyncLeakedItem → byte[1024], one per leaking call.
    private static readonly List<object> Retained = new(100_000);

    [NoLeak(Iterations = 20, CaptureHeapSummary = false)]
    public async Task TaskLeak()
    {
        await Task.Yield();
        Retained.Add(new AsyncLeakedItem());
    }

    [NoLeak]
    public async Task TaskClean()
    {
        await Task.Yield();
        GC.KeepAlive(new AsyncLeakedItem());
    }

    [NoLeak(Iterations = 20, CaptureHeapSummary = false)]
    public async ValueTask ValueTaskLeak()
    {
        await Task.Yield();
        Retained.Add(new AsyncLeakedItem());
    }

    [NoLeak]
    public async ValueTask ValueTaskClean()
    {
        await Task.Yield();
        GC.KeepAlive(new AsyncLeakedItem());
    }

    [NoLeak]
    public async ValueTask<int> ValueTaskOfIntClean()
    {
        await Task.Yield();
        return new AsyncLeakedItem().Payload.Length;
    }

#pragma warning disable xUnit1049 // deliberately async void: LeakGuard must reject it
    [NoLeak]
    public async void AsyncVoid() => await Task.Yield();
#pragma warning restore xUnit1049

    public void Dispose() => Retained.Clear();

    public sealed class AsyncLeakedItem
    {
        public byte[] Payload = new byte[1024];
    }
}
