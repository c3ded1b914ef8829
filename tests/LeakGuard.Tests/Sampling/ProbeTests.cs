using System.Text;
using LeakGuard.Isolated;
using LeakGuard.Sampling;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Sampling;

public class ProbeTests
{
    [Fact]
    public void There_is_one_probe_per_metric_in_enum_order()
    {
        MetricProbe.CreateAll().Select(p => p.Metric).ShouldBe(Enum.GetValues<LeakMetric>());
    }

    [Fact]
    public void Reading_every_probe_leaves_nothing_on_the_managed_heap()
    {
        var probes = MetricProbe.CreateAll();
        foreach (var probe in probes)
            probe.Read(); // first reads may initialise P/Invoke stubs

        foreach (var probe in probes.Where(p => p.Metric != LeakMetric.ManagedHeap))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
                probe.Read();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            // One allocation per read would be at least 24 000 B; the runtime may allocate a little on its own.
            if (OperatingSystem.IsLinux())
                allocated.ShouldBeLessThan(1024, $"{probe.Metric}: Linux probes read /proc through libc with stack buffers");
        }
    }

    // Whole-process figures are read in a process of their own (IsolatedProcess), where no other thread opens a file,
    // starts a thread or mallocs during the measurement: one measurement, exact expectations.

    [Fact]
    public void Linux_probes_see_an_opened_handle_and_a_started_thread()
    {
        if (!OperatingSystem.IsLinux())
            return;

        var during = IsolatedProcess.Run("handle-and-thread");

        (during.GetProperty("handles").GetDouble(), during.GetProperty("threads").GetDouble()).ShouldBe(
            (1, 1),
            $"one opened file and one started thread should read handles +1, threads +1: {during}"
        );
    }

    [Fact]
    public void Native_probe_sees_sixteen_mallocs_of_one_KiB()
    {
        var native = MetricProbe.CreateAll().Single(p => p.Metric == LeakMetric.NativeHeap);
        if (!native.IsMeasured)
            return;
        // glibc parks up to 7 freed chunks per size in a per-thread cache (tcache) and counts them as in use, so a
        // malloc served from that cache does not move the figure; the other 9 must show, at 1040 B each.
        const double least = 9 * 1040,
            most = 16 * 1040;

        var growth = IsolatedProcess.Run("sixteen-mallocs").GetProperty("growth").GetDouble();

        growth.ShouldBeInRange(least, most, "sixteen mallocs of 1 KiB");
    }

    [Theory]
    [InlineData("Name:\tdotnet\nThreads:\t17\nVmRSS:\t1 kB\n", "Threads:", 17)]
    [InlineData("RssAnon:\t   123456 kB\n", "RssAnon:", 123456)]
    [InlineData("Name:\tx\n", "Threads:", -1)]
    [InlineData("Threads:\n", "Threads:", -1)]
    public void Status_fields_are_parsed(string text, string field, double expected)
    {
        ProcFs.ParseField(Encoding.ASCII.GetBytes(text), field).ShouldBe(expected);
    }
}
