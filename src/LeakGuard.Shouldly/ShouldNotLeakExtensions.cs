using System.Runtime.CompilerServices;
using System.Text;
using Shouldly;

namespace LeakGuard.Shouldly;

/// <summary>
/// Shouldly-style leak assertions: <c>action.ShouldNotLeak()</c> runs the operation many times through the LeakGuard
/// engine and throws <see cref="ShouldAssertException"/> when a metric keeps growing over its budget.
/// </summary>
/// <remarks>
/// <para>The failure message is shaped like Shouldly's: the caller's expression in backticks, then
/// <c>should not leak but did</c>, then the LeakGuard report (the metrics over budget with their evidence, the heap
/// summary when one was taken, every metric), then <c>Additional Info:</c> and the custom message when one is given.
/// The exception's <see cref="Exception.InnerException"/> is a <see cref="LeakDetectedException"/> carrying the
/// <see cref="LeakReport"/>.</para>
/// <para>A leak run samples the whole process: memory and threads allocated by tests running in parallel are counted
/// as growth. Run leak assertions in tests that do not run in parallel with others (for example an xUnit collection
/// with parallelization disabled, or an NUnit <c>[NonParallelizable]</c> test). Runs are serialised process-wide.</para>
/// </remarks>
[ShouldlyMethods]
public static class ShouldNotLeakExtensions
{
    /// <summary>
    /// Runs <paramref name="action"/> repeatedly (see <see cref="LeakTest.Run"/>) and throws when it leaks.
    /// </summary>
    /// <param name="action">The operation under test; it runs on the calling thread, warmup and iterations in a row.</param>
    /// <param name="options">Iterations and budgets; null means <see cref="LeakOptions.Default"/>.</param>
    /// <param name="customMessage">Added to the failure message under <c>Additional Info:</c>; null for none.</param>
    /// <param name="expression">The caller's expression for <paramref name="action"/>, filled in by the compiler; it also
    /// names the run (<see cref="LeakOptions.TestName"/>, hence its artifacts folder) unless <paramref name="options"/> sets a name.</param>
    /// <returns>The report of the passing run.</returns>
    /// <exception cref="ShouldAssertException">A metric grew over its budget; the message holds the report.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid; the message names the property and the value.</exception>
    /// <exception cref="TimeoutException">The run exceeded <see cref="LeakOptions.Timeout"/>.</exception>
    /// <remarks>Exceptions thrown by <paramref name="action"/> stop the run and propagate unchanged.</remarks>
    public static LeakReport ShouldNotLeak(
        this Action action,
        LeakOptions? options = null,
        string? customMessage = null,
        [CallerArgumentExpression(nameof(action))] string? expression = null
    )
    {
        ArgumentNullException.ThrowIfNull(action);
        var report = LeakTest.Run(action, Named(options, expression));
        return report.Failed ? throw CreateException(report, customMessage, expression) : report;
    }

    /// <summary>
    /// Runs <paramref name="action"/> repeatedly, awaiting each call before the next (see <see cref="LeakTest.RunAsync(Func{Task}, LeakOptions?, CancellationToken)"/>),
    /// and throws when it leaks.
    /// </summary>
    /// <param name="action">The asynchronous operation under test.</param>
    /// <param name="options">Iterations and budgets; null means <see cref="LeakOptions.Default"/>.</param>
    /// <param name="customMessage">Added to the failure message under <c>Additional Info:</c>; null for none.</param>
    /// <param name="cancellationToken">Stops the run between iterations with <see cref="OperationCanceledException"/>.</param>
    /// <param name="expression">The caller's expression for <paramref name="action"/>, filled in by the compiler; it also
    /// names the run (<see cref="LeakOptions.TestName"/>, hence its artifacts folder) unless <paramref name="options"/> sets a name.</param>
    /// <returns>The report of the passing run.</returns>
    /// <exception cref="ShouldAssertException">A metric grew over its budget; the message holds the report.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid; the message names the property and the value.</exception>
    /// <exception cref="TimeoutException">The run exceeded <see cref="LeakOptions.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Exceptions thrown by <paramref name="action"/> stop the run and propagate unchanged.</remarks>
    public static async Task<LeakReport> ShouldNotLeakAsync(
        this Func<Task> action,
        LeakOptions? options = null,
        string? customMessage = null,
        CancellationToken cancellationToken = default,
        [CallerArgumentExpression(nameof(action))] string? expression = null
    )
    {
        ArgumentNullException.ThrowIfNull(action);
        var report = await LeakTest.RunAsync(action, Named(options, expression), cancellationToken).ConfigureAwait(false);
        return report.Failed ? throw CreateException(report, customMessage, expression) : report;
    }

    /// <summary>The options with the caller's expression as <see cref="LeakOptions.TestName"/> (names the artifacts folder), unless one is set.</summary>
    private static LeakOptions? Named(LeakOptions? options, string? expression) =>
        string.IsNullOrWhiteSpace(expression) || options?.TestName is not null
            ? options
            : (options ?? LeakOptions.Default) with
            {
                TestName = CodeText(expression),
            };

    private static ShouldAssertException CreateException(LeakReport report, string? customMessage, string? expression) =>
        new(FormatMessage(report.ToString(), customMessage, expression), new LeakDetectedException(report));

    /// <summary>
    /// The Shouldly-shaped failure message: <c>`expression`</c>, <c>    should not leak but did</c>, the report, and
    /// <c>Additional Info:</c> with the custom message when there is one.
    /// </summary>
    internal static string FormatMessage(string report, string? customMessage, string? expression)
    {
        var text = new StringBuilder();
        text.Append('`').Append(CodeText(expression)).Append('`').AppendLine();
        text.AppendLine("    should not leak but did");
        text.Append(report.TrimEnd());
        if (!string.IsNullOrWhiteSpace(customMessage))
        {
            text.AppendLine().AppendLine();
            text.AppendLine("Additional Info:");
            text.Append("    ").Append(customMessage);
        }
        return text.ToString();
    }

    /// <summary>
    /// The expression as Shouldly shows it: a lambda without parameters is shown by its body, a one-statement block
    /// without its braces; whitespace runs (line breaks included) become one space.
    /// </summary>
    internal static string CodeText(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
            return "The provided expression";
        var code = string.Join(' ', expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        foreach (var prefix in (ReadOnlySpan<string>)["async () =>", "() =>"])
        {
            if (code.StartsWith(prefix, StringComparison.Ordinal))
            {
                code = code[prefix.Length..].Trim();
                break;
            }
        }
        if (code.Length > 1 && code[0] == '{' && code[^1] == '}')
            code = code[1..^1].Trim();
        return code.Length == 0 ? "{ }" : code;
    }
}
