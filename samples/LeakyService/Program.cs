using System.Diagnostics;
using LeakyService;

// A small worker with switchable leaks, the target of `leakguard watch` in the README and the tool's tests:
//
//   dotnet run --project samples/LeakyService -- --leak managed|native|none [--rate-kb 256] [--duration 60s]
//
// Every 100 ms it handles a "request": it allocates short-lived garbage like a real service (so the GC runs), and
//   --leak managed   keeps every request's RequestContext (with its 1 KiB buffer) in a static list: SessionCache.Sessions;
//   --leak native    keeps a block of unmanaged memory (Marshal.AllocHGlobal, written to so it is resident) per request;
//   --leak none      keeps nothing.
// --rate-kb sets how many KiB a second leak (default 256); --garbage-kb how many KiB of garbage each request makes
// (default 1024: a GC every second or so, as in a busy service). It prints its process id first, and a line whenever it was
// paused for more than 50 ms (a heap snapshot suspends the process: this is how docs/performance.md measures it).

var leak = "none";
var rateKb = 256;
var garbageKb = 1024;
TimeSpan? duration = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--leak" when i + 1 < args.Length:
            leak = args[++i];
            break;
        case "--rate-kb" when i + 1 < args.Length:
            rateKb = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--garbage-kb" when i + 1 < args.Length:
            garbageKb = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--duration" when i + 1 < args.Length:
            duration = TimeSpan.FromSeconds(double.Parse(args[++i].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture));
            break;
        default:
            Console.Error.WriteLine("usage: LeakyService [--leak managed|native|none] [--rate-kb N] [--garbage-kb N] [--duration Ns]");
            return 2;
    }
}
if (leak is not ("managed" or "native" or "none"))
{
    Console.Error.WriteLine($"unknown leak '{leak}': managed, native or none");
    return 2;
}

Console.WriteLine($"LeakyService pid {Environment.ProcessId}, leak {leak}, {rateKb} KiB/s");
Console.Out.Flush();

var pauses = new Thread(PauseProbe.Run) { IsBackground = true, Name = "pause probe" };
pauses.Start();

const int RequestsPerSecond = 10;
var bytesPerRequest = rateKb * 1024 / RequestsPerSecond;
var clock = Stopwatch.StartNew();
var handled = 0L;
while (duration is null || clock.Elapsed < duration)
{
    Worker.Handle(leak, bytesPerRequest, garbageKb, handled++);
    Thread.Sleep(1000 / RequestsPerSecond);
}
return 0;
