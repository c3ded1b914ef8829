using System.Reflection;
using System.Text;
using LeakGuard.HeapAnalysis;
using LeakGuard.Tests.Reporting;
using Xunit;

namespace LeakGuard.Tests.PublicApi;

/// <summary>
/// The public surface of the engine and the heap analysis, as approved text: any change to the public API (a member
/// added, removed, renamed or retyped) shows up as a diff of <c>PublicApiTests.*.approved.txt</c> to review.
/// Nullable reference types carry their <c>?</c>.
/// </summary>
public class PublicApiTests
{
    [Fact]
    public void LeakGuard_public_api() => Approvals.Verify(Describe(typeof(LeakTest).Assembly), nameof(PublicApiTests));

    [Fact]
    public void LeakGuard_HeapAnalysis_public_api() => Approvals.Verify(Describe(typeof(HeapAnalyzer).Assembly), nameof(PublicApiTests));

    /// <summary>One line per public type and per public or protected member, sorted, with full type names.</summary>
    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(Name(type));
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
                text.Append(" : ").Append(Name(baseType));
            text.AppendLine();
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(IsVisible)
                .Select(Member)
                .Where(line => line is not null)
                .Order(StringComparer.Ordinal);
            foreach (var member in members)
                text.Append("    ").AppendLine(member);
        }
        return text.ToString();
    }

    // Compiler-generated members (a record's <Clone>$, an enum's value__) are not part of the API a user writes against.
    private static bool IsVisible(MemberInfo member) =>
        !member.Name.StartsWith('<')
        && member switch
        {
            MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && !method.IsSpecialName,
            FieldInfo field => (field.IsPublic || field.IsFamily) && !field.IsSpecialName,
            PropertyInfo or EventInfo => true,
            _ => false,
        };

    private static string? Member(MemberInfo member) =>
        member switch
        {
            ConstructorInfo ctor => $"ctor({Parameters(ctor)})",
            MethodInfo method => $"{(method.IsStatic ? "static " : "")}{Name(method.ReturnType)} {method.Name}({Parameters(method)})",
            PropertyInfo property =>
                $"{(property.GetMethod?.IsStatic == true ? "static " : "")}{Name(property.PropertyType)} {(property.GetIndexParameters().Length > 0 ? $"this[{string.Join(", ", property.GetIndexParameters().Select(p => Name(p.ParameterType)))}]" : property.Name)} {{ {Accessors(property)}}}",
            FieldInfo field => $"{(field.IsLiteral ? "const " : field.IsStatic ? "static " : "")}{Name(field.FieldType)} {field.Name}",
            EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
            _ => null,
        };

    private static string Accessors(PropertyInfo property)
    {
        var accessors = new StringBuilder();
        if (property.GetMethod is { } get && (get.IsPublic || get.IsFamily))
            accessors.Append("get; ");
        if (property.SetMethod is { } set && (set.IsPublic || set.IsFamily))
        {
            var init = set.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");
            accessors.Append(init ? "init; " : "set; ");
        }
        return accessors.ToString();
    }

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(Nullability.Create(p))} {p.Name}{(p.HasDefaultValue ? " = …" : "")}"));

    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The type's name with <c>?</c> on every reference type that may be null (generic arguments and array elements included).</summary>
    private static string Name(NullabilityInfo info)
    {
        var type = info.Type;
        var mark = !type.IsValueType && info.ReadState == NullabilityState.Nullable ? "?" : "";
        if (type.IsByRef)
            return Name(type);
        if (type.IsArray && info.ElementType is { } element)
            return Name(element) + "[]" + mark;
        if (!type.IsGenericType || Nullable.GetUnderlyingType(type) is not null || info.GenericTypeArguments.Length == 0)
            return Name(type) + mark;
        var name =
            (
                type.IsNested ? Name(type.DeclaringType!) + "."
                : type.Namespace is { Length: > 0 } ns ? ns + "."
                : ""
            ) + type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var skip = type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0;
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", info.GenericTypeArguments.Skip(skip).Select(Name)) + ">" + mark;
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum"
        : type.IsInterface ? "interface"
        : type.IsValueType ? "struct"
        : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
        : type.IsAbstract && type.IsSealed ? "static class"
        : type.IsSealed ? "sealed class"
        : type.IsAbstract ? "abstract class"
        : "class";

    private static string Name(Type type)
    {
        if (type.IsByRef)
            return "ref " + Name(type.GetElementType()!);
        if (type.IsArray)
            return Name(type.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            return Name(underlying) + "?";
        if (type.IsGenericParameter)
            return type.Name;
        var name =
            (
                type.IsNested ? Name(type.DeclaringType!) + "."
                : type.Namespace is { Length: > 0 } ns ? ns + "."
                : ""
            ) + type.Name;
        if (!type.IsGenericType)
            return name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var arguments = type.GetGenericArguments().Skip(type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", arguments.Select(Name)) + ">";
    }
}
