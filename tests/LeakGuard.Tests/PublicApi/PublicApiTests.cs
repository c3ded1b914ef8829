using LeakGuard.HeapAnalysis;
using LeakGuard.Tests.Reporting;
using Xunit;

namespace LeakGuard.Tests.PublicApi;

/// <summary>
/// The public surface of the engine and the heap analysis, as approved text: any change to the public API (a member
/// added, removed, renamed or retyped) shows up as a diff of <c>PublicApiTests.*.approved.txt</c> to review.
/// Nullable reference types carry their <c>?</c>.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void LeakGuard_public_api() => Approvals.Verify(PublicApiText.Describe(typeof(LeakTest).Assembly), nameof(PublicApiTests));

    [Fact]
    public void LeakGuard_HeapAnalysis_public_api() => Approvals.Verify(PublicApiText.Describe(typeof(HeapAnalyzer).Assembly), nameof(PublicApiTests));
}
