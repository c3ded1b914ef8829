using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using LeakGuard.Tool.Baselines;
using LeakGuard.Tool.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeakGuard.Tool.Commands;

/// <summary>
/// <c>leakguard baseline update</c>: rewrites a baseline file (<see cref="LeakBaseline"/>, docs/baselines.md) from the
/// report.json files of a test run; <c>leakguard baseline show</c>: prints one.
/// </summary>
internal static class BaselineCommandHandler
{
    private static readonly Option<string> ArtifactsOption = new("--artifacts", "-a")
    {
        Description = "The folder the test run wrote its artifacts to (LEAKGUARD_ARTIFACTS_DIRECTORY); every report.json under it, at any depth, is read.",
        Required = true,
    };

    private static readonly Option<string> BaselineOption = new("--baseline", "-b")
    {
        Description = $"The baseline file (created when missing by 'update'). Default: {LeakBaseline.DefaultFileName} in the current directory.",
        DefaultValueFactory = _ => LeakBaseline.DefaultFileName,
    };

    private static readonly Option<bool> RatchetOption = new("--ratchet")
    {
        Description =
            "Only lower recorded slopes or add new tests and metrics, never raise one. A rise whose lower bound is within the recorded slope's allowance is kept at the recorded slope; a rise over it is refused and the exit code is 1.",
    };

    private static readonly Option<bool> PruneOption = new("--prune")
    {
        Description = "Drop recorded tests that have no report.json under --artifacts (use with runs that write artifacts for every test).",
    };

    private static readonly Option<double> ToleranceOption = new("--tolerance")
    {
        Description = "With --ratchet: relative tolerance over a recorded slope, as the gate's (0 to 10). Default 0.25 (25 %).",
        DefaultValueFactory = _ => LeakBaseline.DefaultTolerance,
        Validators = { ValidateTolerance },
    };

    /// <summary>The <c>baseline</c> command and its verbs.</summary>
    public static Command BaselineCommand() =>
        new("baseline", "Baseline files for the CI gate: per test, the growth slopes per iteration recorded from a run (docs/baselines.md).")
        {
            UpdateCommand(),
            ShowCommand(),
        };

    private static Command UpdateCommand()
    {
        var command = new Command(
            "update",
            "Rewrite the baseline file from the report.json files of a test run: add new tests, record the measured slopes (with --ratchet only lower ones), drop tests without a report with --prune. Prints the changes."
        )
        {
            ArtifactsOption,
            BaselineOption,
            RatchetOption,
            PruneOption,
            ToleranceOption,
            CommonOptions.JsonOption,
        };
        command.SetAction(Update);
        return command;
    }

    private static Command ShowCommand()
    {
        var command = new Command("show", "Print the tests and slopes per iteration a baseline file records.") { BaselineOption, CommonOptions.JsonOption };
        command.SetAction(Show);
        return command;
    }

