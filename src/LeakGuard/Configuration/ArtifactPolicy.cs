namespace LeakGuard;

/// <summary>When a leak run writes its artifacts (report JSON, one SVG chart per metric, a Markdown summary) to disk.</summary>
/// <remarks>Where they go: <see cref="LeakOptions.ArtifactsDirectory"/>; what they are: <c>docs/artifacts.md</c>.</remarks>
public enum ArtifactPolicy
{
    /// <summary>Only runs that fail (a leak or an allocation budget exceeded: <see cref="LeakReport.Failed"/>) write artifacts. The default.</summary>
    OnFailure,

    /// <summary>Every run writes artifacts, passing or failing.</summary>
    Always,

    /// <summary>No run writes artifacts.</summary>
    Never,
}
