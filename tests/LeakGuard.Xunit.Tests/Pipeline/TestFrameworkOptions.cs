using Xunit.Abstractions;

namespace LeakGuard.Xunit.Tests.Pipeline;

/// <summary>
/// Discovery and execution options for an in-process run, backed by a dictionary (what xunit.runner.utility's
/// <c>TestFrameworkOptions</c> does; that package is not available here). Keys are xUnit's, e.g.
/// <c>xunit.execution.MaxParallelThreads</c>.
/// </summary>
internal sealed class TestFrameworkOptions : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public static TestFrameworkOptions ForDiscovery() =>
        new TestFrameworkOptions().With("xunit.discovery.PreEnumerateTheories", true).With("xunit.discovery.MethodDisplay", "ClassAndMethod");

    /// <summary>Execution as a runner does it by default: parallel test collections.</summary>
    public static TestFrameworkOptions ForExecution(int maxParallelThreads) =>
        new TestFrameworkOptions()
            .With("xunit.execution.DisableParallelization", false)
            .With("xunit.execution.MaxParallelThreads", maxParallelThreads)
            .With("xunit.execution.DiagnosticMessages", true);

    public TestFrameworkOptions With<TValue>(string name, TValue value)
    {
        SetValue(name, value);
        return this;
    }

    public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out var value) && value is TValue typed ? typed : default!;

    public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
}
