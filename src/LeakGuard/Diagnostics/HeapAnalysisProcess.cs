using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LeakGuard.HeapAnalysis;

namespace LeakGuard.Diagnostics;

/// <summary>
/// Runs the heap analysis (<see cref="HeapAnalyzer.Compare(IReadOnlyList{string}, HeapComparisonOptions?, CancellationToken)"/>) in a child process — <c>dotnet exec
/// LeakGuard.HeapAnalysis.dll</c> on the runtime this process runs on — so that a crash in the diagnostics reader
/// (reported on Linux with .NET 10 while reading stack roots) cannot take down the test host.
/// </summary>
/// <remarks>
/// A child that crashes (killed by a signal) is run once more without stack roots. A child that does not finish
/// within the time limit is killed with its process tree. Either way the caller gets a reason, never an exception.
/// </remarks>
internal static class HeapAnalysisProcess
{
    /// <summary>The comparison, or why there is none.</summary>
    internal readonly record struct Outcome(HeapComparison? Comparison, string? Error);

    /// <param name="snapshots">The dumps, in the order they were taken.</param>
    /// <param name="options">What to compare.</param>
    /// <param name="timeout">Time limit per child process.</param>
    /// <param name="cancellationToken">Kills the child and throws.</param>
    /// <param name="environment">Extra environment variables for the child (tests inject faults with it).</param>
    public static async Task<Outcome> CompareAsync(
        IReadOnlyList<string> snapshots,
        HeapComparisonOptions options,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var first = await RunAsync(snapshots, options, timeout, environment, cancellationToken).ConfigureAwait(false);
        if (first.Crashed && options.IncludeStackRoots)
        {
            var second = await RunAsync(snapshots, options with { IncludeStackRoots = false }, timeout, environment, cancellationToken).ConfigureAwait(false);
            if (second.Outcome.Comparison is { } comparison)
            {
                var note = $"stack roots were skipped: the first analysis crashed while reading the snapshots ({first.Outcome.Error})";
                return new(comparison with { PathsNote = note }, null);
            }
            return new(null, $"{first.Outcome.Error}; run again without stack roots: {second.Outcome.Error}");
        }
        return first.Outcome;
    }

