namespace LeakGuard.Tool;

/// <summary>The exit codes of every verb (docs/cli.md).</summary>
internal enum ReturnCode
{
    /// <summary>Done: no metric grew over its budget (watch, run), or the dumps were read (diff, analyze).</summary>
    Ok = 0,

    /// <summary>A metric grew over its budget (watch, run), or a type grew between the dumps (diff with <c>--fail-on-growth</c>).</summary>
    GrowthOverBudget = 1,

    /// <summary>
    /// Usage error or failure: bad arguments, no such process, not a .NET process, no permission, unreadable dump, an
    /// analysis over its time limit — and any exception leakguard did not expect (a bug), reported in one line.
    /// </summary>
    Error = 2,

    /// <summary>Stopped by SIGINT (Ctrl+C) before there was a verdict (128 + 2, as a shell reports it); <c>run</c> stopped its target first.</summary>
    Interrupted = 130,

    /// <summary>Stopped by SIGTERM before there was a verdict (128 + 15, as a shell reports it); <c>run</c> stopped its target first.</summary>
    Terminated = 143,
}

/// <summary>What kind of failure ended a verb: the <c>errorKind</c> of the JSON error document (docs/cli.md).</summary>
internal enum ErrorKind
{
    /// <summary>The command line is wrong: an unknown verb or option, a value that does not parse or is out of range.</summary>
    Usage,

    /// <summary>A failure leakguard knows about: no such process, no permission, the target exited, a missing file.</summary>
    Failure,

    /// <summary>A dump could not be read as a .NET heap dump (truncated, corrupt, not a dump).</summary>
    Dump,

    /// <summary>The heap analysis did not finish within <c>--analysis-timeout</c>.</summary>
    Timeout,

    /// <summary>Stopped by SIGINT or SIGTERM before there was a verdict.</summary>
    Interrupted,

    /// <summary>An exception leakguard did not expect: a bug (the message names the exception type).</summary>
    Internal,
}

/// <summary>A failure a verb reports as <see cref="ReturnCode.Error"/> with its message (no stack trace).</summary>
/// <param name="message">The message, one line, for people.</param>
/// <param name="inner">The exception that caused it.</param>
/// <param name="kind">What kind of failure it is.</param>
internal sealed class ToolException(string message, Exception? inner = null, ErrorKind kind = ErrorKind.Failure) : Exception(message, inner)
{
    /// <summary>What kind of failure it is.</summary>
    public ErrorKind Kind { get; } = kind;
}
