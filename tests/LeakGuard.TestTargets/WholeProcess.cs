namespace LeakGuard.TestTargets;

/// <summary>
/// Bounded attempts for tests that check an exact whole-process figure (a slope, a handle or thread count, native
/// bytes): another thread of the shared test host may allocate, free, open handles or start threads during a
/// measurement. The measurement is made until one result is undisturbed, at most a given number of times; the test then
/// asserts on the last result and shows all of them. A broken probe or engine spoils every attempt, so the test fails.
/// </summary>
public static class WholeProcess
{
    /// <summary>
    /// Calls <paramref name="measure"/> until <paramref name="undisturbed"/> accepts its result or
    /// <paramref name="attempts"/> results were taken; returns every result in order, the one to assert on last.
    /// </summary>
    public static IReadOnlyList<T> Attempt<T>(int attempts, Func<T> measure, Func<T, bool> undisturbed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        var results = new List<T>(attempts);
        do results.Add(measure());
        while (results.Count < attempts && !undisturbed(results[^1]));
        return results;
    }
}
