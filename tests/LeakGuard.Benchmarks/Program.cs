using BenchmarkDotNet.Running;

namespace LeakGuard.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project tests/LeakGuard.Benchmarks -- --filter '*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
