using LeakGuard.TestTargets;
using Shouldly;
using Xunit;

namespace LeakGuard.Tests.Reporting;

/// <summary>
/// Example artifacts from real leak runs (a managed leak, a native leak, a cache that levels off) and charts of the
/// edge cases. Always rendered and validated; written to the folder named by <c>LEAKGUARD_SVG_SAMPLE_DIR</c> when it is
/// set, for <c>tests/svg-check/check-svg.sh</c> to open them in a real browser.
/// </summary>
public class ArtifactChartSamples
{
    public const string SampleDirectoryVariable = "LEAKGUARD_SVG_SAMPLE_DIR";

    [Fact]
    public void Artifact_charts_of_real_runs_and_edge_cases_render_and_validate()
    {
        var target = Environment.GetEnvironmentVariable(SampleDirectoryVariable);
        var keep = !string.IsNullOrWhiteSpace(target);
        var root = keep ? Path.GetFullPath(target!) : Path.Combine(Path.GetTempPath(), "leakguard-chart-samples-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new LeakOptions
            {
                Iterations = 30,
                MaxIterations = 210,
                Artifacts = ArtifactPolicy.Always,
                ArtifactsDirectory = root,
                // Snapshots take seconds; the summary shows a real heap summary only in the browser check.
                CaptureHeapSummary = keep,
            };
            var runs = new (string Name, Action Run, Action Reset)[]
            {
                ("Samples.ManagedLeak.StaticList", StaticListLeak.Run, StaticListLeak.Reset),
                ("Samples.NativeLeak.AllocHGlobal_1KiB", NativeBufferLeak.Run, NativeBufferLeak.Reset),
                ("Samples.Plateau.BoundedCacheStillFilling", BoundedCacheStillFilling.Run, BoundedCacheStillFilling.Reset),
            };
            foreach (var (name, run, reset) in runs)
            {
                LeakReport report;
                try
                {
                    report = LeakTest.Run(run, options with { TestName = name });
                }
                finally
                {
                    reset();
                }

                report.ArtifactsDirectory.ShouldNotBeNull(report.ArtifactsUnavailableReason);
                var charts = Directory.GetFiles(report.ArtifactsDirectory, "*.svg");
                charts.Length.ShouldBe(report.Metrics.Count(m => m.IsMeasured), report.ToString());
                foreach (var chart in charts)
                    SvgAssert.Valid(File.ReadAllText(chart));
            }

            var edges = Path.Combine(root, "Samples.EdgeCases");
            Directory.CreateDirectory(edges);
            foreach (var (name, metric) in ArtifactChartTests.EdgeCases())
            {
                var svg = LeakGuard.Reporting.SvgChart.Render(metric, "Samples.EdgeCases." + name)!;
                SvgAssert.Valid(svg);
                File.WriteAllText(Path.Combine(edges, name + ".svg"), svg);
            }
        }
        finally
        {
            if (!keep && Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }
}
