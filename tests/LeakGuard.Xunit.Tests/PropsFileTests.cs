using System.Diagnostics;
using System.Reflection;
using LeakGuard.Xunit.TestData;

namespace LeakGuard.Xunit.Tests;

/// <summary>The package's buildTransitive props file installs the test framework unless the project opts out.</summary>
public sealed class PropsFileTests
{
    private static readonly string PropsFile = Path.Combine(AppContext.BaseDirectory, "buildTransitive", "LeakGuard.Xunit.props");

    [Fact]
    public void A_project_importing_the_props_file_declares_LeakGuardTestFramework()
    {
        var attribute = typeof(CorpusScenario).Assembly.GetCustomAttributesData().Single(a => a.AttributeType == typeof(TestFrameworkAttribute));

        attribute
            .ConstructorArguments.Select(a => a.Value)
            .ShouldBe([typeof(LeakGuardTestFramework).FullName, typeof(LeakGuardTestFramework).Assembly.GetName().Name]);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("<PropertyGroup><LeakGuardXunitTestFramework>true</LeakGuardXunitTestFramework></PropertyGroup>", true)]
    // Set after the import, as in a project file body after the package's props: still honoured (items are evaluated after properties).
    [InlineData("<PropertyGroup><LeakGuardXunitTestFramework>false</LeakGuardXunitTestFramework></PropertyGroup>", false)]
    public async Task The_MSBuild_property_LeakGuardXunitTestFramework_false_opts_out(string projectBody, bool expectAttribute)
    {
        var directory = Directory.CreateTempSubdirectory("leakguard-props-");
        try
        {
            var project = Path.Combine(directory.FullName, "probe.proj");
            await File.WriteAllTextAsync(project, $"<Project><Import Project=\"{PropsFile}\" />{projectBody}</Project>");

            var output = await EvaluateAsync(project, "-getItem:AssemblyAttribute");

            if (expectAttribute)
            {
                output.ShouldContain("\"Identity\": \"Xunit.TestFrameworkAttribute\"");
                output.ShouldContain("\"_Parameter1\": \"LeakGuard.Xunit.LeakGuardTestFramework\"");
                output.ShouldContain("\"_Parameter2\": \"LeakGuard.Xunit\"");
            }
            else
            {
                output.ShouldNotContain("Xunit.TestFrameworkAttribute");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> EvaluateAsync(string project, string query)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        using var process = Process.Start(
            new ProcessStartInfo(dotnet, ["msbuild", project, query, "-nologo"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(project)!,
            }
        )!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, output + error);
        return output;
    }
}
