using System.Reflection;
using LeakGuard.Tests.PublicApi;
using LeakGuard.Tests.Reporting;

namespace LeakGuard.Xunit.V3.Tests.PublicApi;

/// <summary>
/// The public surface of the xUnit v3 adapter as approved text (the same description and approvals as the engine's
/// baseline, linked). The adapter is loaded from the v3 test executable's output folder, where its xunit.v3 dependencies
/// are: this project is an xUnit v2 project and does not reference it.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void LeakGuard_Xunit_V3_public_api()
    {
        var testData = typeof(PublicApiTests)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LeakGuard.Xunit.V3.TestData")
            .Value!;
        var adapter = Assembly.LoadFrom(Path.Combine(Path.GetDirectoryName(testData)!, "LeakGuard.Xunit.V3.dll"));
        Approvals.Verify(PublicApiText.Describe(adapter), nameof(PublicApiTests));
    }
}
