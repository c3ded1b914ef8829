using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace LeakGuard.Xunit.V3.Tests.Pipeline;

/// <summary>
/// Runs the xUnit v3 test executable LeakGuard.Xunit.V3.TestData as a user would (<c>dotnet LeakGuard.Xunit.V3.TestData.dll</c>:
/// xUnit v3's in-process console runner, in its own process) and reads its results from the xUnit XML result file.
/// </summary>
internal static class V3Runner
{
    public const string TestDataNamespace = "LeakGuard.Xunit.V3.TestData";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>The test executable, built next to this project in the same configuration (see the project file).</summary>
    public static string TestDataAssembly { get; } =
        typeof(V3Runner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == TestDataNamespace).Value!;

    /// <summary>
    /// Runs the test executable with <paramref name="arguments"/> (filters, options) and reads the XML results.
    /// Theories are enumerated at discovery (<c>-preEnumerateTheories</c>), as under <c>dotnet test</c>.
    /// </summary>
    public static async Task<V3Run> RunAsync(params string[] arguments)
    {
        var resultsFile = Path.Combine(Path.GetTempPath(), $"leakguard-v3-{Guid.NewGuid():N}.xml");
        try
        {
            var clock = Stopwatch.StartNew();
            var (exitCode, console) = await ExecuteAsync([
                .. arguments,
                "-preEnumerateTheories",
                "-noLogo",
                "-noColor",
                "-reporter",
                "quiet",
                "-xml",
                resultsFile,
            ]);
            File.Exists(resultsFile).ShouldBeTrue($"the runner wrote no results (exit code {exitCode}):{Environment.NewLine}{console}");
            return Read(XDocument.Load(resultsFile), exitCode, console, clock.Elapsed);
        }
        finally
        {
            File.Delete(resultsFile);
        }
    }

    /// <summary>
    /// Discovers test cases as runners do before running a selection (<c>-automated -list discovery</c>): the runner prints
    /// one JSON message per test case, with the test case's serialization.
    /// </summary>
    public static async Task<IReadOnlyList<DiscoveredTestCase>> DiscoverAsync(params string[] filters)
    {
        var (exitCode, console) = await ExecuteAsync([.. filters, "-automated", "-list", "discovery", "-preEnumerateTheories"]);
        exitCode.ShouldBe(0, console);
        var discovered = new List<DiscoveredTestCase>();
        foreach (var line in console.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')))
        {
            using var message = JsonDocument.Parse(line);
            var root = message.RootElement;
            if (root.GetProperty("$type").GetString() != "test-case-discovered")
                continue;
            discovered.Add(
                new DiscoveredTestCase(
                    root.GetProperty("TestCaseDisplayName").GetString()!,
                    root.GetProperty("TestMethodName").GetString()!,
                    root.GetProperty("Serialization").GetString()!
                )
            );
        }
        return discovered;
    }

    private static async Task<(int ExitCode, string Console)> ExecuteAsync(string[] arguments)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(TestDataAssembly)!,
        };
        startInfo.ArgumentList.Add(TestDataAssembly);
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        var output = new StringBuilder();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The xUnit v3 run did not finish within {RunTimeout}: {string.Join(' ', arguments)}");
        }
        output.Append(await standardOutput).Append(await standardError);
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The dotnet host that runs this test process (the SDK's, under <c>dotnet test</c>).</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : "dotnet";

    private static V3Run Read(XDocument document, int exitCode, string console, TimeSpan elapsed)
    {
        var assembly =
            document.Root!.Element("assembly") ?? throw new InvalidOperationException($"No assembly element in the results:{Environment.NewLine}{console}");
        var results = new List<TestResult>();
        foreach (var collection in assembly.Elements("collection"))
        {
            foreach (var test in collection.Elements("test"))
                results.Add(ReadTest(test, collection.Attribute("name")!.Value));
        }

        var totals = new[] { "total", "passed", "failed", "skipped", "errors", "not-run" }.ToDictionary(
            name => name,
            name => int.Parse(assembly.Attribute(name)?.Value ?? "0", CultureInfo.InvariantCulture)
        );
        var errors = assembly
            .Element("errors")
            ?.Elements("error")
            .Select(e => $"{e.Attribute("type")?.Value} {e.Attribute("name")?.Value}: {e.Element("failure")?.Element("message")?.Value}")
            .ToList();
        return new V3Run
        {
            Results = results,
            Totals = totals,
            Errors = errors ?? [],
            ExitCode = exitCode,
            Console = console,
            Elapsed = elapsed,
        };
    }

    private static TestResult ReadTest(XElement test, string collectionName)
    {
        var outcome = test.Attribute("result")!.Value switch
        {
            "Pass" => Outcome.Passed,
            "Fail" => Outcome.Failed,
            "Skip" => Outcome.Skipped,
            "NotRun" => Outcome.NotRun,
            var other => throw new InvalidOperationException($"Unknown result '{other}' of {test.Attribute("name")?.Value}."),
        };
        var failure = test.Element("failure");
        var exceptionType = failure?.Attribute("exception-type")?.Value;
        var message = outcome switch
        {
            Outcome.Failed => WithoutTypePrefix(failure?.Element("message")?.Value, exceptionType),
            Outcome.Skipped => test.Element("reason")?.Value,
            _ => null,
        };
        return new TestResult(
            test.Attribute("name")!.Value,
            test.Attribute("type")!.Value,
            test.Attribute("method")!.Value,
            collectionName,
            outcome,
            exceptionType,
            message,
            test.Element("output")?.Value ?? "",
            DateTimeOffset.Parse(test.Attribute("start-rtf")!.Value, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(test.Attribute("finish-rtf")!.Value, CultureInfo.InvariantCulture)
        );
    }

    /// <summary>The XML message reads "Namespace.ExceptionType : message"; the message alone is what the exception said.</summary>
    private static string? WithoutTypePrefix(string? message, string? exceptionType) =>
        message is not null && exceptionType is not null && message.StartsWith(exceptionType + " : ", StringComparison.Ordinal)
            ? message[(exceptionType.Length + 3)..]
            : message;
}

/// <summary>A test case as discovery reported it.</summary>
/// <param name="DisplayName">The test case's display name.</param>
/// <param name="MethodName">The test method's name.</param>
/// <param name="Serialization">The serialized test case, as runners pass it back with <c>-run</c>.</param>
internal sealed record DiscoveredTestCase(string DisplayName, string MethodName, string Serialization)
{
    /// <summary>
    /// The test case's type, e.g. <c>LeakGuard.Xunit.Sdk.LeakTestCase,LeakGuard.Xunit.V3</c>: xUnit v3 serializes an
    /// <c>IXunitSerializable</c> as <c>&lt;kind&gt;:&lt;base64 type name&gt;:&lt;base64 data&gt;</c>.
    /// </summary>
    public string TypeName => Encoding.UTF8.GetString(Convert.FromBase64String(Serialization.Split(':')[1]));
}
