namespace LeakGuard.Xunit.TestData;

/// <summary>(e) [NoLeakTheory]: each data row is one test and one leak run.</summary>
public sealed class TheoryScenario : IDisposable
{
    private static readonly List<object> Retained = new(100_000);

    /// <summary>Rows xUnit can serialize: enumerated at discovery, one <c>LeakTestCase</c> per row.</summary>
    [NoLeakTheory(CaptureHeapSummary = false)]
    [InlineData(true)]
    [InlineData(false)]
    public void InlineRow(bool leak)
    {
        var item = new TheoryItem();
        if (leak)
            Retained.Add(item);
    }

    /// <summary>Rows xUnit cannot serialize: one <c>LeakTheoryTestCase</c> that enumerates them when it runs.</summary>
    [NoLeakTheory(CaptureHeapSummary = false)]
    [MemberData(nameof(Behaviours))]
    public void MemberRow(Behaviour behaviour)
    {
        var item = new TheoryItem();
        if (behaviour.Leaks)
            Retained.Add(item);
    }

    public static IEnumerable<object[]> Behaviours =>
        [
            [new Behaviour(Leaks: true)],
            [new Behaviour(Leaks: false)],
        ];

    public void Dispose() => Retained.Clear();

    /// <summary>Not serializable by xUnit (a custom class).</summary>
    public sealed record Behaviour(bool Leaks)
    {
        public override string ToString() => Leaks ? "leaking" : "clean";
    }

    /// <summary>
    /// About 1 KiB with its payload: these rows test how theories become leak runs, not sensitivity, and a 24-byte item
    /// passed in one loaded CI run (another thread of the test host freed memory during the row's run).
    /// </summary>
    public sealed class TheoryItem
    {
        public byte[] Payload = new byte[1000];
    }
}
