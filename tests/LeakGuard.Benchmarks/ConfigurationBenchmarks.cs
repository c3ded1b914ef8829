using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

[assembly: LeakGuard.LeakSettings(TopTypes = 7)]

namespace LeakGuard.Benchmarks;

/// <summary>
/// Benchmark C: the cost of resolving a leak test's settings (<see cref="LeakConfiguration"/>: the file, the assembly,
/// class and method attributes, the environment), which the adapters do once per test before the run — against the
/// cost of the run itself (benchmark A: a passing 50-iteration run). The file is parsed once and then cached until it
/// changes; each call still walks up the folders to find it and reads the attributes by reflection.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class ConfigurationBenchmarks
{
    public sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20));
    }

    private static readonly MethodInfo Method = typeof(Holder).GetMethod(nameof(Holder.Test))!;
    private string _folder = "";
    private string _deep = "";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("leakguard-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(_folder, ".config"));
        File.WriteAllText(
            Path.Combine(_folder, ".config", "leakguard.json"),
            """{ "iterations": 100, "maxNativeBytesPerIteration": 1024, "ignore": [ { "namespace": "Contoso.Caching" } ] }"""
        );
        _deep = Directory.CreateDirectory(Path.Combine(_folder, "tests", "Contoso.Tests", "bin", "Release", "net10.0")).FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Description = "Resolve: attributes only (no file found)")]
    public LeakSettings AttributesOnly() => LeakConfiguration.Resolve(Method, typeof(Holder), _ => null, Path.GetTempPath());

    [Benchmark(Baseline = true, Description = "Resolve: file 5 folders up (cached) + attributes")]
    public LeakSettings FileAndAttributes() => LeakConfiguration.Resolve(Method, typeof(Holder), _ => null, _deep);

    [LeakSettings(Iterations = 20)]
    [LeakIgnore("Contoso.Pricing.QuoteCache")]
    public abstract class Holder
    {
        [Attribute(Iterations = 30, MaxAllocatedBytesPerIteration = 4096)]
        public void Test() { }
    }

    /// <summary>A [NoLeak]-style attribute (the benchmarks do not reference an adapter).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class AttributeAttribute : System.Attribute, ILeakAttributeOptions
    {
        public int Iterations { get; set; } = 50;
        public int WarmupIterations { get; set; } = 5;
        public int MaxIterations { get; set; }
        public double MaxManagedBytesPerIteration { get; set; }
        public double MaxNativeBytesPerIteration { get; set; } = 512;
        public double MaxHandlesPerIteration { get; set; }
        public double MaxThreadsPerIteration { get; set; }
        public double ConfidenceLevel { get; set; } = 0.95;
        public bool CaptureHeapSummary { get; set; } = true;
        public int TopTypes { get; set; } = 10;
        public string? SnapshotDirectory { get; set; }
        public double MaxAllocatedBytesPerIteration { get; set; } = double.PositiveInfinity;
    }
}
