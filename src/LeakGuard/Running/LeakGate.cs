namespace LeakGuard.Running;

/// <summary>
/// Process-wide exclusion: at most one leak run samples the process at a time, whichever adapter started it,
/// so that one run's allocations are never counted as another's growth.
/// </summary>
internal static class LeakGate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser();
    }

    public static IDisposable Enter(CancellationToken cancellationToken)
    {
        Gate.Wait(cancellationToken);
        return new Releaser();
    }

    private sealed class Releaser : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                Gate.Release();
        }
    }
}
