using LeakGuard.Tests.PublicApi;
using LeakGuard.Tests.Reporting;

namespace LeakGuard.Xunit.Tests.PublicApi;

/// <summary>
/// The public surface of the xUnit adapter as approved text (the same description and approvals as the engine's
/// baseline: tests/LeakGuard.Tests/PublicApi/PublicApiText.cs and Reporting/Approvals.cs, linked). A change shows up
/// as a diff of <c>PublicApiTests.*.approved.txt</c> to review.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void LeakGuard_Xunit_public_api() => Approvals.Verify(PublicApiText.Describe(typeof(NoLeakAttribute).Assembly), nameof(PublicApiTests));
}
