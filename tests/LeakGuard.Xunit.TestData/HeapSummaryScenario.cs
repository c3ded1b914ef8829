namespace LeakGuard.Xunit.TestData;

/// <summary>(h) A managed leak with the heap summary on: the report names the leaking type.</summary>
public sealed class HeapSummaryScenario : IDisposable
{
    private static readonly List<RetainedWidget> Widgets = new(100_000);

    [NoLeak(Iterations = 30, TopTypes = 5)]
    public void LeaksWidgets() => Widgets.Add(new RetainedWidget());

    public void Dispose() => Widgets.Clear();

    public sealed class RetainedWidget
    {
        public long Id;
        public object? Tag;
    }
}
