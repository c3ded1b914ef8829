using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit.Tests.Pipeline;

/// <summary>
/// Runs test classes of the TestData assembly in-process through xUnit v2's real pipeline, as a runner does
/// (xunit.runner.utility is not available): framework → discoverer.Find per class → serialize and deserialize every
/// test case (as runners do between discovery and execution) → executor.RunTests → collect result messages until
/// ITestAssemblyFinished.
/// </summary>
internal static class XunitPipeline
{
    private static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExecutionTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Runs with the test framework the assembly declares (its <c>[assembly: TestFramework]</c>, added by the
    /// package's props file), resolved by xUnit's <see cref="TestFrameworkProxy"/> as the runners do.
    /// </summary>
    public static Task<InProcessRun> RunAsync(params Type[] testClasses) => RunAsync(createFramework: null, maxParallelThreads: 4, testClasses);

    /// <summary>Runs with a given framework (e.g. plain <see cref="XunitTestFramework"/>), or the assembly's when null.</summary>
    public static async Task<InProcessRun> RunAsync(Func<IMessageSink, ITestFramework>? createFramework, int maxParallelThreads, params Type[] testClasses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(testClasses.Length);
        var clock = Stopwatch.StartNew();
        var assembly = testClasses[0].Assembly;
        var assemblyInfo = Reflector.Wrap(assembly);
        var diagnostics = new DiagnosticSink();

        // Not disposed: TestFramework.Dispose also disposes xUnit's process-wide extensibility cache, which the xUnit
        // running this test project shares. The discoverer and executor are disposed.
        ITestFramework framework;
        string frameworkType;
        if (createFramework is null)
        {
            var proxy = new TestFrameworkProxy(assemblyInfo, new NoSourceInformation(), diagnostics);
            framework = proxy;
            frameworkType = proxy.InnerTestFramework.GetType().FullName!;
        }
        else
        {
            framework = createFramework(diagnostics);
            frameworkType = framework.GetType().FullName!;
        }

        var discovered = new List<ITestCase>();
        using var discoverer = framework.GetDiscoverer(assemblyInfo);
        foreach (var testClass in testClasses)
        {
            using var discoverySink = new DiscoverySink();
            discoverer.Find(testClass.FullName!, includeSourceInformation: false, discoverySink, TestFrameworkOptions.ForDiscovery());
            if (!await discoverySink.Finished.Task.WaitAsync(DiscoveryTimeout).ContinueWith(t => t.IsCompletedSuccessfully))
                throw new TimeoutException($"Discovery of {testClass} did not finish.");
            discovered.AddRange(discoverySink.TestCases);
        }

        var serialized = discovered.Select(discoverer.Serialize).ToList();
        using var executor = framework.GetExecutor(assembly.GetName());
        var testCases = serialized.Select(executor.Deserialize).ToList();

        var executionSink = new ExecutionSink();
        // RunTests starts the run and returns (xUnit's executor is async void); off this test's synchronization context.
        await Task.Run(() => executor.RunTests(testCases, executionSink, TestFrameworkOptions.ForExecution(maxParallelThreads)));
        var total = await executionSink.Finished.Task.WaitAsync(ExecutionTimeout);

        return new InProcessRun
        {
            FrameworkType = frameworkType,
            TestCases = testCases,
            Results = executionSink.Results,
            Errors = executionSink.Errors,
            DiagnosticMessages = diagnostics.Messages,
            TotalReportedByAssemblyFinished = total,
            Elapsed = clock.Elapsed,
        };
    }

    private sealed class DiscoverySink : LongLivedMarshalByRefObject, IMessageSink, IDisposable
    {
        private readonly List<ITestCase> _testCases = [];

        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<ITestCase> TestCases
        {
            get
            {
                lock (_testCases)
                    return _testCases.ToList();
            }
        }

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestCaseDiscoveryMessage discovered:
                    lock (_testCases)
                        _testCases.Add(discovered.TestCase);
                    break;
                case IDiscoveryCompleteMessage:
                    Finished.TrySetResult();
                    break;
            }
            return true;
        }

        public void Dispose() => Finished.TrySetCanceled();
    }

    private sealed class ExecutionSink : LongLivedMarshalByRefObject, IMessageSink
    {
        private readonly List<TestResult> _results = [];
        private readonly List<string> _errors = [];

        public TaskCompletionSource<int> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<TestResult> Results
        {
            get
            {
                lock (_results)
                    return _results.ToList();
            }
        }

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_results)
                    return _errors.ToList();
            }
        }

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestPassed passed:
                    Add(passed, Outcome.Passed, null, null);
                    break;
                case ITestFailed failed:
                    Add(failed, Outcome.Failed, failed.ExceptionTypes.FirstOrDefault(), failed.Messages.FirstOrDefault());
                    break;
                case ITestSkipped skipped:
                    Add(skipped, Outcome.Skipped, null, skipped.Reason);
                    break;
                case IErrorMessage
                or ITestAssemblyCleanupFailure
                or ITestCollectionCleanupFailure
                or ITestClassCleanupFailure
                or ITestMethodCleanupFailure
                or ITestCaseCleanupFailure
                or ITestCleanupFailure:
                    var failure = (IFailureInformation)message;
                    lock (_results)
                        _errors.Add($"{message.GetType().Name}: {string.Join(" / ", failure.ExceptionTypes)}: {string.Join(" / ", failure.Messages)}");
                    break;
                case ITestAssemblyFinished finished:
                    Finished.TrySetResult(finished.TestsRun);
                    break;
            }
            return true;
        }

        private void Add(ITestResultMessage result, Outcome outcome, string? exceptionType, string? text)
        {
            var testCase = result.TestCase;
            lock (_results)
            {
                _results.Add(
                    new TestResult(
                        result.Test.DisplayName,
                        testCase.TestMethod.TestClass.Class.Name,
                        testCase.TestMethod.Method.Name,
                        outcome,
                        exceptionType,
                        text,
                        result.Output ?? ""
                    )
                );
            }
        }
    }

    private sealed class DiagnosticSink : LongLivedMarshalByRefObject, IMessageSink
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                    return _messages.ToList();
            }
        }

        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is IDiagnosticMessage diagnostic)
            {
                lock (_messages)
                    _messages.Add(diagnostic.Message);
            }
            return true;
        }
    }

    private sealed class NoSourceInformation : LongLivedMarshalByRefObject, ISourceInformationProvider
    {
        public ISourceInformation GetSourceInformation(ITestCase testCase) => null!;

        public void Dispose() { }
    }
}
