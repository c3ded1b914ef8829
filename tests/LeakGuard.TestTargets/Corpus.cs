namespace LeakGuard.TestTargets;

/// <summary>One known operation and what LeakGuard must say about it.</summary>
/// <param name="Name">Short name, also the test method name in adapter acceptance tests.</param>
/// <param name="Run">The operation.</param>
/// <param name="LeakingMetric">The metric that must be reported over budget, or null for a clean case.</param>
/// <param name="ExpectedTypeInHeapSummary">For managed leaks, a type name the heap summary must list (substring), or null.</param>
/// <param name="Reset">Releases what the case leaked, or null.</param>
public sealed record CorpusCase(string Name, Func<ValueTask> Run, LeakMetric? LeakingMetric, string? ExpectedTypeInHeapSummary, Action? Reset)
{
    public bool Leaks => LeakingMetric is not null;

    /// <summary>For managed leaks: text the failure report must contain in a retention path (the root as a developer names it), or null.</summary>
    public string? ExpectedRetention { get; init; }

    public override string ToString() => Name;
}

/// <summary>The corpus: at least 12 leaking and 12 clean operations.</summary>
public static class Corpus
{
    private static Func<ValueTask> Sync(Action action) =>
        () =>
        {
            action();
            return default;
        };

    private static Func<ValueTask> Async(Func<Task> action) => () => new ValueTask(action());

    public static IReadOnlyList<CorpusCase> Leaking { get; } =
    [
        new("StaticList", Sync(StaticListLeak.Run), LeakMetric.ManagedHeap, "StaticListLeak+LeakedItem", StaticListLeak.Reset)
        {
            ExpectedRetention = "via static LeakGuard.TestTargets.StaticListLeak.Items (List<Object>) → _items[] → StaticListLeak+LeakedItem",
        },
        new("EveryFourthCall", Sync(EveryFourthCallLeak.Run), LeakMetric.ManagedHeap, "EveryFourthCallLeak+SlowLeakItem", EveryFourthCallLeak.Reset),
        new("StaticEvent", Sync(StaticEventLeak.Run), LeakMetric.ManagedHeap, "StaticEventLeak+Subscriber", StaticEventLeak.Reset)
        {
            ExpectedRetention = "via static LeakGuard.TestTargets.StaticEventLeak.PriceChanged (EventHandler) → invocation list → StaticEventLeak+Subscriber",
        },
        new(
            "StaticDictionaryOfClosures",
            Sync(StaticDictionaryOfClosuresLeak.Run),
            LeakMetric.ManagedHeap,
            "ClosureState",
            StaticDictionaryOfClosuresLeak.Reset
        )
        {
            ExpectedRetention =
                "via static LeakGuard.TestTargets.StaticDictionaryOfClosuresLeak.Handlers (Dictionary<Int32, Func<Int32>>) → _entries[].value → target",
        },
        new("GrowingArray", Sync(GrowingArrayLeak.Run), LeakMetric.ManagedHeap, "System.Byte[]", GrowingArrayLeak.Reset)
        {
            ExpectedRetention = "B at the same path) via static LeakGuard.TestTargets.GrowingArrayLeak._buffer (Byte[])",
        },
        new("StrongGCHandle", Sync(StrongGCHandleLeak.Run), LeakMetric.ManagedHeap, "StrongGCHandleLeak+HandleTarget", StrongGCHandleLeak.Reset)
        {
            ExpectedRetention = "via strong GC handle (StrongGCHandleLeak+HandleTarget)",
        },
        new(
            "LinkedCancellationTokenSource",
            Sync(LinkedCancellationTokenSourceLeak.Run),
            LeakMetric.ManagedHeap,
            "CancellationTokenSource",
            LinkedCancellationTokenSourceLeak.Reset
        )
        {
            ExpectedRetention = "via static LeakGuard.TestTargets.LinkedCancellationTokenSourceLeak._longLived (CancellationTokenSource)",
        },
        new("LongDelayOnLongLivedToken", Sync(LongDelayOnLongLivedTokenLeak.Run), LeakMetric.ManagedHeap, "DelayPromise", LongDelayOnLongLivedTokenLeak.Reset),
        new("UnboundedCache", Sync(UnboundedCacheLeak.Run), LeakMetric.ManagedHeap, "System.String", UnboundedCacheLeak.Reset),
        new("StaticKeyedAttachment", Sync(StaticKeyedAttachmentLeak.Run), LeakMetric.ManagedHeap, "System.Byte[]", StaticKeyedAttachmentLeak.Reset),
        new("AsyncSession", Async(AsyncSessionLeak.RunAsync), LeakMetric.ManagedHeap, "AsyncSessionLeak+AsyncSession", AsyncSessionLeak.Reset),
        new("NativeBuffer", Sync(NativeBufferLeak.Run), LeakMetric.NativeHeap, null, NativeBufferLeak.Reset),
        new("OrphanedFileHandle", Sync(OrphanedFileHandleLeak.Run), LeakMetric.Handles, null, OrphanedFileHandleLeak.Reset),
        new("BlockedThread", Sync(BlockedThreadLeak.Run), LeakMetric.Threads, null, BlockedThreadLeak.Reset),
    ];

    public static IReadOnlyList<CorpusCase> Clean { get; } =
    [
        new("Empty", Sync(EmptyOperation.Run), null, null, null),
        new("GarbageOnly", Sync(() => GarbageOnly.Run()), null, null, null),
        new("BoundedCacheStillFilling", Sync(BoundedCacheStillFilling.Run), null, null, BoundedCacheStillFilling.Reset),
        new("MemoryCacheWithSizeLimit", Sync(MemoryCacheWithSizeLimit.Run), null, null, null),
        new("UndisposedFileStream", Sync(UndisposedFileStream.Run), null, null, null),
        new("UndisposedDeflateStream", Sync(UndisposedDeflateStream.Run), null, null, null),
        new("ThreadPoolBurst", Sync(ThreadPoolBurst.Run), null, null, null),
        new("ShortTaskDelay", Async(ShortTaskDelay.RunAsync), null, null, null),
        new("LinqHeavyTieringUp", Sync(() => LinqHeavyTieringUp.Run()), null, null, null),
        new("SubscribeThenUnsubscribe", Sync(SubscribeThenUnsubscribe.Run), null, null, null),
        new("NativeAllocateAndFree", Sync(NativeAllocateAndFree.Run), null, null, null),
        new("DisposedLinkedCancellationTokenSource", Sync(DisposedLinkedCancellationTokenSource.Run), null, null, null),
        new("LazyInitialisation", Sync(() => LazyInitialisation.Run()), null, null, null),
        new("AsyncYieldOnly", Async(AsyncYieldOnly.RunAsync), null, null, null),
        new("ThreadStartedAndJoined", Sync(ThreadStartedAndJoined.Run), null, null, null),
        new("FileOpenedAndDisposed", Sync(FileOpenedAndDisposed.Run), null, null, null),
    ];

    public static IEnumerable<CorpusCase> All => Leaking.Concat(Clean);

    public static CorpusCase Get(string name) => All.Single(c => c.Name == name);
}
