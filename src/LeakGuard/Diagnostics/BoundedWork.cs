using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace LeakGuard.Diagnostics;

/// <summary>
/// Work that may block where no cancellation reaches it (createdump writing a dump to a stuck disk), run on a
/// dedicated background thread and waited for within a time limit. Used by the engine's heap snapshots and by the
/// <c>leakguard</c> CLI's snapshots of a target.
/// </summary>
internal static class BoundedWork
{
    /// <summary>
    /// Runs <paramref name="work"/> on a new background thread named <paramref name="threadName"/> and waits for it at
    /// most <paramref name="limit"/>; work over the limit is abandoned (its thread ends when the work does). No
    /// thread-pool work is left behind.
    /// </summary>
    /// <returns>True when the work finished within the limit; false when it was abandoned.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting (checked every 50 ms).</exception>
    /// <remarks>What <paramref name="work"/> throws is rethrown on the calling thread, with its stack trace.</remarks>
    public static bool TryRun(Action work, TimeSpan limit, string threadName, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = threadName,
        };
        var clock = Stopwatch.StartNew();
        thread.Start();
        while (!thread.Join(50))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed >= limit)
                return false;
        }
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        return true;
    }
}
