using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LeakGuard.TestTargets;

// Operations that leak. Each comment draws what keeps the leaked memory alive. Every class has Reset(), which
// releases what it leaked, so one test's leak does not stay in the test host for the next.

/// <summary>static Items → List&lt;object&gt; → one 24-byte LeakedItem per call.</summary>
public static class StaticListLeak
{
    private static readonly List<object> Items = new(100_000);

    public static void Run() => Items.Add(new LeakedItem());

    public static void Reset() => Items.Clear();

    /// <summary>24 bytes on 64-bit: header + method table pointer + one int (padded).</summary>
    public sealed class LeakedItem
    {
        public int Value;
    }
}

/// <summary>
/// static Records → List&lt;object&gt; → one LeakedRecord per call, holding a 1,000-byte array: about 1,064 B per
/// iteration. For tests of what follows a leak verdict (snapshots, artifacts, messages, errors), not of sensitivity: no
/// other thread of a shared test host frees or keeps enough during a run to hide or fake it (a few KB per run measured).
/// </summary>
public static class KilobyteRecordLeak
{
    private static readonly List<object> Records = new(100_000);

    public static void Run() => Records.Add(new LeakedRecord());

    public static void Reset() => Records.Clear();

    /// <summary>24 bytes of object, plus its 1,024-byte array (1,000 bytes of payload and the array's header and length).</summary>
    public sealed class LeakedRecord
    {
        public byte[] Payload = new byte[1000];
    }
}

/// <summary>Slow leak: static Items → List → one SlowLeakItem every fourth call (6 B/iteration on average).</summary>
public static class EveryFourthCallLeak
{
    private static readonly List<object> Items = new(100_000);
    private static int _calls;

    public static void Run()
    {
        if (++_calls % 4 == 0)
            Items.Add(new SlowLeakItem());
    }

    public static void Reset() => Items.Clear();

    public sealed class SlowLeakItem
    {
        public int Value;
    }
}

/// <summary>static event PriceChanged → multicast delegate invocation list → Subscriber (never unsubscribes).</summary>
public static class StaticEventLeak
{
    public static event EventHandler? PriceChanged;

    public static void Run()
    {
        var subscriber = new Subscriber();
        PriceChanged += subscriber.OnPriceChanged;
    }

    public static void Reset() => PriceChanged = null;

    public static void Raise() => PriceChanged?.Invoke(null, EventArgs.Empty);

    public sealed class Subscriber
    {
        public int Seen;

        public void OnPriceChanged(object? sender, EventArgs e) => Seen++;
    }
}

/// <summary>static Handlers → Dictionary&lt;int, Func&lt;int&gt;&gt; → closure → ClosureState.</summary>
public static class StaticDictionaryOfClosuresLeak
{
    private static readonly Dictionary<int, Func<int>> Handlers = new(100_000);
    private static int _next;

    public static void Run()
    {
        var state = new ClosureState { Id = _next };
        Handlers[_next++] = () => state.Id;
    }

    public static void Reset() => Handlers.Clear();

    public sealed class ClosureState
    {
        public int Id;
    }
}

/// <summary>Growth in size, not count: static Buffer → one byte[] that grows by 64 bytes per call.</summary>
public static class GrowingArrayLeak
{
    private static byte[] _buffer = new byte[64];

    public static void Run() => Array.Resize(ref _buffer, _buffer.Length + 64);

    public static void Reset() => _buffer = new byte[64];
}

/// <summary>Strong GCHandle table → HandleTarget (the handle is never freed).</summary>
public static class StrongGCHandleLeak
{
    private static readonly List<GCHandle> Handles = new(100_000);

    public static void Run() => Handles.Add(GCHandle.Alloc(new HandleTarget(), GCHandleType.Normal));

    public static void Reset()
    {
        foreach (var handle in Handles)
            handle.Free();
        Handles.Clear();
    }

    public sealed class HandleTarget
    {
        public long Payload;
    }
}

/// <summary>LongLived token → registration → linked CancellationTokenSource (never disposed).</summary>
public static class LinkedCancellationTokenSourceLeak
{
    private static CancellationTokenSource _longLived = new();

