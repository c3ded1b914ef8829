namespace LeakGuard.Running;

/// <summary>
/// Process-wide exclusion: at most one leak run samples the process at a time, whichever adapter started it,
/// so that one run's allocations are never counted as another's growth.
/// </summary>
internal static class LeakGate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>True in the flow of a run that holds the gate (its operation, and tasks it starts).</summary>
    private static readonly AsyncLocal<bool> InRun = new();

    /// <summary>Marks the current flow as inside a run: a run started from it fails at once instead of waiting forever.</summary>
    public static void MarkInRun() => InRun.Value = true;

    /// <summary>Throws when the current flow is inside a run that holds the gate: it would wait for itself.</summary>
    /// <exception cref="InvalidOperationException">Called from inside a leak run.</exception>
    public static void ThrowIfNested()
    {
        if (InRun.Value)
        {
            throw new InvalidOperationException(
                "A leak run was started inside another leak run (for example ShouldNotLeak() or LeakTest.Run inside a [NoLeak] test body, or inside an operation under LeakTest.Run). The inner run would wait forever for the outer one, and its samples would count as the outer run's growth. Run the inner operation directly, or check it in a test of its own."
            );
        }
    }

    public static async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        ThrowIfNested();
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser();
    }

    public static IDisposable Enter(CancellationToken cancellationToken)
    {
        ThrowIfNested();
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
