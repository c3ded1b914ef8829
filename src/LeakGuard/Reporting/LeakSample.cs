namespace LeakGuard;

/// <summary>One sample of one metric.</summary>
/// <param name="Iteration">Measured iterations completed when the sample was taken (0 = after warmup, before the first measured iteration).</param>
/// <param name="Value">The metric's value: bytes for the heaps, a count for handles and threads.</param>
public readonly record struct LeakSample(int Iteration, double Value);