    public static void Run()
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(_longLived.Token);
        _ = linked.Token;
    }

    public static void Reset()
    {
        _longLived.Dispose();
        _longLived = new CancellationTokenSource();
    }
}

/// <summary>Native leak: Marshal.AllocHGlobal(1024) per call, never freed; nothing managed refers to it.</summary>
public static class NativeBufferLeak
{
    private static readonly List<nint> Leaked = new(100_000);
    private static readonly bool KeepForReset = true;

    public static void Run()
    {
        var block = Marshal.AllocHGlobal(1024);
        if (KeepForReset)
            Leaked.Add(block); // preallocated list: no managed growth
    }

    public static void Reset()
    {
        foreach (var block in Leaked)
            Marshal.FreeHGlobal(block);
        Leaked.Clear();
    }
}

/// <summary>Handle leak: an OS file handle opened per call and orphaned (the SafeHandle is marked invalid, so no finalizer closes it).</summary>
public static class OrphanedFileHandleLeak
{
    private static readonly string FilePath = Path.Combine(Path.GetTempPath(), $"leakguard-handle-{Environment.ProcessId}.txt");
    private static readonly List<nint> Orphans = new(10_000);

    public static void Run()
    {
        if (!File.Exists(FilePath))
            File.WriteAllText(FilePath, "leakguard");
        var handle = File.OpenHandle(FilePath);
        Orphans.Add(handle.DangerousGetHandle());
        handle.SetHandleAsInvalid();
    }

    public static void Reset()
    {
        foreach (var raw in Orphans)
            new SafeFileHandle(raw, ownsHandle: true).Dispose();
        Orphans.Clear();
    }
}

/// <summary>Thread leak: one thread per call, started and blocked on a gate that is only opened by Reset().</summary>
public static class BlockedThreadLeak
{
    private static ManualResetEventSlim _gate = new(false);
    private static readonly List<Thread> Threads = new(10_000);

    public static void Run()
    {
        var gate = _gate;
        var thread = new Thread(() => gate.Wait()) { IsBackground = true, Name = "leaked worker" };
        thread.Start();
        Threads.Add(thread);
    }

    public static void Reset()
    {
        _gate.Set();
        foreach (var thread in Threads)
            thread.Join();
        Threads.Clear();
        _gate = new ManualResetEventSlim(false);
    }
}

/// <summary>Async leak: await, then static Sessions → ConcurrentBag → AsyncSession.</summary>
public static class AsyncSessionLeak
{
    private static readonly ConcurrentQueue<AsyncSession> Sessions = new();

    public static async Task RunAsync()
    {
        await Task.Yield();
        Sessions.Enqueue(new AsyncSession { StartedAt = Environment.TickCount64 });
    }

    public static void Reset() => Sessions.Clear();

    public sealed class AsyncSession
    {
        public long StartedAt;
    }
}

/// <summary>A Task.Delay on a long-lived token that is never cancelled: timer queue → DelayPromise → registration.</summary>
public static class LongDelayOnLongLivedTokenLeak
{
    private static CancellationTokenSource _longLived = new();

    public static void Run() => _ = Task.Delay(TimeSpan.FromHours(1), _longLived.Token);

    public static void Reset()
    {
        _longLived.Cancel();
        _longLived.Dispose();
        _longLived = new CancellationTokenSource();
    }
}

/// <summary>An unbounded memo cache: static Memo → ConcurrentDictionary&lt;Guid, string&gt; → one entry per call with a new key.</summary>
public static class UnboundedCacheLeak
{
    private static readonly ConcurrentDictionary<Guid, string> Memo = new();

    public static void Run() => Memo.GetOrAdd(Guid.NewGuid(), static key => key.ToString("N"));

    public static void Reset() => Memo.Clear();
}

/// <summary>ConditionalWeakTable misuse: the value refers back to its key, but the key is also kept in a static list.</summary>
public static class StaticKeyedAttachmentLeak
{
    private static readonly ConditionalWeakTable<object, byte[]> Attachments = new();
    private static readonly List<object> Keys = new(100_000);

    public static void Run()
    {
        var key = new object();
        Keys.Add(key);
        Attachments.Add(key, new byte[32]);
    }

    public static void Reset() => Keys.Clear();
}
