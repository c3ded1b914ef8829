using System.Reflection;
using LeakGuard.Xunit.Sdk;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace LeakGuard.Xunit;

/// <summary>
/// The xUnit v2 test framework that makes leak verdicts trustworthy in a parallel suite: it runs every ordinary test
/// first, with xUnit's usual parallelism, then the <see cref="NoLeakAttribute"/> and <see cref="NoLeakTheoryAttribute"/>
/// tests alone, one at a time. Otherwise it is <see cref="XunitTestFramework"/>: same discovery, options, collections,
/// fixtures and messages.
/// </summary>
/// <remarks>
/// <para>Installing the LeakGuard.Xunit package makes this the framework of the test assembly: its
/// <c>buildTransitive/LeakGuard.Xunit.props</c> adds
/// <c>[assembly: Xunit.TestFramework("LeakGuard.Xunit.LeakGuardTestFramework", "LeakGuard.Xunit")]</c>.</para>
/// <para>A suite that already has its own test framework (an assembly-level <see cref="TestFrameworkAttribute"/>) turns
/// this off with the MSBuild property <c>&lt;LeakGuardXunitTestFramework&gt;false&lt;/LeakGuardXunitTestFramework&gt;</c>.
/// Leak tests then still run and never sample at the same time as each other, but ordinary tests running in parallel
/// allocate during their runs: a clean test can fail and a leak can be hidden. Such a suite should disable
/// parallelization (<c>[assembly: CollectionBehavior(DisableTestParallelization = true)]</c>) or put its leak tests in a
/// collection defined with <c>[CollectionDefinition(..., DisableParallelization = true)]</c>, which xUnit runs after the
/// parallel collections.</para>
/// <para>Because leak tests run last, a test class or collection with both ordinary and leak tests is run twice, once
/// per phase: its class and collection fixtures are created twice.</para>
/// </remarks>
public sealed class LeakGuardTestFramework : XunitTestFramework
{
    /// <summary>Creates the framework; called by xUnit.</summary>
    /// <param name="messageSink">Where xUnit's diagnostic messages go.</param>
    public LeakGuardTestFramework(IMessageSink messageSink)
        : base(messageSink) { }

    /// <inheritdoc/>
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new LeakGuardTestFrameworkExecutor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);
}
