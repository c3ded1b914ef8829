using System.Runtime.InteropServices;
using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>
/// Dumps hold everything in memory, and the analysis child's runtime configuration is read by <c>dotnet exec</c>
/// (which runs a startup hook named in it): the snapshot folder must be one no other user can write or replace. A
/// folder that is not is a reason beside a standing verdict, never silently used. Unix only: on Windows the folder is
/// under the user's own temporary folder.
/// </summary>
public sealed class SnapshotFolderTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "leakguard-tests", Guid.NewGuid().ToString("N"));

    public SnapshotFolderTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_default_snapshot_folder_is_the_users_own_created_0700_and_its_files_0600()
    {
        if (OperatingSystem.IsWindows())
            return;

        var folder = Path.Combine(Path.GetTempPath(), $"leakguard-{geteuid()}");
        // The runtime configuration is written again when missing: this run's own is checked.
        if (Directory.Exists(folder))
        {
            foreach (var old in Directory.GetFiles(folder, "leakguard-heap-analysis-*.runtimeconfig.json"))
                File.Delete(old);
        }

        var report = LeakTest.Run(KilobyteRecordLeak.Run);
        KilobyteRecordLeak.Reset();

        report.HeapSummary.ShouldNotBeNull(report.ToString());
        File.GetUnixFileMode(folder).ShouldBe(OwnerOnly);
        var configs = Directory.GetFiles(folder, "leakguard-heap-analysis-*.runtimeconfig.json");
        configs.ShouldNotBeEmpty();
        foreach (var config in configs)
            File.GetUnixFileMode(config).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, config);
        Directory.GetFiles(folder, $"leakguard-{Environment.ProcessId}-*").ShouldBeEmpty("the dumps are deleted");
        Directory
            .GetFiles(folder)
            .Where(f => f.Contains(".runtimeconfig.json.", StringComparison.Ordinal))
            .ShouldBeEmpty("no runtime configuration written aside is left behind");
    }

    [Theory]
    [InlineData("owned by another user", "is owned by uid 4242, not by this user (uid ")]
    [InlineData("writable by others", "can be written by other users (mode 0777); use a folder only you can write (chmod 700)")]
    [InlineData("a symbolic link", "is a symbolic link; give the folder it points to instead")]
    [InlineData("in a folder others can write", "can be written by other users (mode 0777, no sticky bit): they could replace the snapshot folder")]
    public void A_snapshot_folder_another_user_could_write_or_replace_is_not_used_and_the_report_says_why(string fault, string expected)
    {
        if (OperatingSystem.IsWindows())
            return;
        var folder = Path.Combine(_directory, "snapshots");
        switch (fault)
        {
            case "owned by another user":
                Directory.CreateDirectory(folder, OwnerOnly);
                chown(folder, 4242, 4242).ShouldBe(0, "chown (the tests run as root here)");
                break;
            case "writable by others":
                Directory.CreateDirectory(folder);
                File.SetUnixFileMode(folder, (UnixFileMode)0x1FF);
                break;
            case "a symbolic link":
                var target = Directory.CreateDirectory(Path.Combine(_directory, "target"), OwnerOnly);
                Directory.CreateSymbolicLink(folder, target.FullName);
                break;
            case "in a folder others can write":
                File.SetUnixFileMode(_directory, (UnixFileMode)0x1FF);
                Directory.CreateDirectory(folder, OwnerOnly);
                break;
        }

        var report = LeakTest.Run(KilobyteRecordLeak.Run, new LeakOptions { SnapshotDirectory = folder });
        KilobyteRecordLeak.Reset();

        report.HasLeak.ShouldBeTrue(report.ToString());
        report.HeapSummary.ShouldBeNull();
        var reason = report.HeapSummaryUnavailableReason.ShouldNotBeNull();
        reason.ShouldStartWith("a heap snapshot could not be taken: ");
        reason.ShouldContain(expected);
        reason.ShouldEndWith("(LeakOptions.SnapshotDirectory).");
        report.ToString().ShouldContain("The verdict above stands.");
        Directory.GetFiles(folder).ShouldBeEmpty("nothing is written into a folder that is not private");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc")]
    private static extern uint geteuid();
}