    private static int Update(ParseResult parse)
    {
        const string Verb = "baseline update";
        var output = Output(parse);
        var ratchet = parse.GetValue(RatchetOption);
        var prune = parse.GetValue(PruneOption);
        var tolerance = parse.GetValue(ToleranceOption);
        try
        {
            var artifacts = Path.GetFullPath(parse.GetValue(ArtifactsOption)!);
            var path = Path.GetFullPath(parse.GetValue(BaselineOption)!);
            var files = ArtifactReports.Find(artifacts);
            var reports = files.Select(ArtifactReports.Read).ToList();
            var skipped = new List<SkippedReport>();
            foreach (var report in reports)
            {
                foreach (var warning in report.Warnings)
                    output.Error.WriteLine($"leakguard {Verb}: warning: {warning}");
                if (report.TestName is null)
                {
                    var reason = "no testName (the run had no LeakOptions.TestName); skipped";
                    skipped.Add(new SkippedReport(report.File, reason));
                    output.Error.WriteLine($"leakguard {Verb}: warning: {report.File}: {reason}.");
                }
            }
            if (skipped.Count == reports.Count)
                throw new ToolException(
                    $"none of the {reports.Count} {LeakArtifacts.ReportFileName} files under '{artifacts}' names its test (testName); nothing to record."
                );

            var existed = File.Exists(path);
            var before = existed ? Load(path) : LeakBaseline.Empty;
            var update = BaselineUpdate.Apply(before, reports, ratchet, prune, tolerance);
            var text = update.Baseline.ToJson();
            var written = !existed || !string.Equals(File.ReadAllText(path).ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
            if (written)
                Save(update.Baseline, path);

            var counts = Enum.GetValues<BaselineChangeKind>().ToDictionary(k => k, k => update.Changes.Count(c => c.Change == k));
            var refused = counts[BaselineChangeKind.Refused];
            var code = refused > 0 ? ReturnCode.GrowthOverBudget : ReturnCode.Ok;
            var tests = reports.Where(r => r.TestName is not null).Select(r => r.TestName).Distinct(StringComparer.Ordinal).Count();
            var removed = update.Changes.Where(c => c.Change == BaselineChangeKind.Removed).Select(c => c.Test).Distinct(StringComparer.Ordinal).Count();
            var summary =
                $"{tests} {Plural(tests, "test")} in {reports.Count} {Plural(reports.Count, "report")}; slopes: "
                + string.Join(", ", counts.Where(c => c.Key != BaselineChangeKind.Removed).Select(c => $"{c.Value} {c.Key.ToString().ToLowerInvariant()}"))
                + $"; {removed} {Plural(removed, "test")} removed"
                + (written ? $"; wrote {path}." : "; the baseline file is unchanged.");
            if (output.Json)
            {
                output.WriteJson(
                    new BaselineUpdateDocument(
                        Verb,
                        (int)code,
                        path,
                        !existed,
                        artifacts,
                        reports.Count,
                        tests,
                        ratchet,
                        prune,
                        tolerance,
                        update.Changes,
                        skipped,
                        update.Notes,
                        written,
                        summary
                    )
                );
                return (int)code;
            }

            var w = output.Out;
            w.WriteLine(
                $"leakguard {Verb}: {reports.Count} {Plural(reports.Count, "report")} under {artifacts}; baseline {path}{(existed ? "" : " (new file)")}."
            );
            foreach (var note in update.Notes)
                w.WriteLine($"Note: {note}");
            if (update.Changes.Count == 0)
                w.WriteLine("No changes.");
            else
                Render(output, ChangeTable(update.Changes));
            foreach (var change in update.Changes.Where(c => c.Change == BaselineChangeKind.Refused))
                w.WriteLine(
                    $"Refused to raise {change.Test} {MetricName(change.Metric)}: measured {Format(change.Metric, change.New)} (lower bound {Format(change.Metric, change.LowerBound)}) is over the recorded {Format(change.Metric, change.Old)} plus its allowance ({Format(change.Metric, change.Allowed)})."
                );
            w.WriteLine($"Summary: {summary}");
            if (refused > 0)
                w.WriteLine(
                    $"Exit code 1: {refused} {Plural(refused, "slope")} over {(refused == 1 ? "its" : "their")} baseline; the baseline keeps the recorded {Plural(refused, "slope")}. Fix the leak, or accept it with 'leakguard baseline update' without --ratchet."
                );
            return (int)code;
        }
        catch (ToolException e)
        {
            return (int)output.Fail(Verb, e);
        }
    }

    private static int Show(ParseResult parse)
    {
        const string Verb = "baseline show";
        var output = Output(parse);
        try
        {
            var path = Path.GetFullPath(parse.GetValue(BaselineOption)!);
            if (!File.Exists(path))
                throw new ToolException($"no baseline file at '{path}'. Create one with 'leakguard baseline update --artifacts <folder>'.");
            var baseline = Load(path);
            if (output.Json)
            {
                var tests = baseline.Tests.ToDictionary(t => t.Key, t => t.Value.ToDictionary(m => LeakBaseline.MetricKey(m.Key), m => m.Value));
                output.WriteJson(new BaselineShowDocument(Verb, (int)ReturnCode.Ok, path, LeakBaseline.SchemaVersion, tests));
                return (int)ReturnCode.Ok;
            }
            output.Out.WriteLine($"Baseline {path}: {baseline.Tests.Count} {Plural(baseline.Tests.Count, "test")}, slopes per iteration (— not recorded).");
            if (baseline.Tests.Count > 0)
            {
                var table = new Table().AddColumn("test");
                foreach (var metric in Enum.GetValues<LeakMetric>())
                    table.AddColumn(new TableColumn(MetricName(LeakBaseline.MetricKey(metric))).RightAligned());
                foreach (var (test, slopes) in baseline.Tests)
                {
                    table.AddRow([
                        new Text(test),
                        .. Enum.GetValues<LeakMetric>().Select(m => new Text(slopes.TryGetValue(m, out var s) ? Format(LeakBaseline.MetricKey(m), s) : "—")),
                    ]);
                }
                Render(output, table);
            }
            return (int)ReturnCode.Ok;
        }
        catch (ToolException e)
        {
            return (int)output.Fail(Verb, e);
        }
    }

    private static CliOutput Output(ParseResult parse) =>
        new(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(CommonOptions.JsonOption));

    private static LeakBaseline Load(string path)
    {
        try
        {
            return LeakBaseline.Load(path);
        }
        catch (LeakConfigurationException e)
        {
            throw new ToolException(e.Message, e);
        }
    }

    private static void Save(LeakBaseline baseline, string path)
    {
        try
        {
            baseline.Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot write '{path}' ({e.Message.Trim()}).", e);
        }
    }

    private static Table ChangeTable(IReadOnlyList<BaselineChange> changes)
    {
        var table = new Table()
            .AddColumn("test")
            .AddColumn("metric")
            .AddColumn(new TableColumn("old").RightAligned())
            .AddColumn(new TableColumn("new").RightAligned())
            .AddColumn("change");
        foreach (var c in changes)
        {
            var change = c.Change switch
            {
                BaselineChangeKind.Added when c.Verdict == "leak" => "added (a leak: accepted until fixed)",
                BaselineChangeKind.Kept => $"kept: lower bound {Format(c.Metric, c.LowerBound)} within {Format(c.Metric, c.Allowed)}",
                BaselineChangeKind.Refused => $"REFUSED: lower bound {Format(c.Metric, c.LowerBound)} over {Format(c.Metric, c.Allowed)}",
                _ => c.Change.ToString().ToLowerInvariant(),
            };
            table.AddRow(
                new Text(c.Test),
                new Text(MetricName(c.Metric)),
                new Text(Format(c.Metric, c.Old)),
                new Text(Format(c.Metric, c.New)),
                new Text(change)
            );
        }
        return table;
    }

    /// <summary>Renders a table to the verb's output: through the terminal's console (colours, its width) when interactive, else as plain text wide enough for long test names.</summary>
    private static void Render(CliOutput output, Table table)
    {
        if (output.Interactive)
        {
            AnsiConsole.Write(table);
            return;
        }
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(output.Out),
            }
        );
        console.Profile.Width = 200;
        console.Write(table);
    }

    private static void ValidateTolerance(OptionResult result)
    {
        var tolerance = result.GetValueOrDefault<double>();
        if (!(tolerance >= 0 && tolerance <= LeakBaseline.MaxTolerance))
            result.AddError(
                $"--tolerance must be between 0 and {LeakBaseline.MaxTolerance.ToString(CultureInfo.InvariantCulture)}, but was {tolerance.ToString(CultureInfo.InvariantCulture)}."
            );
    }

    private static string MetricName(string? key) =>
        key switch
        {
            "managedHeap" => "managed heap",
            "nativeHeap" => "native memory",
            null => "",
            _ => key,
        };

    /// <summary>A slope per iteration with its unit: <c>84.2 B</c> for the heaps, <c>0.021</c> for handles and threads; <c>—</c> for none.</summary>
    private static string Format(string? metric, double? value) =>
        value is not { } v ? "—"
        : metric is "managedHeap" or "nativeHeap" ? $"{v.ToString("0.###", CultureInfo.InvariantCulture)} B"
        : v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";
}

