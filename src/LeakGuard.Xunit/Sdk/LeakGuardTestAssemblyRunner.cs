using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// xUnit's assembly runner in two phases: first every ordinary test collection, with xUnit's usual parallelism and
/// options; then the leak tests (<see cref="ILeakTestCase"/>) alone, one collection, one class and one test at a time,
/// so that no other test allocates, opens handles or starts threads while a leak run samples the process.
/// </summary>
/// <remarks>
/// A collection or class holding both kinds of tests is run in both phases, each with its own tests: its collection
/// and class fixtures are created once per phase.
/// </remarks>
internal sealed class LeakGuardTestAssemblyRunner : XunitTestAssemblyRunner
{
    public LeakGuardTestAssemblyRunner(
        ITestAssembly testAssembly,
        IEnumerable<IXunitTestCase> testCases,
        IMessageSink diagnosticMessageSink,
        IMessageSink executionMessageSink,
        ITestFrameworkExecutionOptions executionOptions
    )
        : base(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions) { }

    protected override async Task<RunSummary> RunTestCollectionsAsync(IMessageBus messageBus, CancellationTokenSource cancellationTokenSource)
    {
        var allTestCases = TestCases;
        var ordinary = allTestCases.Where(testCase => testCase is not ILeakTestCase).ToList();
        var leakTests = allTestCases.Where(testCase => testCase is ILeakTestCase).ToList();
        var summary = new RunSummary();
        try
        {
            if (ordinary.Count > 0)
            {
                TestCases = ordinary;
                summary.Aggregate(await base.RunTestCollectionsAsync(messageBus, cancellationTokenSource));
            }

            if (leakTests.Count > 0 && !cancellationTokenSource.IsCancellationRequested)
            {
                DiagnosticMessageSink.OnMessage(
                    new DiagnosticMessage(
                        "LeakGuard: running {0} leak test case(s) alone, one at a time, after {1} other test case(s).",
                        leakTests.Count,
                        ordinary.Count
                    )
                );
                TestCases = leakTests;
                foreach (var (collection, testCases) in OrderTestCollections())
                {
                    summary.Aggregate(await RunTestCollectionAsync(messageBus, collection, testCases, cancellationTokenSource));
                    if (cancellationTokenSource.IsCancellationRequested)
                        break;
                }
            }
        }
        finally
        {
            // The assembly-finished message reports every test case.
            TestCases = allTestCases;
        }
        return summary;
    }
}
