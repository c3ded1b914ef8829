namespace LeakGuard.Packaging.Tests;

/// <summary>
/// Every package in the packages directory, ready to publish: the nuspec metadata nuget.org shows, XML docs next to
/// every library, embedded PDBs from a deterministic build, and (with <c>CI=true</c>) source paths mapped to <c>/_/</c>.
/// </summary>
/// <remarks>
/// The directory is <c>LEAKGUARD_PACKAGES_DIRECTORY</c> when set, else <c>artifacts/packages</c> of the repository
/// (where <c>.ci/run</c> packs). Run after <c>dotnet pack</c>: <c>tests/package-check/check-packages.sh</c>.
/// </remarks>
public class PackageTests
{
    private static readonly bool CiBuild = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The packages directory (see the class remarks).</summary>
    internal static string PackagesDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("LEAKGUARD_PACKAGES_DIRECTORY") is { Length: > 0 } configured)
                return Path.GetFullPath(configured);
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "LeakGuard.sln")))
                    return Path.Combine(folder.FullName, "artifacts", "packages");
            }
            return Path.GetFullPath("artifacts/packages");
        }
    }

    public static TheoryData<string> Packages()
    {
        var packages = new TheoryData<string>();
        if (Directory.Exists(PackagesDirectory))
        {
            foreach (var file in Directory.GetFiles(PackagesDirectory, "*.nupkg").Order(StringComparer.Ordinal))
                packages.Add(Path.GetFileName(file));
        }
        return packages;
    }

    [Fact]
    public void There_are_packages_to_check()
    {
        var packages = Directory.Exists(PackagesDirectory) ? Directory.GetFiles(PackagesDirectory, "*.nupkg") : [];
        packages.ShouldNotBeEmpty(
            $"No .nupkg in {PackagesDirectory}: run `dotnet pack LeakGuard.sln -c Release -o artifacts/packages` first, or set LEAKGUARD_PACKAGES_DIRECTORY."
        );
    }

    [Fact]
    public void Symbols_are_embedded_so_there_are_no_symbol_packages()
    {
        var symbolPackages = Directory.Exists(PackagesDirectory) ? Directory.GetFiles(PackagesDirectory, "*.snupkg").Select(Path.GetFileName) : [];
        symbolPackages.ShouldBeEmpty("PDBs are embedded in the dlls (DebugType embedded); a .snupkg would be empty (IncludeSymbols must stay false)");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_is_ready_to_publish(string package)
    {
        PackageInspector
            .Inspect(Path.Combine(PackagesDirectory, package), CiBuild)
            .ShouldBeEmpty($"{package} ({(CiBuild ? "CI build: commit and /_/ paths required" : "local build: CI=true not set, source paths not checked")})");
    }
}
