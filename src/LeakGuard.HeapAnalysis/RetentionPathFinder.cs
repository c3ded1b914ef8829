using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace LeakGuard.HeapAnalysis;

/// <summary>What to find paths to: every instance of some types.</summary>
internal sealed class PathTargets
{
    /// <summary>Method table → index of the target type; its instances are grouped by path shape.</summary>
    public Dictionary<ulong, int> MethodTables { get; } = [];

    /// <summary>Instances expected per target type (from the histogram of the same snapshot): the search stops early once all are reached.</summary>
    public List<long> ExpectedInstances { get; } = [];

    /// <summary>Adds a type target and returns its index.</summary>
    public int AddType(IEnumerable<ulong> methodTables, long instances)
    {
        var index = ExpectedInstances.Count;
        ExpectedInstances.Add(instances);
        foreach (var mt in methodTables)
            MethodTables.TryAdd(mt, index);
        return index;
    }
}

/// <summary>The paths found for one search.</summary>
internal sealed class PathSearchResult
{
    /// <summary>Per type target: the path shapes its instances were reached by (at most <see cref="RetentionPathFinder.MaxShapesPerType"/>), most instances first; <c>RetentionPathFinder.Build</c> makes a path of one.</summary>
    public required List<RetentionPathFinder.ShapeGroup>[] TypeShapes { get; init; }

    /// <summary>Per type target: instances reached from a root.</summary>
    public required long[] Reached { get; init; }

    /// <summary>Objects visited by the search.</summary>
    public long Visited { get; init; }

    /// <summary>Roots the search started from.</summary>
    public int Roots { get; init; }

    /// <summary>Why stack roots are missing, if they are.</summary>
    public string? StackRootsSkippedReason { get; init; }
}

/// <summary>
/// Shortest retention paths by a breadth-first search from every GC root over a heap snapshot (ClrMD's own
/// <c>GCRoot</c> searches depth-first and returns the first path it finds, not the shortest).
/// </summary>
/// <remarks>
/// <para>Roots, in the order they are seeded (so that among equally short paths the best-named root wins): static
/// fields (named <c>Namespace.Type.Field</c> by enumerating every module's types with statics — on .NET 9+ statics live
/// in a pinned <c>object[]</c> the GC sees only as a handle), strong/pinned/ref-counted/sized-ref GC handles, the
/// runtime's additional roots (static buckets not mapped to a field, thread statics), the finalizer queue, then thread
/// stacks (optional: reading stack roots is where the diagnostics reader has been seen to crash).</para>
/// <para>Memory: a visited bitmap of one bit per 8 bytes of GC heap segments, a queue of 20 bytes per visited object
/// that contains references (objects without references are checked and never queued), and per target type up to
/// <see cref="MaxShapesPerType"/> path shapes. The search stops as soon as every instance of every target type has
/// been reached.</para>
/// </remarks>
internal sealed class RetentionPathFinder
{
    /// <summary>Path groups kept per type in the result.</summary>
    public const int GroupsPerType = 3;

    /// <summary>Distinct path shapes counted per type; instances beyond are counted in the groups' total only.</summary>
    public const int MaxShapesPerType = 10_000;

    /// <summary>Called just before stack roots are read; fault injection for tests of the crash path (see <c>Program</c>).</summary>
    internal static Action? BeforeStackRoots { get; set; }

    private readonly ClrRuntime _runtime;
    private readonly ClrHeap _heap;
    private readonly VisitedSet _visited;
    private readonly List<Root> _roots = [];
    private readonly Dictionary<ulong, ClrType> _types = [];
    private readonly Dictionary<ulong, bool> _leafArrays = [];

    // The breadth-first queue, never shrunk: node i is an object, its parent node (or -1 - root index) and its method table.
    private ulong[] _address = new ulong[1024];
    private int[] _parent = new int[1024];
    private ulong[] _methodTable = new ulong[1024];
    private int _count;

