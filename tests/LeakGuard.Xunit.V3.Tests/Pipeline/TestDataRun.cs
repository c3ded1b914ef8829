namespace LeakGuard.Xunit.V3.Tests.Pipeline;

/// <summary>
/// One run of the whole test executable, shared by the tests of the <see cref="TestDataRunCollection"/>: every scenario
/// together, as a suite runs, so that the ordinary tests of the interference scenario run in parallel before the leak
/// tests of every scenario.
/// </summary>
public sealed class TestDataRun : IAsyncLifetime
{
    private V3Run? _run;

    internal V3Run Run => _run ?? throw new InvalidOperationException("The test executable has not run.");

    public async Task InitializeAsync() => _run = await V3Runner.RunAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class TestDataRunCollection : ICollectionFixture<TestDataRun>
{
    public const string Name = "One run of LeakGuard.Xunit.V3.TestData";
}
