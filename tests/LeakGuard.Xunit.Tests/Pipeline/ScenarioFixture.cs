namespace LeakGuard.Xunit.Tests.Pipeline;

/// <summary>Runs scenario classes once for all the tests of one test class (a class fixture).</summary>
public abstract class ScenarioFixture : IAsyncLifetime
{
    private InProcessRun? _run;

    internal InProcessRun Run => _run ?? throw new InvalidOperationException("The scenario has not run.");

    public async Task InitializeAsync() => _run = await RunAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private protected abstract Task<InProcessRun> RunAsync();
}
