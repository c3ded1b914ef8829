using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace LeakGuard.Diagnostics;

/// <summary>
/// A folder for heap dumps and the analysis child's files that no other user can write: dumps hold everything in
/// memory, secrets included, and the child's runtime configuration is read by <c>dotnet exec</c>, which honours a
/// startup hook named in it — a folder another user can write would let them read the dumps or run code as this user.
/// </summary>
/// <remarks>
/// On Unix the folder is created with mode 0700 and then checked with <c>lstat</c>: a directory, not a symbolic
/// link, owned by this process's effective user, not writable by group or others; and every folder above it (after
/// resolving links) owned by this user or root, and not writable by others unless its sticky bit is set (as
/// <c>/tmp</c>), so that nobody can move it away and put their own in its place. The owner and mode come from the
/// runtime's own native shim (<c>libSystem.Native</c>: <c>SystemNative_LStat</c>, whose layout .NET defines the same on
/// every Unix). On Windows the folder is created and used as it is: the default is under the user's own temporary
/// folder, which other users cannot write.
/// The engine (<see cref="HeapSummarizer"/>) and the <c>leakguard</c> command use it for their snapshot folders.
/// </remarks>
internal static class PrivateDirectory
{
    private const int TypeMask = 0xF000;
    private const int DirectoryType = 0x4000;
    private const int SymbolicLink = 0xA000;
    private const int GroupOrOtherWrite = 0x12; // S_IWGRP | S_IWOTH
    private const int OtherWrite = 0x2; // S_IWOTH
    private const int Sticky = 0x200; // S_ISVTX

    /// <summary>
    /// The default snapshot folder: <c>&lt;temp&gt;/leakguard-&lt;uid&gt;</c> on Unix (one per user: a shared
    /// <c>&lt;temp&gt;/leakguard</c> could be created first by another user), <c>&lt;temp&gt;\leakguard</c> on Windows
    /// (the temporary folder is the user's own there). <c>&lt;temp&gt;</c> is <see cref="Path.GetTempPath"/>.
    /// </summary>
    public static string Default =>
        OperatingSystem.IsWindows()
            ? Path.Combine(Path.GetTempPath(), "leakguard")
            : Path.Combine(Path.GetTempPath(), "leakguard-" + GetEffectiveUserId().ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Creates <paramref name="path"/> when it is missing (mode 0700 on Unix, with any missing parents) and checks that
    /// no other user can write it or replace it (see the remarks of <see cref="PrivateDirectory"/>).
    /// </summary>
    /// <param name="path">The folder; relative paths are taken from the current directory.</param>
    /// <param name="reason">
    /// Why the folder cannot be used, e.g. <c>the snapshot folder '/tmp/shared' can be written by other users (mode
    /// 0777)</c>; null when it can.
    /// </param>
    /// <returns>True when the folder exists and is private to this user.</returns>
    /// <remarks>Never throws for a folder that cannot be created or checked: that is a <paramref name="reason"/>.</remarks>
    public static bool TryEnsure(string path, [NotNullWhen(false)] out string? reason)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full);
                reason = null;
                return true;
            }
            if (!TryLStat(full, out _, out _))
                Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            reason = $"the snapshot folder '{path}' could not be created ({e.GetType().Name}: {e.Message.Trim().TrimEnd('.')})";
            return false;
        }
        try
        {
            reason = Check(full);
            return reason is null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = $"the snapshot folder '{path}' could not be checked to be private to this user ({e.GetType().Name}: {e.Message.Trim().TrimEnd('.')})";
            return false;
        }
    }

    /// <summary>Why <paramref name="full"/> is not private to this user, or null when it is.</summary>
    private static string? Check(string full)
    {
        var user = GetEffectiveUserId();
        if (!TryLStat(full, out var mode, out var owner))
            return $"the snapshot folder '{full}' could not be read after it was created";
        if ((mode & TypeMask) == SymbolicLink)
            return $"the snapshot folder '{full}' is a symbolic link; give the folder it points to instead";
        if ((mode & TypeMask) != DirectoryType)
            return $"the snapshot folder '{full}' is not a directory";
        if (owner != user)
            return string.Create(CultureInfo.InvariantCulture, $"the snapshot folder '{full}' is owned by uid {owner}, not by this user (uid {user})");
        if ((mode & GroupOrOtherWrite) != 0)
            return $"the snapshot folder '{full}' can be written by other users (mode {Octal(mode)}); use a folder only you can write (chmod 700)";

        // The folders above it: nobody else may be able to move it away and put their own in its place.
        var parent = Path.GetDirectoryName(RealPath(full) ?? full);
        while (parent is not null)
        {
            if (!TryLStat(parent, out var parentMode, out var parentOwner))
                return $"the folder '{parent}' above the snapshot folder '{full}' could not be read";
            if (parentOwner != user && parentOwner != 0)
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"the folder '{parent}' above the snapshot folder '{full}' is owned by uid {parentOwner}, neither this user (uid {user}) nor root"
                );
            if ((parentMode & OtherWrite) != 0 && (parentMode & Sticky) == 0)
                return $"the folder '{parent}' above the snapshot folder '{full}' can be written by other users (mode {Octal(parentMode)}, no sticky bit): they could replace the snapshot folder";
            parent = Path.GetDirectoryName(parent);
        }
        return null;
    }

    /// <summary>Creates a new file readable and writable by its owner only (mode 0600 from the start on Unix); fails when the file exists.</summary>
    /// <exception cref="IOException">The file exists, or the disk is full.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    internal static FileStream CreateOwnerOnlyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    private static string Octal(int mode) => Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>The process's effective user id (0 on Windows).</summary>
    internal static uint GetEffectiveUserId() => OperatingSystem.IsWindows() ? 0 : SystemNative_GetEUid();

    /// <summary><c>lstat</c>: the mode (type and permission bits) and owner of <paramref name="path"/> itself, not of what a link points to; false when it does not exist or cannot be read.</summary>
    private static unsafe bool TryLStat(string path, out int mode, out uint owner)
    {
        // struct FileStatus of System.Native (pal_io.h): int32 Flags, int32 Mode, uint32 Uid, uint32 Gid, then
        // 64-bit fields; the buffer is larger than the struct so that fields added at its end do not overrun it.
        var buffer = stackalloc byte[512];
        if (SystemNative_LStat(path, buffer) != 0)
        {
            mode = 0;
            owner = 0;
            return false;
        }
        mode = *(int*)(buffer + 4);
        owner = *(uint*)(buffer + 8);
        return true;
    }

    /// <summary>The path with every link resolved, or null when it cannot be resolved.</summary>
    private static string? RealPath(string path)
    {
        var resolved = SystemNative_RealPath(path);
        if (resolved == 0)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Marshal.FreeCoTaskMem(resolved); // malloc'd by the shim: free() on Unix
        }
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    private static extern unsafe int SystemNative_LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* output);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_RealPath")]
    private static extern nint SystemNative_RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_GetEUid")]
    private static extern uint SystemNative_GetEUid();
}
