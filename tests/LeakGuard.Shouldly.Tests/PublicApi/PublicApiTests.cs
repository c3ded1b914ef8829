using LeakGuard.Tests.PublicApi;
using LeakGuard.Tests.Reporting;
using NUnit.Framework;

namespace LeakGuard.Shouldly.Tests.PublicApi;

/// <summary>
/// The public surface of the Shouldly adapter as approved text (the same description and approvals as the engine's
/// baseline: tests/LeakGuard.Tests/PublicApi/PublicApiText.cs and Reporting/Approvals.cs, linked). A change shows up
/// as a diff of <c>PublicApiTests.*.approved.txt</c> to review.
/// </summary>
public class PublicApiTests
{
    [Test]
    public void LeakGuard_Shouldly_public_api() => Approvals.Verify(PublicApiText.Describe(typeof(ShouldNotLeakExtensions).Assembly), nameof(PublicApiTests));
}
