using System.Diagnostics;
using LeakGuard.Tool;
using Xunit;

namespace LeakGuard.Tool.Tests;

/// <summary>A running samples/LeakyService process; killed on dispose.</summary>
internal sealed class LeakyProcess : IDisposable
{
    private readonly Process _process;

    private LeakyProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    /// <summary>The path of LeakyService.dll next to the tests.</summary>
    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "LeakyService.dll");

    /// <summary>Starts the sample with <paramref name="leak"/> (managed, native, none) and waits until it has run for <paramref name="settle"/>.</summary>
    public static async Task<LeakyProcess> StartAsync(string leak, int rateKb = 256, TimeSpan? settle = null, int garbageKb = 4096)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var argument in new[]
            {
                AssemblyPath,
                "--leak",
                leak,
                "--rate-kb",
                rateKb.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--garbage-kb",
                garbageKb.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }
        )
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (first is null || !first.StartsWith("LeakyService pid ", StringComparison.Ordinal))
            throw new InvalidOperationException($"LeakyService did not start: {first} {await process.StandardError.ReadToEndAsync()}");
        // Keep reading its output so that it never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await Task.Delay(settle ?? TimeSpan.FromSeconds(3));
        return new LeakyProcess(process);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

/// <summary>Runs the tool in-process, as `leakguard &lt;args&gt;` would.</summary>
internal static class Leakguard
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Program.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

/// <summary>The tests that watch live processes run one at a time: they measure CPU-sensitive growth.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveProcessCollection
{
    public const string Name = "live processes";
}
