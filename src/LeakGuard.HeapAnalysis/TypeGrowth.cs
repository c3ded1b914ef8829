using System.Text.Json.Serialization;

namespace LeakGuard;

/// <summary>Growth of one type from the first to the last heap snapshot, with the paths that keep its instances alive.</summary>
/// <param name="TypeName">Full type name as the runtime names it, e.g. <c>System.Collections.Generic.List&lt;System.Object&gt;</c>.</param>
/// <param name="CountBefore">Live instances in the first snapshot.</param>
/// <param name="CountAfter">Live instances in the last snapshot.</param>
/// <param name="BytesBefore">Bytes of those instances (shallow size: the objects themselves, not what they reference) in the first snapshot.</param>
/// <param name="BytesAfter">Bytes of those instances (shallow size) in the last snapshot.</param>
/// <param name="Iterations">Iterations from the first to the last snapshot.</param>
public readonly record struct TypeGrowth(string TypeName, long CountBefore, long CountAfter, long BytesBefore, long BytesAfter, int Iterations)
{
    /// <summary>Instances added per iteration (may be 0 when a single object grows in size, e.g. an array).</summary>
    public double InstancesPerIteration => (double)(CountAfter - CountBefore) / Math.Max(1, Iterations);

    /// <summary>Shallow bytes added per iteration.</summary>
    public double BytesPerIteration => (double)(BytesAfter - BytesBefore) / Math.Max(1, Iterations);

    /// <summary>
    /// The retention paths of this type's instances in the last snapshot: the shortest path from a GC root to each
    /// instance, instances grouped by the shape of their path (root and the types along it), most instances first
    /// (at most three groups). Empty when paths were not searched (see <see cref="PathsUnavailableReason"/>).
    /// </summary>
    public IReadOnlyList<RetentionPath> Paths { get; init; } = [];

    /// <summary>Why <see cref="Paths"/> is empty although the type grew (e.g. no instance is reachable from a root); null otherwise.</summary>
    public string? PathsUnavailableReason { get; init; }

    /// <summary>
    /// Set when instances of this type grew in size rather than in number — a single array or collection that keeps
    /// getting bigger: the retention path whose instances gained the most bytes without gaining instances, between the
    /// first and the last snapshot. <see cref="RetentionPath.Instances"/> tells how many objects share it (usually 1).
    /// </summary>
    public SizeGrowth? SizeGrowth { get; init; }
}

/// <summary>Objects that grew in size between snapshots at one retention path (an array, a collection's backing store).</summary>
/// <param name="BytesBefore">Shallow bytes, in total, of the objects at this retention path in the first snapshot (0 when there were none).</param>
/// <param name="BytesAfter">Shallow bytes, in total, of the objects at this retention path in the last snapshot.</param>
/// <param name="Path">The retention path in the last snapshot; <see cref="RetentionPath.Instances"/> objects share it.</param>
public sealed record SizeGrowth(long BytesBefore, long BytesAfter, RetentionPath Path);

/// <summary>
/// The shortest path from a GC root to an object, as a breadth-first search over a heap snapshot finds it, and how
/// many instances of the same type share its shape.
/// </summary>
/// <remarks>
/// Paths carry type names and field names only, never the contents of strings or buffers.
/// </remarks>
public sealed record RetentionPath
{
    /// <summary>What kind of root holds the path's first object.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<GcRootKind>))]
    public required GcRootKind RootKind { get; init; }

    /// <summary>
    /// The root as a developer names it: <c>static Contoso.PriceFeed.PriceChanged</c> for a static field,
    /// <c>strong GC handle</c>, <c>stack of thread 7 (Contoso.Worker.Run)</c>, <c>finalizer queue</c>.
    /// </summary>
    public required string Root { get; init; }

    /// <summary>Every reference from the root's object to the target, in order: the field (or array element) followed and the type reached. The first step is the root's object (empty edge).</summary>
    public required IReadOnlyList<RetentionStep> Steps { get; init; }

    /// <summary>Instances of the target type whose shortest path has this shape (same root, same types along the path), in the last snapshot.</summary>
    public required long Instances { get; init; }

    /// <summary>Instances whose path had this shape in the first snapshot; <see cref="Instances"/> minus this is what the path gained.</summary>
    public long InstancesBefore { get; init; }

    /// <summary>The shape key (root and the method tables along the path), comparable between snapshots of one process.</summary>
    internal string Shape { get; init; } = "";

    /// <summary>
    /// The path in one line, framework internals compressed and the user's types and fields kept, e.g.
    /// <c>static Contoso.PriceFeed.PriceChanged (EventHandler&lt;Quote&gt;) → invocation list → PriceSubscriber</c>.
    /// </summary>
    public required string Text { get; init; }
}

/// <summary>One reference on a retention path.</summary>
/// <param name="Edge">How the previous object refers to this one: a field name (<c>_items</c>), an array element (<c>[]</c>), a field of a struct array element (<c>[].value</c>), <c>dependent handle</c>; empty for the root's object.</param>
/// <param name="TypeName">Full type name of the object reached.</param>
public readonly record struct RetentionStep(string Edge, string TypeName);

/// <summary>The kind of GC root a retention path starts from.</summary>
public enum GcRootKind
{
    /// <summary>A static field, named <c>Namespace.Type.Field</c> (a static event's backing field has the event's name).</summary>
    StaticField,

    /// <summary>A static slot the analysis could not map back to its field (e.g. a static of a generic type instantiation).</summary>
    StaticSlot,

    /// <summary>A thread-static field.</summary>
    ThreadStatic,

    /// <summary>A strong GC handle (<c>GCHandle.Alloc(obj)</c>, or the runtime's own).</summary>
    StrongHandle,

    /// <summary>A pinned GC handle.</summary>
    PinnedHandle,

    /// <summary>An async-pinned handle (overlapped I/O buffers).</summary>
    AsyncPinnedHandle,

    /// <summary>A ref-counted handle (COM interop).</summary>
    RefCountedHandle,

    /// <summary>A sized-ref handle.</summary>
    SizedRefHandle,

    /// <summary>A local variable or temporary on a thread's stack.</summary>
    Stack,

    /// <summary>An object ready for finalization, kept alive until its finalizer runs.</summary>
    FinalizerQueue,

    /// <summary>Another kind of root the diagnostics reader reported.</summary>
    Other,
}
