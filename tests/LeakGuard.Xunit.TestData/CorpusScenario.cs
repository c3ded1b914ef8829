using LeakGuard.TestTargets;
using T = LeakGuard.TestTargets;

namespace LeakGuard.Xunit.TestData;

/// <summary>
/// (a) The whole corpus: one [NoLeak] test per case of <see cref="Corpus"/>, named after the case, calling the target
/// directly. Leaking cases must fail with a report naming their metric; clean cases must pass. The heap summary is on
/// for the six cases whose retention path the acceptance tests check, and AsyncSession; off elsewhere to keep the run
/// short (it dumps the process three times).
/// </summary>
public sealed class CorpusScenario : IDisposable
{
    // Leaking.
    [NoLeak]
    public void StaticList() => StaticListLeak.Run();

    [NoLeak(CaptureHeapSummary = false)]
    public void EveryFourthCall() => EveryFourthCallLeak.Run();

    [NoLeak]
    public void StaticEvent() => StaticEventLeak.Run();

    [NoLeak]
    public void StaticDictionaryOfClosures() => StaticDictionaryOfClosuresLeak.Run();

    [NoLeak]
    public void GrowingArray() => GrowingArrayLeak.Run();

    [NoLeak]
    public void StrongGCHandle() => StrongGCHandleLeak.Run();

    [NoLeak]
    public void LinkedCancellationTokenSource() => LinkedCancellationTokenSourceLeak.Run();

    [NoLeak(CaptureHeapSummary = false)]
    public void LongDelayOnLongLivedToken() => LongDelayOnLongLivedTokenLeak.Run();

    [NoLeak(CaptureHeapSummary = false)]
    public void UnboundedCache() => UnboundedCacheLeak.Run();

    [NoLeak(CaptureHeapSummary = false)]
    public void StaticKeyedAttachment() => StaticKeyedAttachmentLeak.Run();

    [NoLeak]
    public async Task AsyncSession() => await AsyncSessionLeak.RunAsync();

    [NoLeak(CaptureHeapSummary = false)]
    public void NativeBuffer() => NativeBufferLeak.Run();

    [NoLeak(CaptureHeapSummary = false)]
    public void OrphanedFileHandle() => OrphanedFileHandleLeak.Run();

    [NoLeak(CaptureHeapSummary = false)]
    public void BlockedThread() => BlockedThreadLeak.Run();

    // Clean (a heap summary is only ever taken on a managed leak, so the default costs nothing here).
    [NoLeak]
    public void Empty() => EmptyOperation.Run();

    [NoLeak]
    public void GarbageOnly() => T.GarbageOnly.Run();

    [NoLeak]
    public void BoundedCacheStillFilling() => T.BoundedCacheStillFilling.Run();

    [NoLeak]
    public void MemoryCacheWithSizeLimit() => T.MemoryCacheWithSizeLimit.Run();

    [NoLeak]
    public void UndisposedFileStream() => T.UndisposedFileStream.Run();

    [NoLeak]
    public void UndisposedDeflateStream() => T.UndisposedDeflateStream.Run();

    [NoLeak]
    public void ThreadPoolBurst() => T.ThreadPoolBurst.Run();

    [NoLeak]
    public async Task ShortTaskDelay() => await T.ShortTaskDelay.RunAsync();

    [NoLeak]
    public void LinqHeavyTieringUp() => T.LinqHeavyTieringUp.Run();

    [NoLeak]
    public void SubscribeThenUnsubscribe() => T.SubscribeThenUnsubscribe.Run();

    [NoLeak]
    public void NativeAllocateAndFree() => T.NativeAllocateAndFree.Run();

    [NoLeak]
    public void DisposedLinkedCancellationTokenSource() => T.DisposedLinkedCancellationTokenSource.Run();

    [NoLeak]
    public void LazyInitialisation() => T.LazyInitialisation.Run();

    [NoLeak]
    public async Task AsyncYieldOnly() => await T.AsyncYieldOnly.RunAsync();

    [NoLeak]
    public void ThreadStartedAndJoined() => T.ThreadStartedAndJoined.Run();

    [NoLeak]
    public void FileOpenedAndDisposed() => T.FileOpenedAndDisposed.Run();

    /// <summary>Releases what any case leaked, so that one test's leak does not stay in the process for the next.</summary>
    public void Dispose()
    {
        foreach (var corpusCase in Corpus.All)
            corpusCase.Reset?.Invoke();
    }
}
