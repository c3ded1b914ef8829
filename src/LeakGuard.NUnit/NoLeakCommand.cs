using LeakGuard.Adapters;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using NUnit.Framework.Internal.Commands;

namespace LeakGuard.NUnit;

/// <summary>
/// Runs NUnit's test method command as the operation of one leak run: every iteration invokes the test body once, on
/// the fixture instance and inside the SetUp/TearDown of this test; one result.
/// </summary>
/// <remarks>
/// NUnit's <c>TestMethodCommand</c> awaits async test methods itself and sets the context's current result to a pass
/// (or, with assertion results recorded without throwing, to their outcome) after each call. After each iteration the
/// result is checked: anything but a pass stops the run and stays the test's result. Exceptions from the body (and
/// from the engine: invalid options, <see cref="TimeoutException"/>) propagate to NUnit's enclosing commands, which
/// record them as they would without the attribute.
/// </remarks>
internal sealed class NoLeakCommand : DelegatingTestCommand
{
    private readonly NoLeakAttribute _attribute;

    public NoLeakCommand(TestCommand innerCommand, NoLeakAttribute attribute)
        : base(innerCommand)
    {
        _attribute = attribute;
    }

    public override TestResult Execute(TestExecutionContext context)
    {
        LeakReport report;
        // Shown as the test runs (TestContext.Progress) and kept for the test's output.
        var progress = new ProgressLines(TestContext.Progress.WriteLine);
        try
        {
            // The test's full name (fixture, method, arguments) names the run and its artifacts folder.
            var options = _attribute.ResolveSettings(context.CurrentTest).Options;
            report = LeakTest.Run(
                () => RunIteration(context),
                options with
                {
                    TestName = options.TestName ?? context.CurrentTest.FullName,
                    Progress = progress,
                }
            );
        }
        catch (IterationDidNotPassException)
        {
            // The body recorded a failure (or warning) without throwing: that result is the test's result.
            return context.CurrentResult;
        }

        // Every iteration makes a new result: the lines shown live are written to the last one, the test's.
        foreach (var line in progress.Lines)
            context.CurrentResult.OutWriter.WriteLine(line);
        if (report.Failed)
            context.CurrentResult.SetResult(ResultState.Failure, report.ToString());
        else
            context.CurrentResult.OutWriter.Write(report.ToString());
        return context.CurrentResult;
    }

    private void RunIteration(TestExecutionContext context)
    {
        context.CurrentResult = innerCommand.Execute(context);
        if (context.CurrentResult.ResultState.Status != TestStatus.Passed)
            throw new IterationDidNotPassException();
    }

    /// <summary>Stops the leak run after an iteration that did not pass; never leaves this command.</summary>
    private sealed class IterationDidNotPassException : Exception { }
}
