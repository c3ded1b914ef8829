namespace LeakGuard.Sampling;

/// <summary>
/// The open file descriptors of this process by kind, from the link targets of <c>/proc/self/fd/*</c>
/// (<c>socket:[inode]</c>, <c>pipe:[inode]</c>, <c>anon_inode:[eventfd]</c>, a path). Like
/// <see cref="MemoryMapSnapshot"/>, reading allocates garbage only: the counts go into a container allocated with the
/// snapshot, keyed by a hash of the kind; the kinds' names are kept only when asked for.
/// </summary>
internal sealed class FileDescriptorSnapshot
{
    public const string FdDirectory = "/proc/self/fd";

    private readonly Dictionary<ulong, int> _counts;
    private readonly Dictionary<ulong, string>? _names;

    /// <param name="keepNames">Keep the kinds' names (the snapshot after the run); without them only their keys.</param>
    /// <param name="kindCapacity">Distinct kinds the snapshot can take without growing while it is read.</param>
    public FileDescriptorSnapshot(bool keepNames, int kindCapacity = 256)
    {
        _counts = new Dictionary<ulong, int>(kindCapacity);
        _names = keepNames ? new Dictionary<ulong, string>(kindCapacity) : null;
    }

    /// <summary>Descriptors per kind key (<see cref="MemoryMapSnapshot.PathKey"/> of <see cref="KindOf"/>).</summary>
    public IReadOnlyDictionary<ulong, int> Counts => _counts;

    /// <summary>The descriptors of one kind.</summary>
    public int this[string kind] => _counts.GetValueOrDefault(MemoryMapSnapshot.PathKey(kind));

    /// <summary>The name of a kind key; null when the snapshot keeps no names or has no such key.</summary>
    public string? GetName(ulong key) => _names is not null && _names.TryGetValue(key, out var name) ? name : null;

    /// <summary>Reads the descriptors into this snapshot; false with the reason when <c>/proc/self/fd</c> cannot be read. Never throws.</summary>
    public bool TryRead(out string? unavailableReason)
    {
        _counts.Clear();
        _names?.Clear();
        if (!OperatingSystem.IsLinux())
        {
            unavailableReason = "descriptors are read from /proc/self/fd, which only Linux has";
            return false;
        }
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(FdDirectory))
            {
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed since the directory was listed
                }
                if (target is null)
                    continue;
                var kind = KindOf(target);
                var key = MemoryMapSnapshot.PathKey(kind);
                _counts[key] = _counts.GetValueOrDefault(key) + 1;
                _names?.TryAdd(key, kind);
            }
            unavailableReason = null;
            return true;
        }
        catch (Exception e)
        {
            _counts.Clear();
            unavailableReason = $"{FdDirectory} could not be read ({e.GetType().Name}: {e.Message})";
            return false;
        }
    }

    /// <summary>
    /// The kind of a descriptor from its link target: <c>socket</c>, <c>pipe</c> and the like without their inode
    /// number; <c>anon_inode:[eventfd]</c> as it is; a path as <c>files in</c> its directory (<c>/dev/null</c>: files in /dev/).
    /// </summary>
    internal static string KindOf(string target)
    {
        // "socket:[12345]", "pipe:[12345]", "net:[4026531840]": the inode number says nothing about the kind.
        var bracket = target.IndexOf(":[", StringComparison.Ordinal);
        if (bracket > 0 && target[^1] == ']' && IsDigits(target.AsSpan(bracket + 2, target.Length - bracket - 3)))
            return target[..bracket];
        if (target.StartsWith("/memfd:", StringComparison.Ordinal))
            return "memfd:" + StripDeleted(target["/memfd:".Length..]);
        if (target.StartsWith('/'))
        {
            var path = StripDeleted(target);
            var slash = path.LastIndexOf('/');
            return "files in " + path[..(slash + 1)];
        }
        return target;
    }

    private static string StripDeleted(string path) => path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^" (deleted)".Length] : path;

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
