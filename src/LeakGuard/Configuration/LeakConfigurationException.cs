namespace LeakGuard;

/// <summary>
/// Thrown when a LeakGuard file (a baseline file, <see cref="LeakBaseline"/>; the configuration file) or a setting
/// cannot be used: the file is missing or unreadable, its JSON is malformed, it has an unknown key, or a value is out of
/// range. <see cref="Exception.Message"/> is complete and names the file, the 1-based line and the key where known, e.g.
/// <c>/repo/leakguard.baseline.json(3): unknown key 'nativeheap' in test 'Contoso.Tests.OrderTests.Lookup'. Known keys:
/// managedHeap, nativeHeap, handles, threads.</c>
/// </summary>
public sealed class LeakConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message, the file and line already in it (nothing is prepended).</param>
    /// <param name="filePath">The file the problem is in; null when it is not in a file (an environment variable, an option).</param>
    /// <param name="line">The 1-based line of the file the problem is on; null when unknown or not in a file.</param>
    /// <param name="key">The key (JSON property name, option or variable name) the problem is about; null when none.</param>
    /// <param name="innerException">The exception that caused this one (a <see cref="System.Text.Json.JsonException"/>,
    /// an <see cref="IOException"/>), or null.</param>
    public LeakConfigurationException(string message, string? filePath = null, int? line = null, string? key = null, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Line = line;
        Key = key;
    }

    /// <summary>The file the problem is in (as named in the message); null when the problem is not in a file.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line of <see cref="FilePath"/> the problem is on; null when unknown.</summary>
    public int? Line { get; }

    /// <summary>The key the problem is about, as written in the file (e.g. <c>nativeHeap</c>, a test name); null when none.</summary>
    public string? Key { get; }
}
