using System.Security;
using NUnit;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using Shouldly;

namespace LeakGuard.NUnit.Tests;

/// <summary>
/// Runs one fixture of LeakGuard.NUnit.TestData in-process through NUnit's own pipeline: the assembly runner and builder
/// that NUnitLite drives (both in nunit.framework.dll), so that [NoLeak] meets real SetUp/TearDown commands,
/// test case builders and work item dispatchers.
/// </summary>
internal static class NUnitPipeline
{
    /// <summary>Loads the TestData assembly, runs the fixtures of <paramref name="fixture"/>'s class and returns the results.</summary>
    /// <param name="fixture">The fixture class.</param>
    /// <param name="workers">0: NUnit's simple dispatcher, one thread. More: the parallel dispatcher with that many workers.</param>
    public static FixtureRun Run(Type fixture, int workers = 0)
    {
        var settings = new Dictionary<string, object>
        {
            [FrameworkPackageSettings.NumberOfTestWorkers] = workers,
            // Deliver events on the test's thread: no event pump thread allocating while [NoLeak] tests sample.
            [FrameworkPackageSettings.SynchronousEvents] = true,
        };
        var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
        runner.Load(fixture.Assembly, settings);
        var filter = TestFilter.FromXml($"<filter><class>{SecurityElement.Escape(fixture.FullName)}</class></filter>");
        var result = runner.Run(TestListener.NULL, filter);
        return new FixtureRun(result);
    }
}

/// <summary>The results of one run, by test.</summary>
internal sealed class FixtureRun(ITestResult root)
{
    public ITestResult Root { get; } = root;

    /// <summary>Every test case result (leaves of the result tree).</summary>
    public IReadOnlyList<ITestResult> TestCases { get; } = Leaves(root).ToList();

    /// <summary>The one result of the test named <paramref name="name"/> (method name, or method name with arguments).</summary>
    public ITestResult this[string name]
    {
        get
        {
            var matches = TestCases.Where(r => r.Test.Name == name).ToList();
            matches.Count.ShouldBe(1, $"results named {name} among: {string.Join(", ", TestCases.Select(r => r.Test.Name))}");
            return matches[0];
        }
    }

    private static IEnumerable<ITestResult> Leaves(ITestResult result) => result.HasChildren ? result.Children.SelectMany(Leaves) : [result];
}

/// <summary>Shouldly checks of NUnit results, failing with the result's message so that a wrong verdict explains itself.</summary>
internal static class ResultShouldExtensions
{
    public static void ShouldHavePassed(this ITestResult result) =>
        result.ResultState.ShouldBe(ResultState.Success, $"{result.Test.Name}: {result.Message}{result.Output}");

    /// <summary>Checks status and label (not the failure site) and returns the message.</summary>
    public static string ShouldHaveFailed(this ITestResult result, ResultState state)
    {
        (result.ResultState.Status, result.ResultState.Label).ShouldBe((state.Status, state.Label), $"{result.Test.Name}: {result.Message}{result.Output}");
        return result.Message;
    }
}
