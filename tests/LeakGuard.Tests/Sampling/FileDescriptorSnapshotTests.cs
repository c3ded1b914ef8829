using LeakGuard.Sampling;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Sampling;

public class FileDescriptorSnapshotTests
{
    [Theory]
    [InlineData("socket:[123456]", "socket")]
    [InlineData("pipe:[42]", "pipe")]
    [InlineData("net:[4026531840]", "net")]
    [InlineData("anon_inode:[eventfd]", "anon_inode:[eventfd]")]
    [InlineData("anon_inode:inotify", "anon_inode:inotify")]
    [InlineData("/memfd:doublemapper (deleted)", "memfd:doublemapper")]
    [InlineData("/tmp/leakguard/a.txt", "files in /tmp/leakguard/")]
    [InlineData("/tmp/leakguard/b.txt (deleted)", "files in /tmp/leakguard/")]
    [InlineData("/dev/null", "files in /dev/")]
    public void A_descriptor_kind_drops_inode_numbers_and_file_names(string target, string kind)
    {
        FileDescriptorSnapshot.KindOf(target).ShouldBe(kind);
    }

    [Fact]
    public void Opened_files_show_under_their_directory()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var directory = Directory.CreateTempSubdirectory("leakguard-fd-");
        try
        {
            var kind = "files in " + directory.FullName + "/";
            var before = new FileDescriptorSnapshot(keepNames: true);
            before.TryRead(out _).ShouldBeTrue();
            var handles = Enumerable.Range(0, 3).Select(i => File.Open(Path.Combine(directory.FullName, $"{i}.txt"), FileMode.Create)).ToList();
            var after = new FileDescriptorSnapshot(keepNames: true);
            after.TryRead(out var unavailable).ShouldBeTrue(unavailable);
            handles.ForEach(h => h.Dispose());

            before[kind].ShouldBe(0);
            after[kind].ShouldBe(3);
            after.GetName(MemoryMapSnapshot.PathKey(kind)).ShouldBe(kind);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
