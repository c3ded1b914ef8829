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

    /// <summary>Reports a failure: the message on <see cref="Error"/>, and with <c>--json</c> an error document on <see cref="Out"/>.</summary>
    public ReturnCode Fail(string verb, string message)
    {
        Error.WriteLine($"leakguard {verb}: error: {message}");
        if (Json)
            WriteJson(new ErrorResult(verb, (int)ReturnCode.Error, message));
        return ReturnCode.Error;
    }
}

/// <summary>The JSON document of a failed verb.</summary>
/// <param name="Verb">The verb.</param>
/// <param name="ExitCode">2.</param>
/// <param name="Error">What went wrong.</param>
internal sealed record ErrorResult(string Verb, int ExitCode, string Error);