    public RetentionPathFinder(ClrRuntime runtime)
    {
        _runtime = runtime;
        _heap = runtime.Heap;
        _visited = new VisitedSet(_heap);
    }

    private readonly record struct Root(GcRootKind Kind, string Name, ulong Address);

    private sealed class Shape
    {
        public long Count;
        public long Bytes;
        public required string Key;
        public int FirstParent;
        public ulong FirstAddress;
    }

    /// <summary>Instances reached by one path shape, their shallow bytes, and the first of them (the representative whose path is shown).</summary>
    internal readonly record struct ShapeGroup(string Key, long Count, long Bytes, int FirstParent, ulong FirstAddress);

    /// <summary>Runs the search.</summary>
    /// <param name="targets">What to find.</param>
    /// <param name="includeStackRoots">Seed thread stacks too.</param>
    /// <param name="cancellationToken">Stops the search between objects.</param>
    public PathSearchResult Find(PathTargets targets, bool includeStackRoots, CancellationToken cancellationToken)
    {
        var stackSkipped = SeedRoots(includeStackRoots);
        var typeCount = targets.ExpectedInstances.Count;
        var shapes = new Dictionary<string, Shape>[typeCount];
        for (var t = 0; t < typeCount; t++)
            shapes[t] = new Dictionary<string, Shape>(StringComparer.Ordinal);
        var reached = new long[typeCount];
        var complete = 0;
        for (var t = 0; t < typeCount; t++)
        {
            if (targets.ExpectedInstances[t] <= 0)
                complete++;
        }
        long visited = 0;

        // Seeds: every root object, depth 0.
        for (var r = 0; r < _roots.Count; r++)
        {
            var address = _roots[r].Address;
            if (!_visited.TryVisit(address))
                continue;
            Reach(-1 - r, address);
        }

        for (var head = 0; head < _count && complete < typeCount; head++)
        {
            if ((head & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            var type = _types[_methodTable[head]];
            // An array whose elements can only be of one class that holds no references and is not searched for (a
            // sealed leaf type) leads nowhere: its elements are never visited one by one.
            if (IsArrayOfLeaves(type, targets))
                continue;
            foreach (var child in _heap.GetObject(_address[head], type).EnumerateReferenceAddresses(carefully: false, considerDependantHandles: true))
            {
                if (child == 0 || !_visited.TryVisit(child))
                    continue;
                Reach(head, child);
                if (complete == typeCount)
                    break;
            }
        }

        var typeShapes = new List<ShapeGroup>[typeCount];
        for (var t = 0; t < typeCount; t++)
        {
            typeShapes[t] = shapes[t]
                .Values.OrderByDescending(s => s.Count)
                .ThenBy(s => Depth(s.FirstParent))
                .Select(s => new ShapeGroup(s.Key, s.Count, s.Bytes, s.FirstParent, s.FirstAddress))
                .ToList();
        }
        return new PathSearchResult
        {
            TypeShapes = typeShapes,
            Reached = reached,
            Visited = visited,
            Roots = _roots.Count,
            StackRootsSkippedReason = stackSkipped,
        };

        void Reach(int parent, ulong address)
        {
            visited++;
            var type = _heap.GetObjectType(address);
            if (type is null)
                return;
            var mt = type.MethodTable;
            _types.TryAdd(mt, type);
            if (targets.MethodTables.TryGetValue(mt, out var t) && reached[t] < targets.ExpectedInstances[t])
            {
                reached[t]++;
                if (reached[t] == targets.ExpectedInstances[t])
                    complete++;
                var key = ShapeKey(parent, mt);
                var size = (long)_heap.GetObject(address, type).Size;
                if (shapes[t].TryGetValue(key, out var shape))
                {
                    shape.Count++;
                    shape.Bytes += size;
                }
                else if (shapes[t].Count < MaxShapesPerType)
                {
                    shapes[t][key] = new Shape
                    {
                        Count = 1,
                        Bytes = size,
                        Key = key,
                        FirstParent = parent,
                        FirstAddress = address,
                    };
                }
            }
            if (type.ContainsPointers)
                Enqueue(address, parent, mt);
        }
    }

    private bool IsArrayOfLeaves(ClrType type, PathTargets targets)
    {
        if (!type.IsArray || type.ComponentType is not { } element || element.IsValueType)
            return false;
        if (_leafArrays.TryGetValue(type.MethodTable, out var known))
            return known;
        var leaf =
            (element.TypeAttributes & System.Reflection.TypeAttributes.Sealed) != 0
            && !element.ContainsPointers
            && !element.IsArray
            && !targets.MethodTables.ContainsKey(element.MethodTable)
            && element.MethodTable != 0;
        _leafArrays[type.MethodTable] = leaf;
        return leaf;
    }

    /// <summary>Root index and the chain of method tables (consecutive repeats collapsed): instances with equal keys share a path shape.</summary>
    private string ShapeKey(int parent, ulong targetMethodTable)
    {
        Span<ulong> chain = stackalloc ulong[64];
        var length = 0;
        chain[length++] = targetMethodTable;
        var node = parent;
        while (node >= 0)
        {
            var mt = _methodTable[node];
            if (length < chain.Length && chain[length - 1] != mt)
                chain[length++] = mt;
            node = _parent[node];
        }
        var root = -1 - node;
        return $"{_roots[root].Kind}|{_roots[root].Name}|{string.Join(',', chain[..length].ToArray())}";
    }

    private int Depth(int node)
    {
        var depth = 0;
        for (; node >= 0; node = _parent[node])
            depth++;
        return depth;
    }

    private void Enqueue(ulong address, int parent, ulong methodTable)
    {
        if (_count == _address.Length)
        {
            var size = _address.Length * 2;
            Array.Resize(ref _address, size);
            Array.Resize(ref _parent, size);
            Array.Resize(ref _methodTable, size);
        }
        _address[_count] = address;
        _parent[_count] = parent;
        _methodTable[_count] = methodTable;
        _count++;
    }

    /// <summary>The path of a group's representative instance.</summary>
    /// <summary>
    /// The arrays and strings held directly by static fields: root name → (root index, type name, shallow bytes). Lets a
    /// comparison find a static array that grew in size without relying on the path search.
    /// </summary>
    public Dictionary<string, (int Root, string TypeName, long Bytes)> StaticArrays()
    {
        var arrays = new Dictionary<string, (int, string, long)>(StringComparer.Ordinal);
        for (var r = 0; r < _roots.Count; r++)
        {
            if (_roots[r].Kind != GcRootKind.StaticField)
                continue;
            var obj = _heap.GetObject(_roots[r].Address);
            if (obj.Type is { } type && (type.IsArray || type.IsString))
                arrays.TryAdd(_roots[r].Name, (r, type.Name ?? "?", (long)obj.Size));
        }
        return arrays;
    }

    /// <summary>The path of a static root's own object (a path of one step).</summary>
    public RetentionPath BuildRoot(int root) => Build(-1 - root, _roots[root].Address, 1);

    public RetentionPath Build(ShapeGroup group) => Build(group.FirstParent, group.FirstAddress, group.Count) with { Shape = group.Key };

    /// <summary>The path from the root to <paramref name="address"/>, whose referrer is queue node <paramref name="parent"/> (or a root).</summary>
    private RetentionPath Build(int parent, ulong address, long instances)
    {
        var chain = new List<ulong> { address };
        var node = parent;
        while (node >= 0)
        {
            chain.Add(_address[node]);
            node = _parent[node];
        }
        chain.Reverse();
        var root = _roots[-1 - node];
        var steps = new List<PathFormatter.Hop>(chain.Count);
        for (var i = 0; i < chain.Count; i++)
        {
            var type = _heap.GetObjectType(chain[i]);
            var edge = i == 0 ? "" : EdgeLabel(chain[i - 1], chain[i]);
            steps.Add(
                new PathFormatter.Hop(
                    edge,
                    type?.Name ?? "<unknown type>",
                    type is not null && HeapHistogram.DerivesFrom(type, "System.MulticastDelegate"),
                    type?.IsArray == true
                )
            );
        }
        return new RetentionPath
        {
            RootKind = root.Kind,
            Root = root.Name,
            Steps = steps.Select(s => new RetentionStep(s.Edge, s.TypeName)).ToList(),
            Instances = instances,
            Text = PathFormatter.Format(root.Name, steps),
        };
    }

    /// <summary>The field or array element of <paramref name="parent"/> that refers to <paramref name="child"/>.</summary>
    private string EdgeLabel(ulong parent, ulong child)
    {
        var obj = _heap.GetObject(parent);
        foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: true))
        {
            if (reference.Object.Address != child)
                continue;
            if (reference.IsDependentHandle)
                return "dependent handle";
            var inner = reference.InnerField?.Field?.Name is { } innerName ? "." + TypeNames.Field(innerName) : "";
            if (reference.IsArrayElement)
                return "[]" + (inner.Length > 0 ? inner : StructElementField(obj, reference.Offset, child));
            if (reference.Field?.Name is { } name)
                return TypeNames.Field(name) + inner;
        }
        return "?";
    }

