using System.Diagnostics;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace LeakGuard.Tool.Tests;

/// <summary>Every bad input exits with 2 and says what is wrong, without a stack trace.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Watch_of_a_pid_that_does_not_exist()
    {
        var (code, _, error) = await Leakguard.RunAsync("watch", "2147483600", "--duration", "3s");
        code.ShouldBe(2);
        error.ShouldContain("no process with id 2147483600 is running");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Watch_of_a_process_that_is_not_dotnet()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            var (code, _, error) = await Leakguard.RunAsync("watch", sleep.Id.ToString(), "--duration", "3s");
            code.ShouldBe(2);
            error.ShouldContain($"process {sleep.Id} (sleep) is not a .NET process");
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Fact]
    public async Task Watch_without_pid_or_name() => (await Leakguard.RunAsync("watch")).Code.ShouldBe(2);

    [Fact]
    public async Task Watch_with_a_name_no_process_has()
    {
        var (code, _, error) = await Leakguard.RunAsync("watch", "--name", "no-such-process-leakguard");
        code.ShouldBe(2);
        error.ShouldContain("no .NET process named 'no-such-process-leakguard'");
    }

    [Theory]
    [InlineData("--duration", "10x", "is not a duration")]
    [InlineData("--duration", "-5s", "")]
    [InlineData("--interval", "soon", "is not a duration")]
    [InlineData("--max-managed-growth", "10MB", "is not a growth rate")]
    [InlineData("--max-native-growth", "10XB/h", "unknown unit")]
    [InlineData("--max-handle-growth", "10MB/h", "unknown unit")]
    public async Task Watch_with_bad_duration_or_rate_syntax(string option, string value, string message)
    {
        var (code, _, error) = await Leakguard.RunAsync("watch", "1", option, value);
        code.ShouldBe(2);
        error.ShouldContain(message);
    }

    [Fact]
    public async Task Watch_with_a_duration_too_short_for_three_samples()
    {
        var (code, _, error) = await Leakguard.RunAsync("watch", "1", "--duration", "2s", "--interval", "1s");
        code.ShouldBe(2);
        error.ShouldContain("fewer than 3 samples");
    }

    [Fact]
    public async Task Unknown_verb_or_option()
    {
        (await Leakguard.RunAsync("watchh", "1")).Code.ShouldBe(2);
        (await Leakguard.RunAsync("diff", "a", "b", "--frobnicate")).Code.ShouldBe(2);
    }

    [Fact]
    public async Task Diff_of_missing_files()
    {
        var (code, _, error) = await Leakguard.RunAsync("diff", "/nonexistent/before.dmp", "/nonexistent/after.dmp");
        code.ShouldBe(2);
        error.ShouldContain("no dump at '/nonexistent/before.dmp'");
    }

    [Fact]
    public async Task Diff_of_garbage_files_with_json()
    {
        var garbage = Garbage();
        var (code, output, error) = await Leakguard.RunAsync("diff", garbage, garbage, "--json");
        code.ShouldBe(2);
        error.ShouldContain("as a .NET heap dump");
        error.ShouldNotContain("   at ");
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("verb").GetString().ShouldBe("diff");
        json.GetProperty("exitCode").GetInt32().ShouldBe(2);
        json.GetProperty("error").GetString()!.ShouldContain("as a .NET heap dump");
    }

    [Fact]
    public async Task Analyze_of_a_garbage_file_a_missing_file_and_a_directory()
    {
        (await Leakguard.RunAsync("analyze", Garbage())).Code.ShouldBe(2);
        (await Leakguard.RunAsync("analyze", "/nonexistent/heap.dmp")).Code.ShouldBe(2);
        var (code, _, error) = await Leakguard.RunAsync("analyze", Path.GetTempPath());
        code.ShouldBe(2);
        error.ShouldContain("is a directory");
    }

    [Fact]
    public async Task Run_of_a_command_that_does_not_exist()
    {
        var (code, _, error) = await Leakguard.RunAsync("run", "--duration", "3s", "--", "/nonexistent/leakguard-command");
        code.ShouldBe(2);
        error.ShouldContain("cannot start '/nonexistent/leakguard-command'");
    }

    [Fact]
    public async Task Run_of_a_command_that_is_not_dotnet()
    {
        var (code, _, error) = await Leakguard.RunAsync("run", "--duration", "3s", "--startup-timeout", "1s", "--", "sleep", "30");
        code.ShouldBe(2);
        error.ShouldContain("opened no .NET diagnostics port");
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("run")]
    [InlineData("diff")]
    [InlineData("analyze")]
    public async Task Every_verb_has_help_and_json(string verb)
    {
        var (code, output, _) = await Leakguard.RunAsync(verb, "--help");
        code.ShouldBe(0);
        output.ShouldContain($"Usage:{Environment.NewLine}  leakguard {verb} ");
        output.ShouldContain("--json");
    }

    [Fact]
    public async Task Help_is_named_after_the_command_not_the_assembly()
    {
        var (code, output, _) = await Leakguard.RunAsync("--help");
        code.ShouldBe(0);
        output.ShouldContain($"Usage:{Environment.NewLine}  leakguard [command] [options]");
        output.ShouldNotContain("LeakGuard.Tool");
        output.ShouldContain("--version");
    }

    private static string Garbage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"leakguard-garbage-{Guid.NewGuid():N}.dmp");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        return path;
    }
}
