namespace LeakGuard;

/// <summary>
/// A LeakGuard configuration source is invalid: a malformed <c>.config/leakguard.json</c> or baseline file, an unknown
/// key, a value of the wrong type or out of range, or an environment variable LeakGuard cannot read. The message is
/// complete and names the source, e.g. <c>/repo/.config/leakguard.json(3): unknown key 'iteratons'. Known keys: …</c>.
/// </summary>
/// <remarks>A test whose configuration is invalid fails with this exception when it runs; nothing is silently ignored.</remarks>
public sealed class LeakConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, naming the file (or variable), line and key where known.</param>
    /// <param name="filePath">The file at fault, as a full path; null when the source is not a file (an environment variable).</param>
    /// <param name="line">The 1-based line in <paramref name="filePath"/>; null when unknown.</param>
    /// <param name="key">The key (or environment variable) at fault; null when the file as a whole is malformed.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public LeakConfigurationException(string message, string? filePath = null, int? line = null, string? key = null, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Line = line;
        Key = key;
    }

    /// <summary>The file at fault, as a full path; null when the source is not a file.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line in <see cref="FilePath"/>; null when unknown.</summary>
    public int? Line { get; }

    /// <summary>The key (or environment variable name) at fault; null when the file as a whole is malformed.</summary>
    public string? Key { get; }
}