    /// <summary>For an array of structs (a dictionary's entries), ".field" naming the struct field that holds <paramref name="child"/>; empty otherwise.</summary>
    private string StructElementField(ClrObject array, int offset, ulong child)
    {
        if (array.Type?.ComponentType is not { IsValueType: true } element || array.Type.ComponentSize <= 0)
            return "";
        var first = array.Type.GetArrayElementAddress(array.Address, 0);
        if (first == 0)
            return "";
        // Where the reference sits: ClrMD's offset is taken from the object's start or from after its method table
        // pointer depending on the version; the slot that holds the child is the right one.
        var reader = _runtime.DataTarget.DataReader;
        foreach (var slot in new[] { array.Address + (ulong)offset, array.Address + (ulong)offset + (ulong)IntPtr.Size })
        {
            if (slot < first || !reader.ReadPointer(slot, out var value) || value != child)
                continue;
            var within = (int)((slot - first) % (ulong)array.Type.ComponentSize);
            foreach (var field in element.Fields)
            {
                if (field.IsObjectReference && field.Offset == within && field.Name is { } name)
                    return "." + TypeNames.Field(name);
            }
        }
        return "";
    }

    /// <summary>Seeds the roots in naming order; returns why stack roots were skipped, if they were.</summary>
    private string? SeedRoots(bool includeStackRoots)
    {
        // 1. Static fields, named through the module's types (on .NET 9+ their slots are inside a pinned object[]).
        var domains = _runtime.AppDomains.ToList();
        if (_runtime.SharedDomain is { } shared)
            domains.Add(shared);
        if (_runtime.SystemDomain is { } system)
            domains.Add(system);
        foreach (var module in _runtime.EnumerateModules())
        {
            IEnumerable<ClrType> types;
            try
            {
                types = module.EnumerateTypesWithStaticFields().ToList();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ClrDiagnosticsException)
            {
                continue;
            }
            foreach (var type in types)
            {
                foreach (var field in type.StaticFields)
                {
                    if (!field.IsObjectReference)
                        continue;
                    foreach (var domain in domains)
                    {
                        ClrObject value;
                        try
                        {
                            if (!field.IsInitialized(domain))
                                continue;
                            value = field.ReadObject(domain);
                        }
                        catch (Exception e) when (e is InvalidOperationException or IOException or ClrDiagnosticsException or ArgumentException)
                        {
                            continue;
                        }
                        if (value.IsNull || !value.IsValid)
                            continue;
                        _roots.Add(new Root(GcRootKind.StaticField, $"static {type.Name}.{TypeNames.Field(field.Name ?? "?")}", value.Address));
                        break;
                    }
                }
            }
        }

        // 2. GC handles that keep their target alive.
        foreach (var handle in _runtime.EnumerateHandles())
        {
            if (!handle.IsStrong || handle.Object.IsNull)
                continue;
            var (kind, name) = handle.HandleKind switch
            {
                ClrHandleKind.Pinned => (GcRootKind.PinnedHandle, "pinned GC handle"),
                ClrHandleKind.AsyncPinned => (GcRootKind.AsyncPinnedHandle, "async-pinned GC handle"),
                ClrHandleKind.RefCounted => (GcRootKind.RefCountedHandle, "ref-counted GC handle"),
                ClrHandleKind.SizedRef => (GcRootKind.SizedRefHandle, "sized-ref GC handle"),
                _ => (GcRootKind.StrongHandle, "strong GC handle"),
            };
            _roots.Add(new Root(kind, name, handle.Object.Address));
        }

        // 3. The runtime's additional roots: static buckets not reached above, thread statics.
        foreach (var root in _heap.EnumerateAdditionalRoots())
        {
            if (root.Object.IsNull)
                continue;
            var (kind, name) = root.RootKind switch
            {
                ClrRootKind.StaticVar => (GcRootKind.StaticSlot, "static (slot not mapped to a field)"),
                ClrRootKind.ThreadStaticVar => (GcRootKind.ThreadStatic, "thread-static"),
                var other => (GcRootKind.Other, other.ToString()),
            };
            _roots.Add(new Root(kind, name, root.Object.Address));
        }

        // 4. Objects waiting for their finalizer.
        foreach (var root in _heap.EnumerateFinalizerRoots())
        {
            if (!root.Object.IsNull)
                _roots.Add(new Root(GcRootKind.FinalizerQueue, "finalizer queue", root.Object.Address));
        }

        // 5. Thread stacks, last: the least stable names, and where the diagnostics reader has crashed.
        if (!includeStackRoots)
            return "stack roots were not read (a previous attempt crashed the diagnostics reader)";
        BeforeStackRoots?.Invoke();
        foreach (var thread in _runtime.Threads)
        {
            if (!thread.IsAlive)
                continue;
            var name = $"stack of managed thread {thread.ManagedThreadId}, OS thread {thread.OSThreadId}";
            foreach (var root in thread.EnumerateStackRoots())
            {
                if (!root.Object.IsNull && !root.IsInterior)
                    _roots.Add(new Root(GcRootKind.Stack, name, root.Object.Address));
            }
        }
        return null;
    }

