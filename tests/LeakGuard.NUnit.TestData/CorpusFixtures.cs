using LeakGuard.TestTargets;
using NUnit.Framework;
using Targets = LeakGuard.TestTargets;

namespace LeakGuard.NUnit.TestData;

// The whole corpus (tests/LeakGuard.TestTargets/Corpus.cs) as [NoLeak] tests: one method per case, named after it,
// calling the target directly. LeakGuard.NUnit.Tests checks that every leaking case fails naming its metric and every
// clean case passes.

/// <summary>Corpus.Leaking: every test must fail. Heap summaries only where the acceptance tests check the type.</summary>
public class CorpusLeakingFixture
{
    [TearDown]
    public void ResetCase() => Corpus.Get(TestContext.CurrentContext.Test.MethodName!).Reset?.Invoke();

    [Test, NoLeak]
    public void StaticList() => StaticListLeak.Run();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void EveryFourthCall() => EveryFourthCallLeak.Run();

    [Test, NoLeak]
    public void StaticEvent() => StaticEventLeak.Run();

    [Test, NoLeak]
    public void StaticDictionaryOfClosures() => StaticDictionaryOfClosuresLeak.Run();

    [Test, NoLeak]
    public void GrowingArray() => GrowingArrayLeak.Run();

    [Test, NoLeak]
    public void StrongGCHandle() => StrongGCHandleLeak.Run();

    [Test, NoLeak]
    public void LinkedCancellationTokenSource() => LinkedCancellationTokenSourceLeak.Run();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void LongDelayOnLongLivedToken() => LongDelayOnLongLivedTokenLeak.Run();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void UnboundedCache() => UnboundedCacheLeak.Run();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void StaticKeyedAttachment() => StaticKeyedAttachmentLeak.Run();

    [Test, NoLeak]
    public async Task AsyncSession() => await AsyncSessionLeak.RunAsync();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void NativeBuffer() => NativeBufferLeak.Run();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void OrphanedFileHandle() => OrphanedFileHandleLeak.Run();

    [Test, NoLeak(CaptureHeapSummary = false)]
    public void BlockedThread() => BlockedThreadLeak.Run();

    /// <summary>The corpus cases that keep their heap summary here.</summary>
    public static readonly IReadOnlyList<string> WithHeapSummary =
    [
        nameof(StaticList),
        nameof(StaticEvent),
        nameof(StaticDictionaryOfClosures),
        nameof(GrowingArray),
        nameof(StrongGCHandle),
        nameof(LinkedCancellationTokenSource),
        nameof(AsyncSession),
    ];
}

/// <summary>Corpus.Clean: every test must pass, including the ones that grow at first and level off.</summary>
public class CorpusCleanFixture
{
    [TearDown]
    public void ResetCase() => Corpus.Get(TestContext.CurrentContext.Test.MethodName!).Reset?.Invoke();

    [Test, NoLeak]
    public void Empty() => EmptyOperation.Run();

    [Test, NoLeak]
    public void GarbageOnly() => Targets.GarbageOnly.Run();

    [Test, NoLeak]
    public void BoundedCacheStillFilling() => Targets.BoundedCacheStillFilling.Run();

    [Test, NoLeak]
    public void MemoryCacheWithSizeLimit() => Targets.MemoryCacheWithSizeLimit.Run();

    [Test, NoLeak]
    public void UndisposedFileStream() => Targets.UndisposedFileStream.Run();

    [Test, NoLeak]
    public void UndisposedDeflateStream() => Targets.UndisposedDeflateStream.Run();

    [Test, NoLeak]
    public void ThreadPoolBurst() => Targets.ThreadPoolBurst.Run();

    [Test, NoLeak]
    public async Task ShortTaskDelay() => await Targets.ShortTaskDelay.RunAsync();

    [Test, NoLeak]
    public void LinqHeavyTieringUp() => Targets.LinqHeavyTieringUp.Run();

    [Test, NoLeak]
    public void SubscribeThenUnsubscribe() => Targets.SubscribeThenUnsubscribe.Run();

    [Test, NoLeak]
    public void NativeAllocateAndFree() => Targets.NativeAllocateAndFree.Run();

    [Test, NoLeak]
    public void DisposedLinkedCancellationTokenSource() => Targets.DisposedLinkedCancellationTokenSource.Run();

    [Test, NoLeak]
    public void LazyInitialisation() => Targets.LazyInitialisation.Run();

    [Test, NoLeak]
    public async Task AsyncYieldOnly() => await Targets.AsyncYieldOnly.RunAsync();

    [Test, NoLeak]
    public void ThreadStartedAndJoined() => Targets.ThreadStartedAndJoined.Run();

    [Test, NoLeak]
    public void FileOpenedAndDisposed() => Targets.FileOpenedAndDisposed.Run();
}
