using LeakGuard.TestTargets;
using NUnit.Framework;
using Shouldly;

namespace LeakGuard.Shouldly.Tests;

/// <summary>ShouldNotLeak on corpus operations, synchronous and asynchronous, and the shape of its failure message.</summary>
[NonParallelizable]
public class ShouldNotLeakTests
{
    // Leak verdicts come from growth; the heap summary is checked once, on the synchronous leak.
    private static readonly LeakOptions Fast = new() { CaptureHeapSummary = false };

    [TearDown]
    public void Reset()
    {
        KilobyteRecordLeak.Reset();
        AsyncSessionLeak.Reset();
    }

    [Test]
    public void A_clean_operation_passes_and_returns_the_report()
    {
        Action operation = GarbageOnlyRun;

        var report = operation.ShouldNotLeak(Fast);

        report.HasLeak.ShouldBeFalse();
        report.Iterations.ShouldBeGreaterThanOrEqualTo(50);
    }

    [Test]
    public async Task A_clean_async_operation_passes()
    {
        Func<Task> operation = AsyncYieldOnly.RunAsync;

        var report = await operation.ShouldNotLeakAsync(Fast);

        report.HasLeak.ShouldBeFalse();
    }

    [Test]
    public void A_leak_fails_with_a_Shouldly_message_the_report_and_the_custom_message()
    {
        Action leak = KilobyteRecordLeak.Run;

        var ex = Should.Throw<ShouldAssertException>(() => leak.ShouldNotLeak(customMessage: "orders must not pile up"));

        var lines = ex.Message.Split(Environment.NewLine);
        lines[0].ShouldBe("`leak`");
        lines[1].ShouldBe("    should not leak but did");
        lines[2].ShouldStartWith("LeakGuard: leak detected:");
        ex.Message.ShouldContain("managed heap grew");
        ex.Message.ShouldContain("over budget");
        ex.Message.ShouldContain("KilobyteRecordLeak+LeakedRecord", customMessage: "the heap summary names the leaking type");
        ex.Message.ShouldEndWith(Environment.NewLine + Environment.NewLine + "Additional Info:" + Environment.NewLine + "    orders must not pile up");
        ex.InnerException.ShouldBeOfType<LeakDetectedException>().Report.HasLeak.ShouldBeTrue();
    }

    [Test]
    public async Task An_async_leak_fails_with_the_lambda_body_as_the_expression()
    {
        ShouldAssertException? ex = null;
        try
        {
            await ((Func<Task>)(async () => await AsyncSessionLeak.RunAsync())).ShouldNotLeakAsync(Fast);
        }
        catch (ShouldAssertException caught)
        {
            ex = caught;
        }

        ex.ShouldNotBeNull("ShouldNotLeakAsync must throw on a leak");

        ex.Message.ShouldStartWith("`(Func<Task>)(async () => await AsyncSessionLeak.RunAsync())`" + Environment.NewLine + "    should not leak but did");
        ex.Message.ShouldContain("managed heap grew");
        ex.Message.ShouldNotContain("Additional Info:");
    }

    [Test]
    public void Invalid_options_throw_naming_the_property_and_the_value()
    {
        Action operation = EmptyOperation.Run;

        Should
            .Throw<ArgumentOutOfRangeException>(() => operation.ShouldNotLeak(new LeakOptions { Iterations = 0 }))
            .Message.ShouldContain("LeakOptions.Iterations must be at least 1, but was 0.");
    }

    [Test]
    public void Exceptions_from_the_operation_propagate_unchanged()
    {
        Action operation = () => throw new InvalidOperationException("from the operation");

        Should.Throw<InvalidOperationException>(() => operation.ShouldNotLeak(Fast)).Message.ShouldBe("from the operation");
    }

    private static void GarbageOnlyRun() => GarbageOnly.Run();
}
