using System.Runtime.CompilerServices;
using Shouldly;

namespace LeakGuard.Tests.Reporting;

/// <summary>
/// Approved-text checks, as Shouldly pins its failure messages: the expected text lives in
/// <c>&lt;TestClass&gt;.&lt;TestMethod&gt;.approved.txt</c> next to the test source. On a mismatch the actual text is
/// written to a <c>.received.txt</c> beside it; review the diff and rename it to approve a wording change.
/// </summary>
internal static class Approvals
{
    public static void Verify(string actual, string testClass, [CallerMemberName] string testMethod = "", [CallerFilePath] string sourceFile = "")
    {
        // Next to the test source when it is there; otherwise (a CI build maps source paths to /_/) the copy in the
        // test's output folder.
        var sourceDirectory = Path.GetDirectoryName(sourceFile)!;
        var directory = Directory.Exists(sourceDirectory)
            ? sourceDirectory
            : Path.Combine(AppContext.BaseDirectory, Path.GetFileName(sourceDirectory.TrimEnd('/', '\\')));
        var approved = Path.Combine(directory, $"{testClass}.{testMethod}.approved.txt");
        var received = Path.Combine(directory, $"{testClass}.{testMethod}.received.txt");
        var normalized = actual.ReplaceLineEndings("\n");
        if (File.Exists(approved) && File.ReadAllText(approved).ReplaceLineEndings("\n") == normalized)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, normalized);
        File.Exists(approved).ShouldBeTrue($"No approved text yet: review {received} and rename it to {Path.GetFileName(approved)}.");
        normalized.ShouldBe(File.ReadAllText(approved).ReplaceLineEndings("\n"), $"The text changed: compare {received} with {approved}.");
    }
}
