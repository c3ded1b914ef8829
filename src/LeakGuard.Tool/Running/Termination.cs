using System.Runtime.InteropServices;

namespace LeakGuard.Tool.Running;

/// <summary>
/// leakguard's handling of SIGINT (Ctrl+C) and SIGTERM, instead of System.CommandLine's (which gives the verb 2 s and
/// then returns 130 or 143 while the verb still runs, so that <c>run</c>'s target was left running). The first signal
/// cancels <see cref="Token"/> and the verb ends as it documents (<c>watch</c> reports on the samples taken; <c>run</c>
/// stops its target and exits with <see cref="ExitCode"/>); a second one stops every started process
/// (<see cref="ChildProcesses.StopAll"/>) and lets the signal end leakguard.
/// </summary>
internal sealed class Termination : IDisposable
{
    private static readonly object Gate = new();
    private static PosixSignal? _signal;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;

    private Termination() =>
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>The signal that stopped leakguard; null when none did (a cancellation of the caller's token in tests).</summary>
    public static PosixSignal? Signal
    {
        get
        {
            lock (Gate)
                return _signal;
        }
    }

    /// <summary>The exit code of a verb stopped before its result: 143 for SIGTERM, otherwise 130 (SIGINT).</summary>
    public static ReturnCode ExitCode => Signal == PosixSignal.SIGTERM ? ReturnCode.Terminated : ReturnCode.Interrupted;

    /// <summary>The signal's name for messages.</summary>
    public static string SignalName =>
        Signal switch
        {
            PosixSignal.SIGTERM => "SIGTERM",
            PosixSignal.SIGINT => "SIGINT (Ctrl+C)",
            _ => "cancellation",
        };

    /// <summary>Starts handling SIGINT and SIGTERM (for the life of the tool: <see cref="Program"/>'s <c>Main</c>).</summary>
    public static Termination Register() => new();

    private void OnSignal(PosixSignalContext context)
    {
        lock (Gate)
        {
            if (_signal is not null)
            {
                // The second signal: the user insists. Stop the targets now; the signal's default action ends leakguard.
                ChildProcesses.StopAll();
                return;
            }
            _signal = context.Signal;
        }
        context.Cancel = true;
        _cancellation.Cancel();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _cancellation.Dispose();
    }
}
