using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace LeakGuard.Tool.Output;

/// <summary>
/// Where a verb writes: the report to <see cref="Out"/> (text, or one JSON document with <c>--json</c>), messages and
/// errors to <see cref="Error"/>, and — on a terminal, without <c>--json</c> — a live view through Spectre.Console.
/// </summary>
internal sealed class CliOutput
{
    /// <summary>JSON shape of every verb's result: camelCase, enums as strings, indented.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public CliOutput(TextWriter output, TextWriter error, bool json)
    {
        Out = output;
        Error = error;
        Json = json;
        Interactive = !json && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>The report.</summary>
    public TextWriter Out { get; }

    /// <summary>Messages and errors.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether the report is JSON.</summary>
    public bool Json { get; }

    /// <summary>Whether a live view can be drawn (a terminal, not JSON).</summary>
    public bool Interactive { get; }

    /// <summary>A progress line: on a terminal through the live view's caller; otherwise on the error stream, unless JSON.</summary>
    public void Progress(string message)
    {
        if (!Json)
            Error.WriteLine($"leakguard: {message}");
    }

    /// <summary>Writes <paramref name="result"/> as JSON to <see cref="Out"/>.</summary>
    public void WriteJson<T>(T result) => Out.WriteLine(JsonSerializer.Serialize(result, JsonOptions));

    /// <summary>
    /// Reports a failure: one line on <see cref="Error"/> (<c>leakguard &lt;verb&gt;: error: &lt;message&gt;</c>), and with
    /// <c>--json</c> an error document on <see cref="Out"/>.
    /// </summary>
    /// <param name="verb">The verb, e.g. <c>diff</c> or <c>baseline update</c>.</param>
    /// <param name="message">What went wrong; line breaks are folded into one line.</param>
    /// <param name="kind">What kind of failure it is.</param>
    /// <param name="code">The exit code: <see cref="ReturnCode.Error"/> unless stopped by a signal.</param>
    public ReturnCode Fail(string verb, string message, ErrorKind kind = ErrorKind.Failure, ReturnCode code = ReturnCode.Error)
    {
        message = OneLine(message);
        Error.WriteLine($"{(verb.Length == 0 ? Program.CommandName : $"{Program.CommandName} {verb}")}: error: {message}");
        if (Json)
            WriteJson(new ErrorResult(verb, (int)code, message, kind));
        return code;
    }

    /// <summary>Reports <paramref name="e"/> with <see cref="Fail(string, string, ErrorKind, ReturnCode)"/>: its message and kind when it is a <see cref="ToolException"/>, otherwise as <see cref="ErrorKind.Internal"/> naming its type.</summary>
    public ReturnCode Fail(string verb, Exception e) =>
        e is ToolException tool ? Fail(verb, tool.Message, tool.Kind) : Fail(verb, Describe(e), ErrorKind.Internal);

    /// <summary>An unexpected exception in one line: its type and message, and those of its innermost cause.</summary>
    internal static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            e = aggregate.InnerExceptions[0];
        var text = $"{e.GetType().Name}: {e.Message.Trim().TrimEnd('.')}";
        var root = e.GetBaseException();
        if (!ReferenceEquals(root, e))
            text += $" ({root.GetType().Name}: {root.Message.Trim().TrimEnd('.')})";
        return $"unexpected {text}. This is a bug in leakguard; please report it with the command line.";
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>The JSON document of a failed verb.</summary>
/// <param name="Verb">The verb.</param>
/// <param name="ExitCode">2 (130 or 143 when stopped by a signal).</param>
/// <param name="Error">What went wrong, one line.</param>
/// <param name="ErrorKind">What kind of failure it is.</param>
internal sealed record ErrorResult(string Verb, int ExitCode, string Error, ErrorKind ErrorKind);