    private static async Task<(Outcome Outcome, bool Crashed)> RunAsync(
        IReadOnlyList<string> snapshots,
        HeapComparisonOptions options,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken
    )
    {
        var assembly = typeof(HeapAnalyzer).Assembly.Location;
        if (string.IsNullOrEmpty(assembly) || !File.Exists(assembly))
            return (
                new(null, "the heap analysis executable (LeakGuard.HeapAnalysis.dll) was not found next to LeakGuard.dll (single-file apps are not supported)"),
                false
            );
        // The runtime configuration below is read by `dotnet exec` (which honours a startup hook named in it) and the
        // result file by this process: both live next to the dumps, in a folder no other user can write.
        var directory = Path.GetDirectoryName(Path.GetFullPath(snapshots[^1])) ?? PrivateDirectory.Default;
        if (!PrivateDirectory.TryEnsure(directory, out var notPrivate))
            return (new(null, $"the heap analysis was not started: {notPrivate}"), false);
        var output = Path.Combine(directory, $"leakguard-analysis-{Guid.NewGuid():N}.json");
        string runtimeConfig;
        try
        {
            runtimeConfig = WriteRuntimeConfig(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Out of disk space or inodes after the dumps, most likely: a reason, not an exception that loses the verdict.
            return (new(null, $"the heap analysis was not started: writing its runtime configuration to '{directory}' failed ({Describe(e)})"), false);
        }
        var start = new ProcessStartInfo(FindDotnetHost())
        {
            // Standard error only, read while the child runs by a dedicated thread that ends with it (a pipe holds
            // 64 KB: a child writing more would block until it is read). No reader tasks or thread-pool work in the
            // test host, whose leftovers (a thread retiring later, its caches freed) would show up in the next leak run.
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (
            var argument in new[]
            {
                "exec",
                "--runtimeconfig",
                runtimeConfig,
                assembly,
                "compare",
                "--output",
                output,
                "--iterations",
                options.Iterations.ToString(CultureInfo.InvariantCulture),
                "--top",
                options.TopTypes.ToString(CultureInfo.InvariantCulture),
                "--path-types",
                options.PathTypes.ToString(CultureInfo.InvariantCulture),
            }
        )
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var snapshot in snapshots)
        {
            start.ArgumentList.Add("--snapshot");
            start.ArgumentList.Add(snapshot);
        }
        if (options.ExpectedBytesPerIteration is { } expected)
        {
            start.ArgumentList.Add("--expected-bytes-per-iteration");
            start.ArgumentList.Add(expected.ToString("R", CultureInfo.InvariantCulture));
        }
        if (!options.IncludeStackRoots)
            start.ArgumentList.Add("--no-stack-roots");
        // The child must not inherit a profiler or startup hook meant for the test host.
        start.Environment.Remove("DOTNET_STARTUP_HOOKS");
        start.Environment.Remove("CORECLR_ENABLE_PROFILING");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return (new(null, $"the heap analysis process could not be started ({start.FileName}: {e.Message})"), false);
        }
        using (process)
        {
            var errors = new StandardErrorTail(process.StandardError);
            var deadline = Stopwatch.StartNew();
            while (!process.WaitForExit(100))
            {
                if (deadline.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
                    continue;
                Kill(process);
                errors.Finish();
                HeapSummarizer.TryDelete(output);
                cancellationToken.ThrowIfCancellationRequested();
                return (
                    new(
                        null,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"the heap analysis did not finish within {timeout.TotalSeconds:0.###} s and was stopped (LeakOptions.HeapAnalysisTimeout)"
                        )
                    ),
                    false
                );
            }
            var stderr = Tail(errors.Finish());
            try
            {
                if (process.ExitCode == 0 && File.Exists(output))
                {
                    var comparison = JsonSerializer.Deserialize<HeapComparison>(
                        await File.ReadAllTextAsync(output, cancellationToken).ConfigureAwait(false),
                        Program.Json
                    );
                    return comparison is null ? (new(null, "the heap analysis wrote an empty result"), false) : (new(comparison, null), false);
                }
            }
            catch (JsonException e)
            {
                return (new(null, $"the heap analysis result could not be read ({e.Message})"), false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (new(null, $"the heap analysis result could not be read from '{output}' ({Describe(e)})"), false);
            }
            finally
            {
                HeapSummarizer.TryDelete(output);
            }
            var crashed = IsCrash(process.ExitCode);
            var what = crashed
                ? $"the heap analysis process crashed (exit code {process.ExitCode})"
                : $"the heap analysis failed (exit code {process.ExitCode})";
            return (new(null, stderr.Length > 0 ? $"{what}: {stderr}" : what), crashed);
        }
    }

    /// <summary>Killed by a signal (128 + n on Unix, or the shell-less negative form) or an unhandled native fault on Windows (NTSTATUS).</summary>
    private static bool IsCrash(int exitCode) => exitCode is > 128 and < 160 || exitCode < 0;

    /// <summary>
    /// Reads a child's standard error on a dedicated thread while the child runs, keeping the last
    /// <see cref="Capacity"/> characters (the message is at the end; a child that floods the pipe is neither blocked
    /// nor kept in memory). <see cref="Finish"/> waits for the thread, so nothing outlives the call that started it.
    /// </summary>
    internal sealed class StandardErrorTail
    {
        /// <summary>Characters kept: the last 64 Ki.</summary>
        internal const int Capacity = 64 * 1024;

        private readonly StreamReader _reader;
        private readonly Thread _thread;
        private readonly char[] _ring = new char[Capacity];
        private long _written;

        public StandardErrorTail(StreamReader reader)
        {
            _reader = reader;
            _thread = new Thread(Read) { IsBackground = true, Name = "LeakGuard heap analysis stderr" };
            _thread.Start();
        }

        private void Read()
        {
            var buffer = new char[4096];
            try
            {
                int read;
                while ((read = _reader.Read(buffer, 0, buffer.Length)) > 0)
                {
                    for (var i = 0; i < read; i++)
                        _ring[(_written + i) % Capacity] = buffer[i];
                    _written += read;
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The pipe broke: what was read is what there is.
            }
        }

        /// <summary>
        /// Waits (up to 5 s) for the end of the stream, which comes when the child has exited or was killed, and returns
        /// the last <see cref="Capacity"/> characters; empty when the stream is still open then (something else holds
        /// the pipe: the thread is left to end with it).
        /// </summary>
        public string Finish()
        {
            if (!_thread.Join(TimeSpan.FromSeconds(5)))
                return "";
            if (_written <= Capacity)
                return new string(_ring, 0, (int)_written);
            var start = (int)(_written % Capacity);
            return string.Concat(_ring.AsSpan(start), _ring.AsSpan(0, start));
        }
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The last three lines, each cut at 200 characters: a long line before the message must not push it out.
        return string.Join(" ", lines.TakeLast(3).Select(line => line.Length > 200 ? line[..200] + "…" : line));
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { }
    }

    /// <summary>The <c>dotnet</c> host of the runtime this process runs on.</summary>
    internal static string FindDotnetHost()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        // .../dotnet/shared/Microsoft.NETCore.App/10.0.12/ → .../dotnet/dotnet
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var candidate = Path.Combine(root, executable);
        if (File.Exists(candidate))
            return candidate;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        return executable;
    }

    /// <summary>A runtime configuration naming exactly the runtime this process runs on, so the child needs nothing that is not installed.</summary>
    private static string WriteRuntimeConfig(string directory)
    {
        var version = Environment.Version.ToString(3);
        var tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var path = Path.Combine(directory, $"leakguard-heap-analysis-{version}.runtimeconfig.json");
        var content =
            "{\"runtimeOptions\":{\"tfm\":\""
            + tfm
            + "\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\""
            + version
            + "\"},\"rollForward\":\"LatestPatch\"}}";
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            // Written aside (mode 0600) and moved, so that a concurrent run never reads half a file.
            var temporary = $"{path}.{Guid.NewGuid():N}";
            try
            {
                WriteAside(temporary, content);
                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                // Gone after the move; left by a full disk or a failed move otherwise.
                HeapSummarizer.TryDelete(temporary);
            }
        }
        return path;
    }

    private static void WriteAside(string temporary, string content)
    {
        using (var stream = PrivateDirectory.CreateOwnerOnlyFile(temporary))
        {
            stream.Write(new UTF8Encoding(false).GetBytes(content));
        }
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Trim().TrimEnd('.')}";
}
