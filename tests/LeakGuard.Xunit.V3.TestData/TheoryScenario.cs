namespace LeakGuard.Xunit.V3.TestData;

/// <summary>[NoLeakTheory]: each data row is one test and one leak run.</summary>
public sealed class TheoryScenario : IDisposable
{
    // static Retained → List<object> (preallocated) → TheoryItem → byte[1024], one per call of a leaking row.
    private static readonly List<object> Retained = new(100_000);

    /// <summary>Rows xUnit can serialize: one test case per row when theories are enumerated at discovery.</summary>
    [NoLeakTheory(Iterations = 20, CaptureHeapSummary = false)]
    [InlineData(true)]
    [InlineData(false)]
    public void InlineRow(bool leak)
    {
        var item = new TheoryItem();
        if (leak)
            Retained.Add(item);
    }

    /// <summary>Rows xUnit cannot serialize: one test case that enumerates them when it runs.</summary>
    [NoLeakTheory(Iterations = 20, CaptureHeapSummary = false)]
    [MemberData(nameof(Behaviours))]
    public void MemberRow(Behaviour behaviour)
    {
        var item = new TheoryItem();
        if (behaviour.Leaks)
            Retained.Add(item);
    }

    /// <summary>A row's own Timeout (milliseconds) limits its leak run and is listed in its report; the last row has none.</summary>
    [NoLeakTheory(Iterations = 10)]
    [InlineData(20, Timeout = 300)]
    [InlineData(1, Timeout = 60_000)]
    [InlineData(0)]
    public void RowTimeout(int sleepMilliseconds) => Thread.Sleep(sleepMilliseconds);

    public static TheoryData<Behaviour> Behaviours => [new Behaviour(Leaks: true), new Behaviour(Leaks: false)];

    public void Dispose() => Retained.Clear();

    /// <summary>Not serializable by xUnit (a custom class).</summary>
    public sealed record Behaviour(bool Leaks)
    {
        public override string ToString() => Leaks ? "leaking" : "clean";
    }

    public sealed class TheoryItem
    {
        public byte[] Payload = new byte[1024];
    }
}