/// <summary>A report.json that <c>baseline update</c> did not use.</summary>
/// <param name="File">Its full path.</param>
/// <param name="Reason">Why.</param>
internal sealed record SkippedReport(string File, string Reason);

/// <summary>The JSON document of <c>baseline update</c> (docs/cli.md).</summary>
/// <param name="Verb"><c>baseline update</c>.</param>
/// <param name="ExitCode">0, or 1 when <c>--ratchet</c> refused a slope over its baseline.</param>
/// <param name="Baseline">Full path of the baseline file.</param>
/// <param name="Created">Whether the file did not exist before.</param>
/// <param name="Artifacts">Full path of the artifacts folder.</param>
/// <param name="Reports">report.json files read.</param>
/// <param name="Tests">Distinct test names among them.</param>
/// <param name="Ratchet">Whether <c>--ratchet</c> was given.</param>
/// <param name="Prune">Whether <c>--prune</c> was given.</param>
/// <param name="Tolerance">The tolerance of the ratchet.</param>
/// <param name="Changes">Every change, by test and metric.</param>
/// <param name="Skipped">Reports not used (no test name).</param>
/// <param name="Notes">Remarks, e.g. several reports for one test.</param>
/// <param name="Written">Whether the file was written (false when its content did not change).</param>
/// <param name="Summary">The summary line.</param>
internal sealed record BaselineUpdateDocument(
    string Verb,
    int ExitCode,
    string Baseline,
    bool Created,
    string Artifacts,
    int Reports,
    int Tests,
    bool Ratchet,
    bool Prune,
    double Tolerance,
    IReadOnlyList<BaselineChange> Changes,
    IReadOnlyList<SkippedReport> Skipped,
    IReadOnlyList<string> Notes,
    bool Written,
    string Summary
);

/// <summary>The JSON document of <c>baseline show</c>.</summary>
/// <param name="Verb"><c>baseline show</c>.</param>
/// <param name="ExitCode">0.</param>
/// <param name="Baseline">Full path of the file.</param>
/// <param name="SchemaVersion">Its schema version (1).</param>
/// <param name="Tests">Per test, the recorded slopes per iteration by metric key.</param>
internal sealed record BaselineShowDocument(
    string Verb,
    int ExitCode,
    string Baseline,
    int SchemaVersion,
    IReadOnlyDictionary<string, Dictionary<string, double>> Tests
);