    /// <summary>One bit per 8 bytes of every GC heap segment; addresses outside every segment go to a set.</summary>
    private sealed class VisitedSet
    {
        private readonly ulong[] _starts;
        private readonly ulong[] _ends;
        private readonly long[] _offsets;
        private readonly ulong[] _bits;
        private readonly HashSet<ulong> _outside = [];

        public VisitedSet(ClrHeap heap)
        {
            var segments = heap.Segments.Where(s => s.End > s.Start).OrderBy(s => s.Start).ToList();
            _starts = new ulong[segments.Count];
            _ends = new ulong[segments.Count];
            _offsets = new long[segments.Count];
            long bits = 0;
            for (var i = 0; i < segments.Count; i++)
            {
                _starts[i] = segments[i].Start;
                _ends[i] = segments[i].End;
                _offsets[i] = bits;
                bits += (long)((segments[i].End - segments[i].Start + 7) / 8);
            }
            _bits = new ulong[(bits + 63) / 64];
        }

        /// <summary>Marks <paramref name="address"/>; false when it was already marked.</summary>
        public bool TryVisit(ulong address)
        {
            var index = Array.BinarySearch(_starts, address);
            if (index < 0)
                index = ~index - 1;
            if (index < 0 || address >= _ends[index])
                return _outside.Add(address);
            var bit = _offsets[index] + (long)((address - _starts[index]) / 8);
            ref var word = ref _bits[bit >> 6];
            var mask = 1UL << (int)(bit & 63);
            if ((word & mask) != 0)
                return false;
            word |= mask;
            return true;
        }
    }
}
