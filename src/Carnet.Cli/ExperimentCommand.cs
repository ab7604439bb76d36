using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Carnet.Models;
using Carnet.Tasks.Experiments;

namespace Carnet.Cli;

/// <summary>
/// <c>carnet experiment</c>: the long-time-lag experiments of Hochreiter &amp; Schmidhuber (1997) and the copy task of
/// Arjovsky et al. (2016), trained on fresh sequences and tested on new ones.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var task = new Argument<string>("task") { Description = "adding, multiplication, temporal-order or copy." };
        task.AcceptOnlyFromAmong("adding", "multiplication", "temporal-order", "copy");
        var cell = CommandSupport.Choice("--cell", "The recurrent cell: lstm, gru or rnn.", "lstm", "lstm", "gru", "rnn");
        var seqLen = CommandSupport.Option("--seq-len", "T: the minimal sequence length (for copy, the gap to bridge).", 100);
        var classes = CommandSupport.Option("--classes", "Temporal order: 4 classes (two relevant symbols) or 8 (three).", 4);
        var seed = CommandSupport.Option("--seed", "Seed of the weights, training and test sequences.", 0UL);
        var hidden = CommandSupport.Option("--hidden-size", "Units of the recurrent layer.", 64);
        var batch = CommandSupport.Option("--batch-size", "Sequences per optimizer step.", 32);
        var rate = CommandSupport.Option("--learning-rate", "Adam's learning rate.", 1e-3);
        var forget = new Option<string>("--forget-bias")
        {
            Description = "LSTM: the forget gate's initial bias, or 'pytorch' for PyTorch's uniform initialisation. " +
                "The default, 5, starts the cell near the 1997 LSTM's constant error carousel.",
            DefaultValueFactory = _ => "5",
        };
        var input = new Option<string>("--input-bias")
        {
            Description = "LSTM: the input gate's initial bias, or 'pytorch'. The default, -5, starts the gate nearly closed, as the 1997 paper did against state drift.",
            DefaultValueFactory = _ => "-5",
        };
        var maxSequences = CommandSupport.Option("--max-sequences", "Stop training after this many sequences.", 10_000_000L);
        var minutes = CommandSupport.Option("--time-limit", "Stop training after this many minutes.", 10.0);
        var tests = CommandSupport.Option("--test-sequences", "New sequences to test on.", 2560);
        var threads = new Option<int?>("--threads") { Description = "Threads the kernels may use (default: all cores; results are identical for any number)." };
        var outFolder = new Option<string?>("--out")
        { Description = "Also write metrics.json, report.html (learning curve, gradient flow), model.safetensors and sample.csv here." };
        var json = CommandSupport.Option("--json", "End with one JSON object: wrong_fraction, test_error, sequences_seen, baseline, …", false);
        var quiet = CommandSupport.Option("--quiet", "Print only the result.", false);
        var command = new Command(
            "experiment",
            "Train on a long-time-lag task until it is learned (the 1997 paper's stopping rule) or a budget runs out, then test on new sequences.\n" +
            "Example: carnet experiment adding --cell lstm --seq-len 100 --json")
        {
            task, cell, seqLen, classes, seed, hidden, batch, rate, forget, input, maxSequences, minutes, tests, threads, outFolder, json, quiet,
        };
        command.SetAction(parse => CommandSupport.Guard("experiment", error, () =>
        {
            var options = new ExperimentOptions
            {
                Task = parse.GetValue(task) switch
                {
                    "multiplication" => MemoryTaskKind.Multiplication,
                    "temporal-order" => MemoryTaskKind.TemporalOrder,
                    "copy" => MemoryTaskKind.Copy,
                    _ => MemoryTaskKind.Adding,
                },
                Cell = CommandSupport.Cell(parse.GetValue(cell)!),
                SequenceLength = parse.GetValue(seqLen),
                Classes = parse.GetValue(classes),
                Seed = parse.GetValue(seed),
                HiddenSize = parse.GetValue(hidden),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(rate),
                ForgetGateBias = GateBias("--forget-bias", parse.GetValue(forget)!),
                InputGateBias = GateBias("--input-bias", parse.GetValue(input)!),
                MaximumSequences = parse.GetValue(maxSequences),
                TimeLimit = TimeSpan.FromMinutes(parse.GetValue(minutes)),
                TestSequences = parse.GetValue(tests),
            };
            Validate(options);
            using var threadScope = KernelSettings.Use(maximumThreads: CommandSupport.ThreadLimit(parse.GetValue(threads)));

            bool silent = parse.GetValue(quiet);
            var taskObject = options.CreateTask();
            if (!silent)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{taskObject.Name}, T = {options.SequenceLength}, {Name(options)}: training on fresh sequences until the last {taskObject.Stopping.Window} are learned, " +
                        $"or {options.MaximumSequences:N0} sequences, or {options.TimeLimit.TotalMinutes:0.#} min"));
            }

            var result = MemoryExperiment.Run(options, silent ? null : p => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {p.SequencesSeen,10:N0} sequences  recent wrong {100 * p.RecentWrongFraction,6:F2} %  recent error {p.RecentError:F5}  {p.Elapsed.TotalSeconds,6:F0} s")));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Describe(result.Stop)} after {result.SequencesSeen:N0} sequences in {result.Elapsed.TotalSeconds:F0} s; on {options.TestSequences} new sequences: " +
                $"{100 * result.WrongFraction:F2} % wrong, error {result.TestError:G4} " +
                    $"(best constant answer: {100 * result.BaselineWrongFraction:F1} % wrong, error {result.Baseline:G4})"));
            if (parse.GetValue(outFolder) is { } path)
            {
                var folder = new OutputFolder(path);
                var sample = taskObject.Generate(1, new RandomSource(options.Seed + 1));
                var written = folder.Commit(
                [
                    ("metrics.json", p => WriteText(p, Metrics(options, result))),
                    ("report.html", p => ExperimentReport.Create(options, result).Save(p)),
                    ("model.safetensors", p => ModelFile.Save(p, result.Model, Preprocessing(options, taskObject))),
                    ("sample.csv", p => WriteText(p, SampleCsv(sample))),
                ]);
                if (!silent)
                {
                    output.WriteLine($"written: {string.Join(", ", written)}");
                }
            }

            if (parse.GetValue(json))
            {
                output.WriteLine(Json(options, result));
            }

            return 0;
        }));
        return command;
    }

    /// <summary>"LSTM (64 units)".</summary>
    public static string Name(ExperimentOptions options) => $"{options.Cell.ToString().ToUpperInvariant()} ({options.HiddenSize} units)";

    private static double? GateBias(string option, string value)
    {
        if (value == "pytorch")
        {
            return null;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double bias) && double.IsFinite(bias)
            ? bias
            : throw new ArgumentException($"{option} is '{value}'; expected a number or 'pytorch'");
    }

    private static void Validate(ExperimentOptions options)
    {
        if (options.SequenceLength < 20)
        {
            throw new ArgumentException($"--seq-len is {options.SequenceLength}; the tasks need at least 20 steps");
        }

        if (options.Classes is not (4 or 8))
        {
            throw new ArgumentException($"--classes is {options.Classes}; temporal order has 4 or 8 classes");
        }

        if (options.HiddenSize < 1 || options.BatchSize < 1 || options.TestSequences < 1 || options.MaximumSequences < 1)
        {
            throw new ArgumentException("--hidden-size, --batch-size, --test-sequences and --max-sequences must be positive");
        }

        if (!(options.LearningRate > 0) || !(options.TimeLimit > TimeSpan.Zero))
        {
            throw new ArgumentException("--learning-rate and --time-limit must be positive");
        }
    }

    private static string Describe(ExperimentStop stop) => stop switch
    {
        ExperimentStop.Learned => "learned (stopping rule met)",
        ExperimentStop.TimeBudget => "stopped at the time limit",
        _ => "stopped at the sequence budget",
    };

    private static string Json(ExperimentOptions options, ExperimentResult result)
        => MetricsJson.Write(json => Summary(json, options, result), indented: false).TrimEnd('\n');

    private static string Metrics(ExperimentOptions options, ExperimentResult result) => MetricsJson.Write(json =>
    {
        Summary(json, options, result);
        json.WriteStartArray("curve");
        foreach (var point in result.Curve)
        {
            json.WriteStartObject();
            json.WriteNumber("sequences_seen", point.SequencesSeen);
            MetricsJson.Number(json, "recent_wrong_fraction", point.RecentWrongFraction);
            MetricsJson.Number(json, "recent_error", point.RecentError);
            json.WriteNumber("seconds", point.Elapsed.TotalSeconds);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Array(json, "gradient_flow_before", result.GradientFlowBefore);
        Array(json, "gradient_flow_after", result.GradientFlowAfter);
        json.WriteStartArray("gradient_flow_initial");
        foreach (var initial in result.GradientFlowByCell)
        {
            json.WriteStartObject();
            json.WriteString("label", initial.Label);
            Array(json, "norms", initial.Norms);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    private static void Summary(Utf8JsonWriter json, ExperimentOptions options, ExperimentResult result)
    {
        json.WriteString("task", result.Task);
        json.WriteString("cell", result.Cell.ToString().ToLowerInvariant());
        json.WriteNumber("seq_len", result.SequenceLength);
        if (options.Task == MemoryTaskKind.TemporalOrder)
        {
            json.WriteNumber("classes", options.Classes);
        }

        json.WriteNumber("hidden_size", options.HiddenSize);
        if (Layers.RecurrentCells.Of(options.Cell).SupportsGateBiases && options.ForgetGateBias is { } forget)
        {
            json.WriteNumber("forget_bias", forget);
        }

        if (Layers.RecurrentCells.Of(options.Cell).SupportsGateBiases && options.InputGateBias is { } inputBias)
        {
            json.WriteNumber("input_bias", inputBias);
        }

        json.WriteNumber("seed", options.Seed);
        MetricsJson.Number(json, "wrong_fraction", result.WrongFraction);
        MetricsJson.Number(json, "test_error", result.TestError);
        json.WriteNumber("sequences_seen", result.SequencesSeen);
        MetricsJson.Number(json, "baseline", result.Baseline);
        MetricsJson.Number(json, "baseline_wrong_fraction", result.BaselineWrongFraction);
        json.WriteNumber("test_sequences", options.TestSequences);
        json.WriteNumber("wall_seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
        json.WriteString("stopped", result.Stop switch
        {
            ExperimentStop.Learned => "learned",
            ExperimentStop.TimeBudget => "time_limit",
            _ => "max_sequences",
        });
    }

    private static void Array(Utf8JsonWriter json, string name, double[] values)
    {
        json.WriteStartArray(name);
        foreach (double v in values)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
    }

    private static Dictionary<string, string> Preprocessing(ExperimentOptions options, MemoryTask task) => new(StringComparer.Ordinal)
    {
        ["task"] = "experiment",
        ["experiment.task"] = task.Name,
        ["experiment.seq_len"] = options.SequenceLength.ToString(CultureInfo.InvariantCulture),
        ["experiment.seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>One generated sequence, one row per step, its features as columns (for <c>carnet explain</c>).</summary>
    private static string SampleCsv(TaskBatch sample)
    {
        var text = new StringBuilder();
        string[] header = sample.InputSize == 2 ? ["value", "marker"] : Enumerable.Range(0, sample.InputSize).Select(i => $"x{i}").ToArray();
        text.Append(string.Join(',', header)).Append('\n');
        for (int t = 0; t < sample.Lengths[0]; t++)
        {
            text.Append(string.Join(',', sample.Features.AsSpan(t * sample.InputSize, sample.InputSize).ToArray()
                .Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        }

        return text.ToString();
    }

    private static void WriteText(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(false));
}
