using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace LeakGuard.Packaging.Tests;

/// <summary>
/// Reads one <c>.nupkg</c> and lists what keeps it from being published: missing nuspec metadata, a library without
/// its XML documentation, one of our assemblies without its embedded PDB, built non-deterministically, or (for a CI
/// build) with unmapped source paths.
/// </summary>
internal static partial class PackageInspector
{
    /// <summary>The root that <c>ContinuousIntegrationBuild</c> maps the source tree to in PDBs and <c>CallerFilePath</c>.</summary>
    public const string MappedRoot = "/_/";

    /// <summary>True for a path under a mapped root: <c>/_/</c> for the repository, <c>/_1/</c>, <c>/_2/</c>… for NuGet package folders that contribute sources.</summary>
    public static bool IsMapped(string path) => MappedPath().IsMatch(path);

    /// <summary>
    /// The problems of the package at <paramref name="path"/>, one sentence each; empty when it is ready to publish.
    /// </summary>
    /// <param name="path">A <c>.nupkg</c> file.</param>
    /// <param name="ciBuild">
    /// True for packages built with <c>CI=true</c>: then the nuspec must name the repository commit, and the source
    /// paths in our assemblies' PDBs must be mapped to <see cref="MappedRoot"/>.
    /// </param>
    /// <exception cref="InvalidDataException">The file is not a zip archive.</exception>
    public static IReadOnlyList<string> Inspect(string path, bool ciBuild)
    {
        using var package = ZipFile.OpenRead(path);
        var problems = new List<string>();
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        var nuspecEntry = package.Entries.SingleOrDefault(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        if (nuspecEntry is null)
        {
            problems.Add("no .nuspec at the package root");
            return problems;
        }
        XElement metadata;
        using (var stream = nuspecEntry.Open())
        {
            var root = XDocument.Load(stream).Root!;
            metadata = root.Element(root.Name.Namespace + "metadata") ?? new XElement("metadata");
        }
        InspectMetadata(metadata, entries, ciBuild, problems);

        // lib/<tfm>/X.dll needs lib/<tfm>/X.xml: IntelliSense shows the XML docs of what users compile against.
        foreach (var dll in entries.Where(e => LibraryAssembly().IsMatch(e)).Order(StringComparer.Ordinal))
        {
            var xml = dll[..^".dll".Length] + ".xml";
            if (!entries.Contains(xml))
                problems.Add($"{dll} has no XML documentation ({xml})");
        }

        // Our own assemblies, in lib/ or (for a tool) tools/: embedded PDB, deterministic, and mapped under CI.
        foreach (var entry in package.Entries.Where(IsOurAssembly).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            using var memory = new MemoryStream();
            using (var stream = entry.Open())
                stream.CopyTo(memory);
            problems.AddRange(InspectAssembly(memory.ToArray(), ciBuild).Select(p => $"{entry.FullName}: {p}"));
        }
        return problems;
    }

    private static void InspectMetadata(XElement metadata, HashSet<string> entries, bool ciBuild, List<string> problems)
    {
        var ns = metadata.Name.Namespace;
        string? Text(string name) => metadata.Element(ns + name)?.Value.Trim() is { Length: > 0 } text ? text : null;

        if (Text("description") is null)
            problems.Add("nuspec has no <description> (Description)");
        if (Text("tags") is null)
            problems.Add("nuspec has no <tags> (PackageTags)");
        var license = metadata.Element(ns + "license");
        if (license is null || (string?)license.Attribute("type") != "expression" || license.Value.Trim().Length == 0)
            problems.Add("nuspec has no <license type=\"expression\"> (PackageLicenseExpression)");
        var readme = Text("readme");
        if (readme is null)
            problems.Add("nuspec has no <readme> (PackageReadmeFile)");
        else if (!entries.Contains(readme.Replace('\\', '/')))
            problems.Add($"nuspec names readme '{readme}', which is not in the package");

        var repository = metadata.Element(ns + "repository");
        if (repository is null || string.IsNullOrWhiteSpace((string?)repository.Attribute("url")))
            problems.Add("nuspec has no <repository url=…> (RepositoryUrl)");
        else if ((string?)repository.Attribute("type") != "git")
            problems.Add($"nuspec <repository> has type '{(string?)repository.Attribute("type")}', expected 'git' (RepositoryType)");
        var commit = (string?)repository?.Attribute("commit");
        if (commit is not null && !CommitId().IsMatch(commit))
            problems.Add($"nuspec <repository commit='{commit}'> is not a 40-digit git commit (RepositoryCommit)");
        else if (commit is null && ciBuild)
            problems.Add("nuspec <repository> has no commit, though this is a CI build (RepositoryCommit: git or the CI's commit variable)");
    }

    /// <summary>
    /// The problems of one of our assemblies: no embedded portable PDB, no <c>Reproducible</c> debug directory entry
    /// (the compiler writes it for deterministic builds), and under <paramref name="ciBuild"/> source paths outside
    /// <see cref="MappedRoot"/>.
    /// </summary>
    public static IReadOnlyList<string> InspectAssembly(byte[] image, bool ciBuild)
    {
        var problems = new List<string>();
        using var pe = new PEReader(new MemoryStream(image));
        var debug = pe.ReadDebugDirectory();
        if (!debug.Any(d => d.Type == DebugDirectoryEntryType.Reproducible))
            problems.Add("not built deterministically (no Reproducible debug directory entry: Deterministic)");
        var embedded = debug.Where(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToArray();
        if (embedded.Length == 0)
        {
            problems.Add("no embedded portable PDB (DebugType embedded)");
            return problems;
        }
        if (!ciBuild)
            return problems;
        var unmapped = SourcePaths(pe, embedded[0]).Where(p => !IsMapped(p)).ToArray();
        if (unmapped.Length > 0)
            problems.Add($"{unmapped.Length} source paths not mapped to {MappedRoot}, e.g. '{unmapped[0]}' (ContinuousIntegrationBuild did not take effect)");
        return problems;
    }

    /// <summary>
    /// The paths the assembly's debug information records: every document of the embedded PDB, and the PDB's own
    /// path in the CodeView entry when it has a folder (for an embedded PDB the compiler writes the file name only).
    /// </summary>
    /// <exception cref="InvalidOperationException">The image has no embedded portable PDB.</exception>
    public static IReadOnlyList<string> SourcePaths(byte[] image)
    {
        using var pe = new PEReader(new MemoryStream(image));
        var embedded = pe.ReadDebugDirectory().Where(d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToArray();
        if (embedded.Length == 0)
            throw new InvalidOperationException("The image has no embedded portable PDB.");
        return SourcePaths(pe, embedded[0]);
    }

    private static List<string> SourcePaths(PEReader pe, DebugDirectoryEntry embedded)
    {
        using var provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        var pdb = provider.GetMetadataReader();
        var paths = pdb.Documents.Select(d => pdb.GetString(pdb.GetDocument(d).Name)).ToList();
        foreach (var codeView in pe.ReadDebugDirectory().Where(d => d.Type == DebugDirectoryEntryType.CodeView))
        {
            var path = pe.ReadCodeViewDebugDirectoryData(codeView).Path;
            if (path.Contains('/') || path.Contains('\\'))
                paths.Add(path);
        }
        return paths;
    }

    private static bool IsOurAssembly(ZipArchiveEntry entry) =>
        (entry.FullName.StartsWith("lib/", StringComparison.Ordinal) || entry.FullName.StartsWith("tools/", StringComparison.Ordinal))
        && entry.Name.StartsWith("LeakGuard", StringComparison.Ordinal)
        && entry.Name.EndsWith(".dll", StringComparison.Ordinal);

    [GeneratedRegex("^lib/[^/]+/[^/]+\\.dll$")]
    private static partial Regex LibraryAssembly();

    [GeneratedRegex("^/_[0-9]*/")]
    private static partial Regex MappedPath();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitId();
}
