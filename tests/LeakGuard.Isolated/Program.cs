using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using LeakGuard;
using LeakGuard.Isolated;
using LeakGuard.Sampling;
using LeakGuard.TestTargets;

// One exact whole-process measurement per start, in a process where nothing else runs (see IsolatedProcess):
//
//   dotnet LeakGuard.Isolated.dll handle-and-thread                   handles and threads while one file and one thread are open
//   dotnet LeakGuard.Isolated.dll sixteen-mallocs                     native growth over 16 mallocs of 1 KiB
//   dotnet LeakGuard.Isolated.dll native-allocation ALLOCATOR BYTES   native figure before, with and after one block
//   dotnet LeakGuard.Isolated.dll file-handles COUNT                  handle count before, with and after COUNT FileStreams
//   dotnet LeakGuard.Isolated.dll threads COUNT                       thread count before, with and after COUNT threads
//   dotnet LeakGuard.Isolated.dll run empty|static-list [ITERATIONS MAX_ITERATIONS]   one LeakTest.Run without heap snapshots
//   dotnet LeakGuard.Isolated.dll baseline-runs ARTIFACTS_DIRECTORY   the real runs that the baseline tests read
//
// It prints one JSON object on stdout and exits 0; a usage error exits 2. Every figure is read before anything is
// printed: the console's first write allocates.

var probes = MetricProbe.CreateAll();
foreach (var probe in probes)
    probe.Read(); // resolves the P/Invoke targets before the first measured read

using var output = new MemoryStream();
using (var json = new Utf8JsonWriter(output))
{
    json.WriteStartObject();
    switch (args)
    {
        case ["handle-and-thread"]:
            HandleAndThread(json);
            break;
        case ["sixteen-mallocs"]:
            SixteenMallocs(json);
            break;
        case ["native-allocation", var allocator, var bytes]:
            NativeAllocation(json, allocator, int.Parse(bytes, CultureInfo.InvariantCulture));
            break;
        case ["file-handles", var count]:
            FileHandles(json, int.Parse(count, CultureInfo.InvariantCulture));
            break;
        case ["threads", var count]:
            Threads(json, int.Parse(count, CultureInfo.InvariantCulture));
            break;
        case ["run", var target, .. var counts] when target is "empty" or "static-list" && counts.Length is 0 or 2:
            var options = new LeakOptions { CaptureHeapSummary = false };
            if (counts is [var iterations, var maxIterations])
                options = options with
                {
                    Iterations = int.Parse(iterations, CultureInfo.InvariantCulture),
                    MaxIterations = int.Parse(maxIterations, CultureInfo.InvariantCulture),
                };
            IsolatedRun.Write(json, LeakTest.Run(target == "static-list" ? StaticListLeak.Run : EmptyOperation.Run, options));
            break;
        case ["baseline-runs", var directory]:
            BaselineRuns(json, directory);
            break;
        default:
            Console.Error.WriteLine("usage: LeakGuard.Isolated handle-and-thread | sixteen-mallocs | native-allocation ALLOCATOR BYTES | file-handles COUNT");
            Console.Error.WriteLine("                          | threads COUNT | run empty|static-list [ITERATIONS MAX_ITERATIONS] | baseline-runs DIRECTORY");
            return 2;
    }
    json.WriteEndObject();
}
Console.OpenStandardOutput().Write(output.ToArray());
return 0;

MetricProbe Probe(LeakMetric metric) => probes.Single(p => p.Metric == metric);

// One opened file and one started thread, read while both are open.
void HandleAndThread(Utf8JsonWriter json)
{
    var handles = Probe(LeakMetric.Handles);
    var threads = Probe(LeakMetric.Threads);
    var handlesBefore = handles.Read();
    var threadsBefore = threads.Read();
    using var gate = new ManualResetEventSlim();
    var thread = new Thread(() => gate.Wait());
    thread.Start();
    double handlesDuring,
        threadsDuring;
    using (File.OpenHandle(typeof(IsolatedProcess).Assembly.Location))
    {
        handlesDuring = handles.Read();
        threadsDuring = threads.Read();
    }
    gate.Set();
    thread.Join();
    json.WriteNumber("handles", handlesDuring - handlesBefore);
    json.WriteNumber("threads", threadsDuring - threadsBefore);
}

