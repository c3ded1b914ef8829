namespace LeakGuard.Tests.Analysis;

/// <summary>Synthetic sample series for the statistics tests. Deterministic: every random series takes a seed.</summary>
internal static class Series
{
    public static double[] Linear(int count, double start, double slope) => Enumerable.Range(0, count).Select(i => start + slope * i).ToArray();

    /// <summary>A staircase: +<paramref name="step"/> every <paramref name="period"/> samples (a slow leak).</summary>
    public static double[] Staircase(int count, double step, int period) => Enumerable.Range(0, count).Select(i => (double)(i / period) * step).ToArray();

    /// <summary>Flat, one jump of <paramref name="height"/> at <paramref name="at"/>.</summary>
    public static double[] Step(int count, int at, double height) => Enumerable.Range(0, count).Select(i => i >= at ? height : 0.0).ToArray();

    /// <summary>Grows by <paramref name="slope"/> per sample up to <paramref name="levelAt"/>, then flat.</summary>
    public static double[] Plateau(int count, double slope, int levelAt) => Enumerable.Range(0, count).Select(i => Math.Min(i, levelAt) * slope).ToArray();

    public static double[] Noise(int count, double amplitude, int seed, double slope = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => slope * i + (random.NextDouble() * 2 - 1) * amplitude).ToArray();
    }

    public static double[] WithOutliers(double[] series, int seed, int outliers, double size)
    {
        var copy = (double[])series.Clone();
        var random = new Random(seed);
        for (var k = 0; k < outliers; k++)
            copy[random.Next(copy.Length)] += random.Next(2) == 0 ? size : -size;
        return copy;
    }
}
