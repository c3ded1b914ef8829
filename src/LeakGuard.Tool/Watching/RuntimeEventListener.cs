using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace LeakGuard.Tool.Watching;

/// <summary>
/// One EventPipe session on the target: the <c>System.Runtime</c> event counters (GC heap size, GC committed bytes,
/// working set) every interval, and the runtime's GC events (informational level, GC and GCHeapSurvivalAndMovement
/// keywords: one <c>GCHeapStats</c> per GC, which gives the heap size after that GC, and at the start and end of every GC
/// one <c>GCGenerationRange</c> per region in use, whose start and reserved length give the span of address space the GC
/// uses, <see cref="GcAddressSpan"/>). Parsed with TraceEvent on a background thread; the latest values are read with
/// <see cref="Read"/>.
/// </summary>
/// <remarks>
/// The cost in the target is that of <c>dotnet-counters</c> plus a few events per GC and region (the survival and
/// movement keyword also writes the ranges of objects each GC kept or moved) into a buffer the tool reads.
/// </remarks>
internal sealed class RuntimeEventListener : IDisposable
{
    /// <summary>The runtime provider's GC keyword.</summary>
    private const long GcKeyword = 0x1;

    /// <summary>The runtime provider's GCHeapSurvivalAndMovement keyword (GCGenerationRange).</summary>
    private const long GcHeapSurvivalAndMovementKeyword = 0x400000;

    private readonly EventPipeSession _session;
    private readonly Task _reader;
    private readonly object _gate = new();
    private double _gcHeapSizeBytes = double.NaN;
    private double _gcCommittedBytes = double.NaN;
    private double _afterGcHeapBytes = double.NaN;
    private int _gcCount;
    private int _counterEvents;
    private readonly int _pid;
    private double _rssAnonAtGc = double.NaN;
    private double _nativeAfterGcBytes = double.NaN;
    private ulong _gcLow = ulong.MaxValue;
    private ulong _gcHigh;

    private RuntimeEventListener(EventPipeSession session, int pid)
    {
        _session = session;
        _pid = pid;
        _reader = Task.Factory.StartNew(Process, TaskCreationOptions.LongRunning);
    }

