using LeakGuard.TestTargets;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>
/// Real leaks through the engine, real snapshots, the real child process: the failure text names the GC root that
/// keeps the leaked objects alive, the way a developer names it.
/// </summary>
public class RetentionPathTests(ITestOutputHelper output)
{
    public static TheoryData<string> CasesWithRoots() => [.. Corpus.Leaking.Where(c => c.ExpectedRetention is not null).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CasesWithRoots))]
    public async Task The_failure_text_names_the_root(string name)
    {
        var corpusCase = Corpus.Leaking.Single(c => c.Name == name);
        try
        {
            var report = await LeakTest.RunAsync(corpusCase.Run, new LeakOptions { Iterations = 50 });
            var text = report.ToString();
            output.WriteLine(text);

            report.HasLeak.ShouldBeTrue(text);
            report.HeapSummary.ShouldNotBeNull(text);
            text.ShouldContain(corpusCase.ExpectedRetention!, Case.Sensitive, text);
        }
        finally
        {
            corpusCase.Reset?.Invoke();
        }
    }
}

/// <summary>Native memory owned by managed handles: the native attribution names the SafeHandle type that grew with it.</summary>
public class SafeHandleAttributionTests(ITestOutputHelper output)
{
    // static Buffers → List → one NativeBuffer (a SafeHandle over 4 KiB of malloc'd memory) per call, never disposed.
    private static readonly List<NativeBuffer> Buffers = [];

    [Fact]
    public void A_native_leak_held_by_safe_handles_names_their_type()
    {
        try
        {
            var report = LeakTest.Run(() => Buffers.Add(new NativeBuffer(4096)), new LeakOptions { Iterations = 30, MaxIterations = 240 });
            var text = report.ToString();
            output.WriteLine(text);

            report[LeakMetric.NativeHeap].Verdict.ShouldBe(MetricVerdict.Leak, text);
            report.HeapSummary.ShouldNotBeNull(text).SafeHandleTypes.ShouldContain(t => t.TypeName.EndsWith("SafeHandleAttributionTests+NativeBuffer"), text);
            if (OperatingSystem.IsLinux())
            {
                report.NativeAttribution.ShouldNotBeNull(text).OwningHandleTypes.ShouldContain(t => t.TypeName.EndsWith("+NativeBuffer"), text);
                text.ShouldContain("LeakGuard.Tests.Diagnostics.SafeHandleAttributionTests+NativeBuffer (+", Case.Sensitive, text);
            }
        }
        finally
        {
            Buffers.ForEach(b => b.Dispose());
            Buffers.Clear();
        }
    }

    private sealed class NativeBuffer : System.Runtime.InteropServices.SafeHandle
    {
        public NativeBuffer(int bytes)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            SetHandle(System.Runtime.InteropServices.Marshal.AllocHGlobal(bytes));
            for (var offset = 0; offset < bytes; offset += 64)
                System.Runtime.InteropServices.Marshal.WriteByte(handle, offset, 1);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            System.Runtime.InteropServices.Marshal.FreeHGlobal(handle);
            return true;
        }
    }
}