// Sixteen blocks of 1 KiB, read while all are allocated.
void SixteenMallocs(Utf8JsonWriter json)
{
    var native = Probe(LeakMetric.NativeHeap);
    var blocks = new nint[16];
    var before = native.Read();
    for (var i = 0; i < blocks.Length; i++)
        blocks[i] = Marshal.AllocHGlobal(1024);
    var growth = native.Read() - before;
    foreach (var block in blocks)
        Marshal.FreeHGlobal(block);
    json.WriteNumber("growth", growth);
}

unsafe void NativeAllocation(Utf8JsonWriter json, string allocator, int bytes)
{
    var native = Probe(LeakMetric.NativeHeap);
    var before = native.Read();
    var block = allocator == "NativeMemory.Alloc" ? (nint)NativeMemory.Alloc((nuint)bytes) : Marshal.AllocHGlobal(bytes);
    var allocated = native.Read();
    if (allocator == "NativeMemory.Alloc")
        NativeMemory.Free((void*)block);
    else
        Marshal.FreeHGlobal(block);
    var freed = native.Read();
    json.WriteNumber("before", before);
    json.WriteNumber("allocated", allocated);
    json.WriteNumber("freed", freed);
}

void FileHandles(Utf8JsonWriter json, int count)
{
    var handles = Probe(LeakMetric.Handles);
    var path = typeof(IsolatedProcess).Assembly.Location;
    var before = handles.Read();
    var streams = new FileStream[count];
    for (var i = 0; i < count; i++)
        streams[i] = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    var open = handles.Read();
    foreach (var stream in streams)
        stream.Dispose();
    var closed = handles.Read();
    json.WriteNumber("before", before);
    json.WriteNumber("open", open);
    json.WriteNumber("closed", closed);
}

void Threads(Utf8JsonWriter json, int count)
{
    var threads = Probe(LeakMetric.Threads);
    var before = threads.Read();
    using var gate = new ManualResetEventSlim();
    var started = new Thread[count];
    for (var i = 0; i < count; i++)
    {
        started[i] = new Thread(() => gate.Wait()) { IsBackground = true };
        started[i].Start();
    }
    var running = threads.Read();
    gate.Set();
    foreach (var thread in started)
        thread.Join();
    // Join returns when the managed thread is done; the OS thread may take a moment longer to go away.
    var ended = threads.Read();
    for (var wait = 0; wait < 20 && ended != before; wait++)
    {
        Thread.Sleep(50);
        ended = threads.Read();
    }
    json.WriteNumber("before", before);
    json.WriteNumber("running", running);
    json.WriteNumber("ended", ended);
}

// The report.json files of three real runs, written into one artifacts folder as a test suite's run would, and their figures.
void BaselineRuns(Utf8JsonWriter json, string directory)
{
    var options = new LeakOptions
    {
        Iterations = 20,
        MaxIterations = 20,
        CaptureHeapSummary = false,
        Artifacts = ArtifactPolicy.Always,
        ArtifactsDirectory = directory,
    };
    // The first run in a process also measures the engine's own start-up (JIT, first native allocations): a run that
    // is not recorded takes it.
    LeakTest.Run(EmptyOperation.Run, options with { Artifacts = ArtifactPolicy.Never });
    json.WriteStartArray("runs");
    foreach (
        var (testName, operation) in new (string, Action)[]
        {
            ("LeakGuard.TestTargets.StaticListLeak.Run", StaticListLeak.Run),
            ("LeakGuard.TestTargets.NativeBufferLeak.Run", NativeBufferLeak.Run),
            ("LeakGuard.TestTargets.EmptyOperation.Run", EmptyOperation.Run),
        }
    )
    {
        json.WriteStartObject();
        IsolatedRun.Write(json, LeakTest.Run(operation, options with { TestName = testName }));
        json.WriteEndObject();
    }
    json.WriteEndArray();
}
