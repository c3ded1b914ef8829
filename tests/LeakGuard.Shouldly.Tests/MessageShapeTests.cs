using NUnit.Framework;
using Shouldly;

namespace LeakGuard.Shouldly.Tests;

/// <summary>The failure message pinned in approved text files next to this test, as Shouldly pins its own.</summary>
public class MessageShapeTests
{
    private const string Report = """
        LeakGuard: leak detected: 1 metric grew over budget.
          managed heap grew 24.0 B/iteration (CI 95% 24.0–24.0) over 750 iterations; budget 0 B/iteration.

        """;

    [TestCase("orders.ShouldNotLeak", "orders must not pile up", "WithCustomMessage")]
    [TestCase("() => service.PlaceOrder(order)", null, "LambdaBody")]
    [TestCase("async () =>\n    {\n        await service.PlaceOrderAsync(order);\n    }", null, "AsyncBlockLambda")]
    [TestCase(null, null, "NoExpression")]
    public void Message_is_shaped_like_Shouldly(string? expression, string? customMessage, string name)
    {
        var message = ShouldNotLeakExtensions.FormatMessage(Report.ReplaceLineEndings(), customMessage, expression);

        var approved = Path.Combine(TestContext.CurrentContext.TestDirectory, "Approved", $"ShouldNotLeak.{name}.approved.txt");
        message.ShouldBe(File.ReadAllText(approved).ReplaceLineEndings().TrimEnd('\n', '\r'));
    }
}
