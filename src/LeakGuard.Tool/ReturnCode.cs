namespace LeakGuard.Tool;

/// <summary>The exit codes of every verb (docs/cli.md).</summary>
internal enum ReturnCode
{
    /// <summary>Done: no metric grew over its budget (watch, run), or the dumps were read (diff, analyze).</summary>
    Ok = 0,

    /// <summary>A metric grew over its budget (watch, run), or a type grew between the dumps (diff with <c>--fail-on-growth</c>).</summary>
    GrowthOverBudget = 1,

    /// <summary>Usage error or failure: bad arguments, no such process, not a .NET process, no permission, unreadable dump.</summary>
    Error = 2,
}

/// <summary>A failure a verb reports as <see cref="ReturnCode.Error"/> with its message (no stack trace).</summary>
internal sealed class ToolException(string message, Exception? inner = null) : Exception(message, inner);
