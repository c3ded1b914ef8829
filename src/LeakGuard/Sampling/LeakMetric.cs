namespace LeakGuard;

/// <summary>A quantity LeakGuard samples after every measured iteration.</summary>
public enum LeakMetric
{
    /// <summary>Bytes of live objects on the managed (GC) heap after a full blocking compacting GC.</summary>
    ManagedHeap,

    /// <summary>Bytes in use on the native heap (malloc / process heaps); see <see cref="LeakOptions.MaxNativeBytesPerIteration"/> for the source per platform.</summary>
    NativeHeap,

    /// <summary>Open OS handles: file descriptors on Linux and macOS, kernel handles on Windows.</summary>
    Handles,

    /// <summary>OS threads in the process.</summary>
    Threads,
}
