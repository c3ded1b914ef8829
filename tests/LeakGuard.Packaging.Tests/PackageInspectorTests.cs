using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace LeakGuard.Packaging.Tests;

/// <summary>The inspector itself, on packages made up here: it must find each kind of problem, and pass a good package.</summary>
public class PackageInspectorTests : IDisposable
{
    private const string GoodNuspec = """
        <?xml version="1.0" encoding="utf-8"?>
        <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
          <metadata>
            <id>LeakGuard.Sample</id>
            <version>1.0.0</version>
            <authors>LeakGuard contributors</authors>
            <license type="expression">MIT</license>
            <readme>README.md</readme>
            <description>A sample.</description>
            <tags>leak testing</tags>
            <repository type="git" url="https://github.com/leakguard/leakguard" commit="0123456789abcdef0123456789abcdef01234567" />
          </metadata>
        </package>
        """;

    private const string BareNuspec = """
        <?xml version="1.0" encoding="utf-8"?>
        <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
          <metadata>
            <id>LeakGuard.Sample</id>
            <version>1.0.0</version>
            <authors>LeakGuard contributors</authors>
            <licenseUrl>https://example.com/license</licenseUrl>
          </metadata>
        </package>
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("leakguard-package-check-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>This test assembly: built like our packages' assemblies (embedded PDB, deterministic, CI path mapping when CI=true).</summary>
    private static byte[] ThisAssembly => File.ReadAllBytes(typeof(PackageInspectorTests).Assembly.Location);

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private string Package(params (string Name, byte[] Content)[] entries)
    {
        var path = Path.Combine(_folder, $"p{Guid.NewGuid():N}.nupkg");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var stream = zip.CreateEntry(name).Open();
            stream.Write(content);
        }
        return path;
    }

    private static byte[] Text(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public void A_complete_package_has_no_problems()
    {
        var package = Package(
            ("LeakGuard.Sample.nuspec", Text(GoodNuspec)),
            ("README.md", Text("# Sample")),
            ("lib/net10.0/LeakGuard.Sample.dll", ThisAssembly),
            ("lib/net10.0/LeakGuard.Sample.xml", Text("<doc />"))
        );

        PackageInspector.Inspect(package, ciBuild: false).ShouldBeEmpty();
    }

    [Fact]
    public void Missing_metadata_and_documentation_are_each_named()
    {
        var package = Package(
            ("LeakGuard.Sample.nuspec", Text(BareNuspec)),
            ("lib/net10.0/Other.dll", [0]),
            ("lib/net8.0/Other.dll", [0]),
            ("lib/net8.0/Other.xml", Text("<doc />"))
        );

        PackageInspector
            .Inspect(package, ciBuild: true)
            .ShouldBe([
                "nuspec has no <description> (Description)",
                "nuspec has no <tags> (PackageTags)",
                "nuspec has no <license type=\"expression\"> (PackageLicenseExpression)",
                "nuspec has no <readme> (PackageReadmeFile)",
                "nuspec has no <repository url=…> (RepositoryUrl)",
                "nuspec <repository> has no commit, though this is a CI build (RepositoryCommit: git or the CI's commit variable)",
                "lib/net10.0/Other.dll has no XML documentation (lib/net10.0/Other.xml)",
            ]);
    }

    [Fact]
    public void A_readme_named_but_not_packed_and_a_bad_commit_are_found()
    {
        var nuspec = GoodNuspec.Replace("0123456789abcdef0123456789abcdef01234567", "main", StringComparison.Ordinal);
        var package = Package(("LeakGuard.Sample.nuspec", Text(nuspec)));

        PackageInspector
            .Inspect(package, ciBuild: false)
            .ShouldBe([
                "nuspec names readme 'README.md', which is not in the package",
                "nuspec <repository commit='main'> is not a 40-digit git commit (RepositoryCommit)",
            ]);
    }

    [Fact]
    public void An_assembly_without_an_embedded_pdb_is_found()
    {
        // The runtime's own System.Runtime.dll: built by Microsoft without an embedded PDB.
        var runtime = File.ReadAllBytes(typeof(object).Assembly.Location.Replace("System.Private.CoreLib.dll", "System.Runtime.dll", StringComparison.Ordinal));
        var package = Package(
            ("LeakGuard.Sample.nuspec", Text(GoodNuspec)),
            ("README.md", Text("# Sample")),
            ("tools/net10.0/any/LeakGuard.Sample.dll", runtime)
        );

        PackageInspector
            .Inspect(package, ciBuild: false)
            .ShouldContain("tools/net10.0/any/LeakGuard.Sample.dll: no embedded portable PDB (DebugType embedded)");
    }

    [Fact]
    public void Source_paths_are_checked_against_the_mapped_root_in_a_ci_build()
    {
        // This very file is a document of this assembly's PDB, under the path the compiler saw: /_/… when the build
        // mapped paths (CI=true), its real path otherwise. The inspector must tell the two apart.
        var paths = PackageInspector.SourcePaths(ThisAssembly);
        paths.ShouldContain(ThisFile());

        var problems = PackageInspector.InspectAssembly(ThisAssembly, ciBuild: true);
        if (ThisFile().StartsWith(PackageInspector.MappedRoot, StringComparison.Ordinal))
            problems.ShouldBeEmpty();
        else
            problems.ShouldHaveSingleItem().ShouldContain("source paths not mapped to /_/");
        PackageInspector.InspectAssembly(ThisAssembly, ciBuild: false).ShouldBeEmpty("a local build is deterministic and embeds its PDB too");
    }
}
