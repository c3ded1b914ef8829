using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Sdk;

/// <summary>xUnit's executor, running the test cases with a <see cref="LeakGuardTestAssemblyRunner"/>.</summary>
internal sealed class LeakGuardTestFrameworkExecutor : XunitTestFrameworkExecutor
{
    public LeakGuardTestFrameworkExecutor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : base(assemblyName, sourceInformationProvider, diagnosticMessageSink) { }

    // async void as in xUnit's executor: RunTests returns at once; completion is reported by ITestAssemblyFinished.
    protected override async void RunTestCases(
        IEnumerable<IXunitTestCase> testCases,
        IMessageSink executionMessageSink,
        ITestFrameworkExecutionOptions executionOptions
    )
    {
        using var assemblyRunner = new LeakGuardTestAssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
        await assemblyRunner.RunAsync();
    }
}
