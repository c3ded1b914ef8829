using System.Reflection;
using System.Text;

namespace LeakGuard.Tests.PublicApi;

/// <summary>
/// The public API of an assembly as text, for approved-text baselines: one line per public type and per public or
/// protected member, sorted, with full type names and <c>?</c> on nullable reference types.
/// </summary>
/// <remarks>
/// Shared by the public API tests of every project (linked into the adapter test projects with
/// <c>&lt;Compile Include="…" Link="…" /&gt;</c>), together with <c>Reporting/Approvals.cs</c>.
/// </remarks>
internal static class PublicApiText
{
    /// <summary>One line per public type and per public or protected member, sorted, with full type names.</summary>
    public static string Describe(Assembly assembly)
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

    // Compiler-generated members (a record's <Clone>$, an enum's value__) are not part of the API a user writes against;
    // constructors are (special names, like property accessors, but listed as ctor(…)).
    private static bool IsVisible(MemberInfo member) =>
        !member.Name.StartsWith('<')
        && member switch
        {
            MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && (method is ConstructorInfo || !method.IsSpecialName),
            FieldInfo field => (field.IsPublic || field.IsFamily) && !field.IsSpecialName,
            PropertyInfo or EventInfo => true,
            _ => false,
        };

    private static string? Member(MemberInfo member) =>
        member switch
        {
            ConstructorInfo ctor => $"ctor({Parameters(ctor)})",
            MethodInfo method => $"{(method.IsStatic ? "static " : "")}{Name(Nullability.Create(method.ReturnParameter))} {method.Name}({Parameters(method)})",
            PropertyInfo property =>
                $"{(property.GetMethod?.IsStatic == true ? "static " : "")}{Name(Nullability.Create(property))} {(property.GetIndexParameters().Length > 0 ? $"this[{string.Join(", ", property.GetIndexParameters().Select(p => Name(p.ParameterType)))}]" : property.Name)} {{ {Accessors(property)}}}",
            FieldInfo field => $"{(field.IsLiteral ? "const " : field.IsStatic ? "static " : "")}{Name(Nullability.Create(field))} {field.Name}",
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
