#if !NET9_0_OR_GREATER
namespace System.Runtime.CompilerServices;

/// <summary>Polyfill for .NET 8: the C# 13 compiler recognises this attribute by name.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class OverloadResolutionPriorityAttribute(int priority) : Attribute
{
    public int Priority { get; } = priority;
}
#endif
