using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using LeakGuard.Tool.Commands;
using Shouldly;
using Xunit;

namespace LeakGuard.Tool.Tests;

/// <summary>Every failure exits with 2, one line on standard error, and with --json an error document; durations out of range name the option and the range.</summary>
public sealed class FailureTests
{
    [Fact]
    public async Task An_exception_no_verb_expected_exits_2_with_one_line_and_a_json_error_document()
    {
        // A verb of the real command tree that fails as a bug would: System.CommandLine's own handler would print a
        // stack trace and exit with 1, which means "growth over budget".
        var root = Program.BuildRootCommand();
        var broken = new Command("broken") { CommonOptions.JsonOption };
        broken.SetAction(
            async (_, cancellationToken) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("the heap walked away\nand took the roots with it");
            }
        );
        root.Subcommands.Add(broken);
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await Program.InvokeAsync(["broken", "--json"], output, error, root: root);

        code.ShouldBe(2);
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines
            .ShouldHaveSingleItem()
            .ShouldStartWith("leakguard broken: error: unexpected InvalidOperationException: the heap walked away and took the roots with it");
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        json.GetProperty("verb").GetString().ShouldBe("broken");
        json.GetProperty("exitCode").GetInt32().ShouldBe(2);
        json.GetProperty("errorKind").GetString().ShouldBe("internal");
        json.GetProperty("error").GetString()!.ShouldContain("InvalidOperationException: the heap walked away");
    }

    [Fact]
    public async Task A_usage_error_with_json_prints_an_error_document()
    {
        var (code, output, _) = await Leakguard.RunAsync("watch", "1", "--duration", "10x", "--json");

        code.ShouldBe(2);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("verb").GetString().ShouldBe("watch");
        json.GetProperty("exitCode").GetInt32().ShouldBe(2);
        json.GetProperty("errorKind").GetString().ShouldBe("usage");
        json.GetProperty("error").GetString()!.ShouldContain("'10x' is not a duration");
    }

    [Fact]
    public async Task A_failure_with_json_has_its_kind()
    {
        var (code, output, error) = await Leakguard.RunAsync("watch", "2147483600", "--json");

        code.ShouldBe(2);
        error.Trim().ShouldBe("leakguard watch: error: no process with id 2147483600 is running.");
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("errorKind").GetString().ShouldBe("failure");
        json.GetProperty("error").GetString().ShouldBe("no process with id 2147483600 is running.");
    }

    [Theory]
    [InlineData("watch 1", "--duration", "99999999d", "from 1s to 30d")]
    [InlineData("watch 1", "--duration", "31d", "from 1s to 30d")]
    [InlineData("watch 1", "--interval", "60d", "from 100ms to 1h")]
    [InlineData("watch 1", "--interval", "10ms", "from 100ms to 1h")]
    [InlineData("watch 1", "--snapshot-delay", "2h", "from 1s to 1h")]
    [InlineData("run", "--warmup", "25d", "from 100ms to 1h")]
    [InlineData("run", "--startup-timeout", "100000000000000h", "from 1s to 1h")]
    [InlineData("diff a b", "--analysis-timeout", "2d", "from 1s to 24h")]
    [InlineData("analyze a", "--analysis-timeout", "500ms", "from 1s to 24h")]
    public async Task A_duration_out_of_range_names_the_option_the_value_and_the_range(string verb, string option, string value, string range)
    {
        string[] args = [.. verb.Split(' '), option, value, .. verb == "run" ? new[] { "--", "sleep", "30" } : []];

        var (code, _, error) = await Leakguard.RunAsync(args);

        code.ShouldBe(2, error);
        error.ShouldContain($"{option} {value} is out of range: it must be {range}.");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Analysis_over_its_time_limit_exits_2_and_says_so()
    {
        if (OperatingSystem.IsWindows())
            return;
        // A "dump" whose reading never ends, as on a hung network file system: a named pipe no one writes to.
        var fifo = Path.Combine(Path.GetTempPath(), $"leakguard-fifo-{Guid.NewGuid():N}.dmp");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            mkfifo.WaitForExit();
        try
        {
            var clock = Stopwatch.StartNew();
            var (code, output, error) = await Leakguard.RunAsync("analyze", fifo, "--analysis-timeout", "1s", "--json");

            code.ShouldBe(2);
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
            error
                .Trim()
                .ShouldBe(
                    $"leakguard analyze: error: the heap analysis of '{fifo}' did not finish within 1s (--analysis-timeout): give it more time (e.g. --analysis-timeout 30m), or skip thread stacks with --no-stack-roots."
                );
            JsonDocument.Parse(output).RootElement.GetProperty("errorKind").GetString().ShouldBe("timeout");
        }
        finally
        {
            // Let the read left behind on its thread finish: open the pipe for writing, then close it.
            // (Read and write: an open that never blocks, even when no read is waiting.)
            await using (new FileStream(fifo, FileMode.Open, FileAccess.ReadWrite)) { }
            File.Delete(fifo);
        }
    }
}
