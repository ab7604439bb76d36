using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.Tasks.Text;

namespace Carnet.Cli;

/// <summary><c>carnet text train</c> and <c>carnet text generate</c>: a character-level language model of any UTF-8 text, and text written by it.</summary>
internal static class TextCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command(
            "text",
            "Character-level language models: train one on a UTF-8 text file, then generate text with it.\n" +
            "Example: carnet text train --data moby_dick.txt --out runs/moby --time-limit 12\n" +
            "         carnet text generate --model runs/moby/model.safetensors --prompt \"Call me \" --length 300");
        command.Subcommands.Add(Train(output, error));
        command.Subcommands.Add(Generate(output, error));
        return command;
    }

    private static Command Train(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "A UTF-8 text file; its characters are the vocabulary.", Required = true };
        var outFolder = new Option<string?>("--out") { Description = "Output folder (default: runs/text-<data file name>)." };
        var arguments = new CharacterTrainingArguments("Share of the text, at its end, held out to measure bits per character.");
        var command = new Command("train", "Train an embedding → LSTM/GRU → softmax model of the next character, reporting held-out bits per character.")
        {
            data, outFolder,
        };
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(data)!;
            var folder = new OutputFolder(parse.GetValue(outFolder) ?? Path.Combine("runs", $"text-{Path.GetFileNameWithoutExtension(path)}"));
            var view = new TrainingView(output, parse.GetValue(arguments.Quiet));
            return CommandSupport.Guard("text", error, () =>
            {
                arguments.Join(parse, folder, view, path);
                var options = arguments.Read(parse, folder);
                return arguments.WithThreads(parse, () => RunTraining(TextData.Read(path), options, folder, view));
            }, folder);
        });
        return command;
    }

    private static int RunTraining(TextData text, TextTrainingOptions options, OutputFolder folder, TrainingView view)
    {
        CharacterTrainer.Split(text, options); // a text too short for the batches fails here, before anything is printed
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{text.Source}: {text.Length:N0} characters, {text.Vocabulary.Count} distinct; the last {options.ValidationFraction:P0} held out. " +
            $"{options.Cell.ToString().ToUpperInvariant()} {options.HiddenSize} × {options.NumLayers}, embedding {options.EmbeddingSize}, " +
            $"{options.BatchSize} streams × {options.SequenceLength} steps per batch."));
        folder.Create();
        var display = new TextProgressDisplay(view);
        var outcome = CharacterTrainer.Fit(text, options, display.Report);
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Model.Save),
            ("metrics.json", p => File.WriteAllText(p, TextReport.Metrics(outcome), new UTF8Encoding(false))),
            ("report.html", p => TextReport.Page(text, outcome).Save(p)),
        ]);
        string best = outcome.BestEpoch is { } epoch
            ? string.Create(CultureInfo.InvariantCulture,
                $"best held-out {outcome.BestValidationBitsPerCharacter:F4} bits per character at epoch {epoch} of {outcome.Epochs.Count}")
            : $"{outcome.Epochs.Count} epoch(s), nothing held out";
        view.Line(best + (outcome.StoppedByTimeLimit ? " (stopped at the time limit)" : ""));
        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static Command Generate(TextWriter output, TextWriter error)
    {
        var modelPath = new Option<string>("--model") { Description = "A model file written by carnet text train.", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "Text the generated characters continue (default: a line break, if the model knows one)." };
        var length = CommandSupport.Option("--length", "Characters to generate.", 500);
        var temperature = CommandSupport.Option("--temperature", "Below 1: safer, more repetitive text; above 1: more surprising; 0: always the most likely character.", 1.0);
        var topK = CommandSupport.Option("--top-k", "Draw only from the K most likely characters (0: all).", 0);
        var topP = CommandSupport.Option("--top-p", "Draw only from the most likely characters that together reach this probability (1: all).", 1.0);
        var seed = CommandSupport.Option("--seed", "Seed of the draws: the same seed gives the same text.", 42UL);
        var command = new Command("generate", "Write text with a trained model, character by character as it is drawn.")
        {
            modelPath, prompt, length, temperature, topK, topP, seed,
        };
        command.SetAction(parse => CommandSupport.Guard("text", error, () =>
        {
            int count = parse.GetValue(length);
            if (count < 0)
            {
                throw new ArgumentException($"--length is {count}; it must be at least 0");
            }

            var model = CharacterModel.Load(parse.GetValue(modelPath)!);
            var sampling = new SamplingOptions { Temperature = parse.GetValue(temperature), TopK = parse.GetValue(topK), TopP = parse.GetValue(topP) };
            string start = parse.GetValue(prompt) ?? model.DefaultPrompt;
            var characters = model.Generate(start, count, sampling, parse.GetValue(seed)); // checks the prompt and the settings before anything is written
            output.Write(start);
            output.Flush();
            foreach (string character in characters)
            {
                output.Write(character);
                output.Flush(); // each character as soon as it is drawn
            }

            output.WriteLine();
            return 0;
        }));
        return command;
    }
}
