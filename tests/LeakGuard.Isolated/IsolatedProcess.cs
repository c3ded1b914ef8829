using System.Diagnostics;
using System.Text.Json;

namespace LeakGuard.Isolated;

/// <summary>
/// Starts this program for one exact whole-process measurement and returns the JSON object it printed. Its process runs
/// nothing but the measurement: no test runner's thread allocates, frees, opens a handle or starts a thread meanwhile,
/// and neither tiered compilation nor background GC runs a thread of its own (see the project file). A test can then
/// assert on the figures exactly, and a broken probe or engine still fails it.
/// </summary>
public static class IsolatedProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>dotnet LeakGuard.Isolated.dll <paramref name="arguments"/></c> and parses its output.</summary>
    /// <exception cref="InvalidOperationException">The program exited with a code other than 0 (its error output is the message).</exception>
    /// <exception cref="TimeoutException">The program ran for more than two minutes.</exception>
    public static JsonElement Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(IsolatedProcess).Assembly.Location);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var command = $"LeakGuard.Isolated {string.Join(' ', arguments)}";
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} ran for more than {Timeout.TotalMinutes} minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} exited {process.ExitCode}: {error.GetAwaiter().GetResult()}");
        using var json = JsonDocument.Parse(output.GetAwaiter().GetResult());
        return json.RootElement.Clone();
    }
}
