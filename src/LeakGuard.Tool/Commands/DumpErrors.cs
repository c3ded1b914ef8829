namespace LeakGuard.Tool.Commands;

/// <summary>Turns what ClrMD throws for a bad dump into a message for people.</summary>
internal static class DumpErrors
{
    /// <summary>Checks that <paramref name="path"/> is a readable file.</summary>
    /// <exception cref="ToolException">It is not.</exception>
    public static void CheckReadable(string path)
    {
        if (Directory.Exists(path))
            throw new ToolException($"'{path}' is a directory, not a dump.");
        if (!File.Exists(path))
            throw new ToolException($"no dump at '{path}'.");
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot read '{path}' ({e.Message.Trim()}).", e);
        }
    }

    /// <summary>The message for a dump ClrMD could not read.</summary>
    public static string Unreadable(string what, Exception e) =>
        $"cannot read {what} as a .NET heap dump ({e.GetType().Name}: {e.Message.Trim().TrimEnd('.')}). Take one with 'dotnet-dump collect' (full or heap), createdump, or leakguard itself.";
}
