using System.IO.Compression;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Caching.Memory;

namespace LeakGuard.TestTargets;

// Operations that do not leak, including the ones that grow at first and then level off. A leak detector that calls
// any of these a leak gets switched off.

/// <summary>Does nothing.</summary>
public static class EmptyOperation
{
    public static void Run() { }
}

/// <summary>Allocates garbage only: a 1 KiB array and a string per call, unreachable at the next GC.</summary>
public static class GarbageOnly
{
    public static int Run()
    {
        var buffer = new byte[1024];
        var text = string.Concat("item-", buffer.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return text.Length;
    }
}

/// <summary>
/// A bounded LRU-less cache still filling during the first 50 iterations: static Entries → Dictionary, capped at
/// 120 entries (~120 × 100 B), then it evicts. Grows, then levels off.
/// </summary>
public static class BoundedCacheStillFilling
{
    public const int Capacity = 120;
    private static readonly Dictionary<int, byte[]> Entries = new(Capacity + 1);
    private static readonly Queue<int> Order = new(Capacity + 1);
    private static int _next;

    public static void Run()
    {
        var key = _next++;
        Entries[key] = new byte[64];
        Order.Enqueue(key);
        if (Order.Count > Capacity)
            Entries.Remove(Order.Dequeue());
    }

    public static void Reset()
    {
        Entries.Clear();
        Order.Clear();
    }
}

/// <summary>MemoryCache with SizeLimit = 100: new keys per call, compaction keeps it bounded.</summary>
public static class MemoryCacheWithSizeLimit
{
    private static readonly MemoryCache Cache = new(new MemoryCacheOptions { SizeLimit = 100, CompactionPercentage = 0.25 });
    private static int _next;

    public static void Run() => Cache.Set(_next++, new byte[128], new MemoryCacheEntryOptions { Size = 1 });
}

/// <summary>Opens a FileStream and drops it without Dispose: its SafeFileHandle's finalizer closes the descriptor.</summary>
public static class UndisposedFileStream
{
    private static readonly string FilePath = Path.Combine(Path.GetTempPath(), $"leakguard-clean-{Environment.ProcessId}.txt");

    public static void Run()
    {
        if (!File.Exists(FilePath))
            File.WriteAllText(FilePath, "leakguard");
        var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.ReadByte();
    }
}

/// <summary>Creates a DeflateStream and drops it without Dispose: the native zlib state is freed by its SafeHandle's finalizer.</summary>
public static class UndisposedDeflateStream
{
    public static void Run()
    {
        var output = new MemoryStream();
        var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true);
        deflate.Write("leakguard leakguard leakguard"u8);
        deflate.Flush();
    }
}

/// <summary>A burst of blocking work items: the thread pool injects threads, which stay for a while, then the count levels off.</summary>
public static class ThreadPoolBurst
{
    public static void Run()
    {
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => Thread.Sleep(2));
    }
}

/// <summary>Task.Delay(1): sets up the timer infrastructure once.</summary>
public static class ShortTaskDelay
{
    public static Task RunAsync() => Task.Delay(1);
}

/// <summary>LINQ-heavy code whose methods tier up in the JIT (tier 0 → instrumented → tier 1, OSR) during the run.</summary>
public static class LinqHeavyTieringUp
{
    private static readonly int[] Numbers = Enumerable.Range(0, 2_000).ToArray();

    public static long Run() =>
        Numbers.Where(n => n % 3 != 0).Select(n => (long)n * n).GroupBy(n => n % 7).OrderBy(g => g.Key).Select(g => g.Sum()).Aggregate(0L, (a, b) => a ^ b);
}

/// <summary>Subscribes to a static event, raises it, then unsubscribes.</summary>
public static class SubscribeThenUnsubscribe
{
    public static event EventHandler? Ticked;

    public static void Run()
    {
        var listener = new Listener();
        Ticked += listener.OnTicked;
        Ticked?.Invoke(null, EventArgs.Empty);
        Ticked -= listener.OnTicked;
    }

    private sealed class Listener
    {
        public int Count;

        public void OnTicked(object? sender, EventArgs e) => Count++;
    }
}

/// <summary>Allocates native memory and frees it.</summary>
public static class NativeAllocateAndFree
{
    public static void Run()
    {
        var block = Marshal.AllocHGlobal(4096);
        Marshal.WriteByte(block, 1);
        Marshal.FreeHGlobal(block);
    }
}

/// <summary>A linked CancellationTokenSource on a long-lived token, disposed after use.</summary>
public static class DisposedLinkedCancellationTokenSource
{
    private static readonly CancellationTokenSource LongLived = new();

    public static void Run()
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(LongLived.Token);
        linked.Token.ThrowIfCancellationRequested();
    }
}

/// <summary>Lazy one-time initialisation: the first call builds a static table, later calls read it.</summary>
public static class LazyInitialisation
{
    private static readonly Lazy<Dictionary<string, int>> Table = new(() => Enumerable.Range(0, 500).ToDictionary(i => "key" + i, i => i));

    public static int Run() => Table.Value["key42"];
}

/// <summary>Async code that completes asynchronously and keeps nothing.</summary>
public static class AsyncYieldOnly
{
    public static async Task<int> RunAsync()
    {
        await Task.Yield();
        return Environment.CurrentManagedThreadId;
    }
}

/// <summary>A thread started and joined per call.</summary>
public static class ThreadStartedAndJoined
{
    public static void Run()
    {
        var thread = new Thread(static () => { });
        thread.Start();
        thread.Join();
    }
}

/// <summary>Opens and disposes a file handle per call.</summary>
public static class FileOpenedAndDisposed
{
    private static readonly string FilePath = Path.Combine(Path.GetTempPath(), $"leakguard-clean2-{Environment.ProcessId}.txt");

    public static void Run()
    {
        if (!File.Exists(FilePath))
            File.WriteAllText(FilePath, "leakguard");
        using var handle = File.OpenHandle(FilePath);
    }
}
