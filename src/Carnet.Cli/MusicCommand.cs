using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Tasks.Text;
using Carnet.Tasks.Text.Music;

namespace Carnet.Cli;

/// <summary><c>carnet music train|generate|evaluate</c>: character models of folk tunes in ABC notation, tunes written by them, checked and played.</summary>
internal static class MusicCommand
{
    private const int MaximumProblemLines = 3;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command(
            "music",
            "Folk tunes in ABC notation: train a character model on tunes, generate tunes with given meter, key and rhythm, check and play them.\n" +
            "Example: carnet music train --data tunes/ --out runs/tunes --time-limit 10\n" +
            "         carnet music generate --model runs/tunes/model.safetensors --meter 6/8 --key G --rhythm jig --count 3 --midi midi/");
        command.Subcommands.Add(Train(output, error));
        command.Subcommands.Add(Generate(output, error));
        command.Subcommands.Add(Evaluate(output, error));
        return command;
    }

    private static Command Train(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data")
        {
            Description = "An ABC file, or a folder of .abc files; a tune without R: takes the rhythm its file's name gives.",
            Required = true,
        };
        var outFolder = new Option<string?>("--out") { Description = "Output folder (default: runs/music-<data name>)." };
        var arguments = new CharacterTrainingArguments("Share of the tunes held out, whole and drawn with the seed, to measure bits per character.");
        var sampleTunes = CommandSupport.Option("--sample-tunes", "Tunes generated and checked after training (their valid share goes to metrics.json).", 20);
        var command = new Command("train", "Train a character model of tunes, reporting held-out bits per character beside a character bigram's.")
        {
            data, outFolder, sampleTunes,
        };
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(data)!;
            string name = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path));
            var folder = new OutputFolder(parse.GetValue(outFolder) ?? Path.Combine("runs", $"music-{name}"));
            var view = new TrainingView(output, parse.GetValue(arguments.Quiet));
            return CommandSupport.Guard("music", error, () =>
            {
                arguments.Join(parse, folder, view, path);
                var options = arguments.Read(parse, folder);
                int count = parse.GetValue(sampleTunes);
                if (count < 0)
                {
                    throw new ArgumentException($"--sample-tunes is {count}; it must be at least 0");
                }

                return arguments.WithThreads(parse, () => RunTraining(path, AbcBook.Read(path), options, count, folder, view));
            }, folder);
        });
        return command;
    }

    private static int RunTraining(string path, IReadOnlyList<AbcTune> tunes, TextTrainingOptions options, int sampleTunes, OutputFolder folder, TrainingView view)
    {
        MusicTrainer.Split(tunes, options.ValidationFraction, options.Seed); // too few tunes fail here, before anything is printed
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{path}: {tunes.Count} tunes ({tunes.Count(t => t.Rhythm is not null)} with a rhythm); {options.ValidationFraction:P0} held out. " +
            $"{options.Cell.ToString().ToUpperInvariant()} {options.HiddenSize} × {options.NumLayers}, embedding {options.EmbeddingSize}, " +
            $"{options.BatchSize} streams × {options.SequenceLength} steps per batch."));
        folder.Create();
        var display = new TextProgressDisplay(view);
        var outcome = MusicTrainer.Fit(tunes, options, display.Report);
        var verdicts = outcome.Model.Generate(new TuneRequest(), sampleTunes, options.Sampling, options.Seed);
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Model.Save),
            ("metrics.json", p => File.WriteAllText(p, MusicReport.Metrics(outcome, verdicts), new UTF8Encoding(false))),
            ("report.html", p => MusicReport.Page(path, outcome, verdicts, options.Sampling).Save(p)),
            ("heldout.abc", p => File.WriteAllText(p, Book(outcome.HeldOut), new UTF8Encoding(false))),
            ("generated.abc", p => File.WriteAllText(p, Book(verdicts.Select(v => v.Tune)), new UTF8Encoding(false))),
        ]);
        var text = outcome.Text;
        string best = text.BestEpoch is { } epoch
            ? string.Create(CultureInfo.InvariantCulture,
                $"best held-out {text.BestValidationBitsPerCharacter:F4} bits per character at epoch {epoch} of {text.Epochs.Count} " +
                    $"(character bigram: {outcome.BigramBitsPerCharacter:F4})")
            : $"{text.Epochs.Count} epoch(s), nothing held out";
        view.Line(best + (text.StoppedByTimeLimit ? " (stopped at the time limit)" : ""));
        if (verdicts.Count > 0)
        {
            view.Line($"{verdicts.Count(v => v.IsValid)} of {verdicts.Count} generated tunes pass the checker");
        }

        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static Command Generate(TextWriter output, TextWriter error)
    {
        var modelPath = new Option<string>("--model") { Description = "A model file written by carnet music train.", Required = true };
        var meter = new Option<string?>("--meter") { Description = "The meter every tune has (M:), such as 6/8; by default the model chooses." };
        var key = new Option<string?>("--key") { Description = "The key every tune has (K:), such as G or Ador; by default the model chooses." };
        var rhythm = new Option<string?>("--rhythm") { Description = "The rhythm every tune has (R:), such as jig or reel; by default the model chooses." };
        var count = CommandSupport.Option("--count", "Tunes to generate.", 1);
        var seed = CommandSupport.Option("--seed", "Seed of the draws: tune k is drawn with seed + k - 1.", 42UL);
        var temperature = CommandSupport.Option("--temperature", "Below 1: safer, more repetitive tunes; above 1: more surprising.", 0.8);
        var maximum = CommandSupport.Option("--max-length", "Most characters of a tune's body; a tune still going is cut there.", 2000);
        var midi = new Option<string?>("--midi") { Description = "A folder to write each tune to as a Standard MIDI File (tune-1.mid, …)." };
        var command = new Command("generate", "Write whole tunes, each checked: the tunes to standard output, the checker's verdicts to standard error.")
        {
            modelPath, meter, key, rhythm, count, seed, temperature, maximum, midi,
        };
        command.SetAction(parse => CommandSupport.Guard("music", error, () =>
        {
            int tunes = parse.GetValue(count), length = parse.GetValue(maximum);
            if (tunes < 1 || length < 1)
            {
                throw new ArgumentException($"--count ({tunes}) and --max-length ({length}) must be at least 1");
            }

            var model = MusicModel.Load(parse.GetValue(modelPath)!);
            var request = new TuneRequest { Meter = parse.GetValue(meter), Key = parse.GetValue(key), Rhythm = parse.GetValue(rhythm), MaximumLength = length };
            var sampling = new SamplingOptions { Temperature = parse.GetValue(temperature) };
            var verdicts = model.Generate(request, tunes, sampling, parse.GetValue(seed));
            string? folder = parse.GetValue(midi);
            foreach (var verdict in verdicts)
            {
                output.WriteLine(verdict.Tune.ToAbc());
                WriteVerdict(error, verdict);
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                    MidiFileWriter.Save(Path.Combine(folder, $"tune-{verdict.Tune.Number}.mid"), AbcPerformance.Notes(verdict.Tune), $"Carnet tune {verdict.Tune.Number}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static Command Evaluate(TextWriter output, TextWriter error)
    {
        var modelPath = new Option<string>("--model") { Description = "A model file written by carnet music train.", Required = true };
        var data = new Option<string>("--data") { Description = "An ABC file or a folder of .abc files, such as the heldout.abc training wrote.", Required = true };
        var outFolder = new Option<string?>("--out") { Description = "A folder to write metrics.json to (key bpc)." };
        var streams = CommandSupport.Option("--batch-size", "Parallel streams the tunes are cut into (as training's --batch-size, to measure as it did).", 32);
        var steps = CommandSupport.Option("--seq-length", "Characters read at a time, the state carried on (as training's --seq-length).", 64);
        var command = new Command("evaluate", "Bits per character of a model on tunes it did not train on (read as training measures its held-out tunes).")
        {
            modelPath, data, outFolder, streams, steps,
        };
        command.SetAction(parse => CommandSupport.Guard("music", error, () =>
        {
            var model = MusicModel.Load(parse.GetValue(modelPath)!);
            string path = parse.GetValue(data)!;
            var tunes = AbcBook.Read(path);
            int characters = model.Encode(tunes).Length, batch = parse.GetValue(streams), length = parse.GetValue(steps);
            if (batch < 1 || length < 1)
            {
                throw new ArgumentException($"--batch-size ({batch}) and --seq-length ({length}) must be at least 1");
            }

            double bits = model.BitsPerCharacter(tunes, batch, length);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: {tunes.Count} tunes, {characters:N0} characters: {bits:F4} bits per character"));
            if (parse.GetValue(outFolder) is { } folder)
            {
                Directory.CreateDirectory(folder);
                byte[] metrics = new UTF8Encoding(false).GetBytes(MusicReport.EvaluationMetrics(bits, tunes.Count, characters));
                AtomicFile.Write(Path.Combine(folder, "metrics.json"), stream => stream.Write(metrics));
            }

            return 0;
        }));
        return command;
    }

    private static void WriteVerdict(TextWriter error, AbcVerdict verdict)
    {
        if (verdict.IsValid)
        {
            error.WriteLine($"X:{verdict.Tune.Number}: well formed, {verdict.Bars} bars, {verdict.Notes} notes");
            return;
        }

        string[] lines = [.. verdict.Lines()];
        foreach (string line in lines.Take(MaximumProblemLines))
        {
            error.WriteLine(line);
        }

        if (lines.Length > MaximumProblemLines)
        {
            error.WriteLine($"X:{verdict.Tune.Number}: {lines.Length - MaximumProblemLines} more problem(s)");
        }
    }

    private static string Book(IEnumerable<AbcTune> tunes) => string.Join("\n", tunes.Select(t => t.ToAbc()));
}
