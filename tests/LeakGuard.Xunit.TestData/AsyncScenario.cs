namespace LeakGuard.Xunit.TestData;

/// <summary>(d) Asynchronous bodies: each iteration is awaited; leaks after an await are found; async void fails.</summary>
public sealed class AsyncScenario : IDisposable
{
    // Preallocated: a List growing its array would itself be growth.
    private static readonly List<object> Retained = new(100_000);

    [NoLeak(CaptureHeapSummary = false)]
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

    [NoLeak(CaptureHeapSummary = false)]
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
        return new AsyncLeakedItem().GetHashCode();
    }

#pragma warning disable xUnit1048 // deliberately async void: LeakGuard must reject it
    [NoLeak]
    public async void AsyncVoid() => await Task.Yield();
#pragma warning restore xUnit1048

    public void Dispose() => Retained.Clear();

    public sealed class AsyncLeakedItem
    {
        public long Value;
    }
}
