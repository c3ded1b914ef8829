namespace LeakGuard.Analysis;

/// <summary>Theil–Sen slope with Sen's (1968) confidence interval; see <see cref="SlopeEstimate"/>.</summary>
internal static class TheilSen
{
    /// <summary>
    /// Fits a slope to samples taken at the given iteration numbers.
    /// </summary>
    /// <param name="iterations">The iteration number of each sample (increasing).</param>
    /// <param name="values">Sample values, same length; NaN samples are skipped.</param>
    /// <param name="confidenceLevel">Two-sided confidence level, e.g. 0.95.</param>
    /// <returns>The slope per iteration with its interval.</returns>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static SlopeEstimate Fit(ReadOnlySpan<double> iterations, ReadOnlySpan<double> values, double confidenceLevel)
    {
        if (iterations.Length != values.Length)
            throw new ArgumentException("iterations and values must have the same length.", nameof(values));
        var x = new double[values.Length];
        var y = new double[values.Length];
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsNaN(values[i]))
            {
                x[n] = iterations[i];
                y[n] = values[i];
                n++;
            }
        }
        if (n < 2)
            return new SlopeEstimate(0, 0, 0, confidenceLevel, n);

        var slopes = new double[n * (n - 1) / 2];
        var pairs = 0;
        for (var i = 0; i < n - 1; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (x[j] != x[i])
                    slopes[pairs++] = (y[j] - y[i]) / (x[j] - x[i]);
            }
        }
        if (pairs == 0)
            return new SlopeEstimate(0, 0, 0, confidenceLevel, n);
        Array.Sort(slopes, 0, pairs);
        var median = (pairs % 2 == 1) ? slopes[pairs / 2] : (slopes[pairs / 2 - 1] + slopes[pairs / 2]) / 2;

        // Sen's interval: C = z * sqrt(Var S); the bounds are the slopes of ranks (N - C)/2 and (N + C)/2 + 1.
        var variance = MannKendallVariance(y.AsSpan(0, n));
        var z = Normal.Quantile(0.5 + confidenceLevel / 2);
        var c = z * Math.Sqrt(variance);
        var lowerRank = (int)Math.Floor((pairs - c) / 2); // 1-based rank
        var upperRank = (int)Math.Ceiling((pairs + c) / 2) + 1; // 1-based rank
        var lower = slopes[Math.Clamp(lowerRank - 1, 0, pairs - 1)];
        var upper = slopes[Math.Clamp(upperRank - 1, 0, pairs - 1)];
        return new SlopeEstimate(median, Math.Min(lower, median), Math.Max(upper, median), confidenceLevel, n);
    }

    /// <summary>Fits a slope to samples taken every <paramref name="iterationsPerSample"/> iterations from iteration 0.</summary>
    public static SlopeEstimate Fit(ReadOnlySpan<double> values, double iterationsPerSample, double confidenceLevel) =>
        Fit(EvenlySpaced(values.Length, iterationsPerSample), values, confidenceLevel);

    /// <summary>Iteration numbers of <paramref name="count"/> samples taken every <paramref name="iterationsPerSample"/> iterations from 0.</summary>
    public static double[] EvenlySpaced(int count, double iterationsPerSample)
    {
        var iterations = new double[count];
        for (var i = 0; i < count; i++)
            iterations[i] = i * iterationsPerSample;
        return iterations;
    }

    /// <summary>Variance of the Mann–Kendall S statistic, corrected for tied values.</summary>
    public static double MannKendallVariance(ReadOnlySpan<double> values)
    {
        double n = values.Length;
        var variance = n * (n - 1) * (2 * n + 5);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var run = 1;
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] == sorted[i - 1])
            {
                run++;
                continue;
            }
            if (run > 1)
                variance -= (double)run * (run - 1) * (2 * run + 5);
            run = 1;
        }
        return variance / 18;
    }

    /// <summary>The Mann–Kendall S statistic: concordant minus discordant pairs.</summary>
    public static long MannKendallS(ReadOnlySpan<double> values)
    {
        long s = 0;
        for (var i = 0; i < values.Length - 1; i++)
        {
            for (var j = i + 1; j < values.Length; j++)
                s += Math.Sign(values[j] - values[i]);
        }
        return s;
    }
}

/// <summary>The standard normal distribution's quantile function.</summary>
internal static class Normal
{
    /// <summary>
    /// The inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).
    /// </summary>
    /// <param name="p">A probability in (0, 1).</param>
    public static double Quantile(double p)
    {
        if (p <= 0 || p >= 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "Probability must be in (0, 1).");
        ReadOnlySpan<double> a =
        [
            -3.969683028665376e+01,
            2.209460984245205e+02,
            -2.759285104469687e+02,
            1.383577518672690e+02,
            -3.066479806614716e+01,
            2.506628277459239e+00,
        ];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c =
        [
            -7.784894002430293e-03,
            -3.223964580411365e-01,
            -2.400758277161838e+00,
            -2.549732539343734e+00,
            4.374664141464968e+00,
            2.938163982698783e+00,
        ];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