    /// <summary>Starts the session.</summary>
    /// <exception cref="ToolException">The target refused it.</exception>
    public static RuntimeEventListener Start(int pid, TimeSpan interval)
    {
        var providers = new[]
        {
            new EventPipeProvider(
                "System.Runtime",
                EventLevel.Informational,
                0,
                new Dictionary<string, string>
                {
                    ["EventCounterIntervalSec"] = Math.Max(0.1, interval.TotalSeconds).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
                }
            ),
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapSurvivalAndMovementKeyword),
        };
        try
        {
            var session = new DiagnosticsClient(pid).StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 16);
            return new RuntimeEventListener(session, pid);
        }
        catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or UnauthorizedAccessException or IOException)
        {
            throw new ToolException($"could not start an EventPipe session in process {pid} ({e.GetType().Name}: {e.Message.Trim()}).", e);
        }
    }

    /// <summary>The latest values.</summary>
    public RuntimeReading Read()
    {
        lock (_gate)
            return new RuntimeReading(
                _gcHeapSizeBytes,
                _gcCommittedBytes,
                _afterGcHeapBytes,
                _gcCount,
                _counterEvents,
                _nativeAfterGcBytes,
                _gcLow <= _gcHigh ? new GcAddressSpan(_gcLow, _gcHigh) : null
            );
    }

    private void Process()
    {
        try
        {
            using var source = new EventPipeEventSource(_session.EventStream);
            source.Clr.GCHeapStats += OnHeapStats;
            source.Clr.GCGenerationRange += e => OnGcRange(e.RangeStart, e.RangeReservedLength);
            source.Clr.GCCreateSegment += e => OnGcRange(e.Address, e.Size);
            source.Dynamic.All += OnEvent;
            source.Process();
        }
        catch (Exception)
        {
            // The session ends when the target exits or the session is stopped; readings stay at their last values.
        }
    }

    private void OnHeapStats(GCHeapStatsTraceData data)
    {
        // Resident anonymous memory right after the GC, when the GC's own memory is what the GC committed: paired with
        // the next gc-committed counter value (the GC's figure as of its last collection), it gives native memory
        // without the noise of the allocations between GCs.
        var rssAnon = ProcStats.TryRead(_pid, null, out var proc) ? proc.AnonymousRssBytes : double.NaN;
        lock (_gate)
        {
            _afterGcHeapBytes = data.TotalHeapSize;
            _gcCount++;
            _rssAnonAtGc = rssAnon;
        }
    }

    private void OnGcRange(ulong start, ulong length)
    {
        if (start == 0)
            return;
        lock (_gate)
        {
            _gcLow = Math.Min(_gcLow, start);
            _gcHigh = Math.Max(_gcHigh, start + Math.Max(1, length) - 1);
        }
    }

    private void OnEvent(TraceEvent data)
    {
        if (
            data.EventName != "EventCounters"
            || data.PayloadValue(0) is not IDictionary<string, object> outer
            || outer["Payload"] is not IDictionary<string, object> payload
        )
            return;
        var name = payload.TryGetValue("Name", out var n) ? n as string : null;
        var value = payload.TryGetValue("Mean", out var mean) ? Convert.ToDouble(mean, System.Globalization.CultureInfo.InvariantCulture) : double.NaN;
        lock (_gate)
        {
            _counterEvents++;
            // The runtime reports both in MB (10^6 bytes).
            switch (name)
            {
                case "gc-heap-size":
                    _gcHeapSizeBytes = value * 1_000_000;
                    break;
                case "gc-committed":
                    _gcCommittedBytes = value * 1_000_000;
                    if (!double.IsNaN(_rssAnonAtGc))
                        _nativeAfterGcBytes = _rssAnonAtGc - _gcCommittedBytes;
                    break;
            }
        }
    }

    /// <summary>Stops the session and its reader.</summary>
    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception)
        {
            // The target may have exited.
        }
        _reader.Wait(TimeSpan.FromSeconds(5));
        _session.Dispose();
    }
}

/// <summary>The runtime's figures at one moment.</summary>
/// <param name="GcHeapSizeBytes">The <c>gc-heap-size</c> counter (live objects and garbage not yet collected); NaN before the first counter event.</param>
/// <param name="GcCommittedBytes">The <c>gc-committed</c> counter: memory the GC has committed; NaN before the first counter event.</param>
/// <param name="AfterGcHeapBytes">The heap size after the latest GC (GCHeapStats); NaN before the first GC.</param>
/// <param name="GcCount">GCs seen since the session started.</param>
/// <param name="CounterEvents">Counter events seen.</param>
/// <param name="NativeAfterGcBytes">Resident anonymous memory read right after the latest GC minus the GC's committed memory; NaN before the first GC.</param>
/// <param name="GcSpan">The addresses the GC was seen using since the session started; null before the first.</param>
internal readonly record struct RuntimeReading(
    double GcHeapSizeBytes,
    double GcCommittedBytes,
    double AfterGcHeapBytes,
    int GcCount,
    int CounterEvents,
    double NativeAfterGcBytes,
    GcAddressSpan? GcSpan = null
);

/// <summary>
/// The lowest and highest addresses the GC was seen using: the regions (segments) of every generation at each GC
/// (<c>GCGenerationRange</c>: <c>RangeStart</c> to <c>RangeStart + RangeReservedLength</c>) and the regions it created
/// (<c>GCCreateSegment</c>). It only widens during a watch, so that a region the GC frees and later decommits stays
/// inside it.
/// </summary>
/// <param name="Low">Lowest address seen.</param>
/// <param name="High">Highest address seen.</param>
internal readonly record struct GcAddressSpan(ulong Low, ulong High);
