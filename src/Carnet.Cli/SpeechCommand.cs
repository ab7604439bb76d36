using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Speech;

namespace Carnet.Cli;

/// <summary>
/// <c>carnet speech train</c>: a (bidirectional) recurrent network trained on WAV recordings, one label each or a
/// symbol sequence by CTC; <c>carnet speech evaluate</c> scores a model on labelled recordings;
/// <c>carnet speech transcribe</c> prints each recording's transcript.
/// </summary>
internal static class SpeechCommand
{
    public static Command Create(TextWriter output, TextWriter error) => new("speech", "Recognise spoken words and symbol sequences in WAV recordings.")
    {
        Train(output, error), Evaluate(output, error), Transcribe(output, error),
    };

    private static Command Train(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data")
        {
            Description = "A folder of .wav files labelled by the file name's first field and with the speaker in its second (7_jackson_32.wav), " +
                "or a CSV manifest with columns audio,text[,speaker] (paths relative to it).", Required = true,
        };
        var ctc = CommandSupport.Option("--ctc", "Train on symbol sequences with CTC (the text is a sequence of symbols) instead of one label per recording.", false);
        var tokens = CommandSupport.Choice("--tokens", "CTC symbols: chars (every character) or words (whitespace-separated words or digits).", "chars", "chars", "words");
        var testSpeakers = new Option<string?>("--test-speakers") { Description = "Comma-separated speakers held out for the test (default: a random tenth of the recordings)." };
        var features = CommandSupport.Choice("--features", "logmel (40 log-mel energies) or mfcc (13 MFCCs with deltas).", "logmel", "logmel", "mfcc");
        var stack = CommandSupport.Option("--frame-stack", "Feature frames stacked into one step (CTC: 3 lets the network leave the all-blank output sooner).", 1);
        var rate = CommandSupport.Option("--sample-rate", "Rate recordings are resampled to, in Hz.", 8000);
        var augment = CommandSupport.Choice("--augment", "SpecAugment masking of training recordings (two time and two frequency masks).", "yes", "yes", "no");
        var pooling = CommandSupport.Choice("--pooling", "Word models: how the steps become one label.", "mean", "mean", "max", "last", "attention");
        var bidirectional = CommandSupport.Choice("--bidirectional",
            "Read each recording both ways (no: forwards only, so the model can transcribe while audio arrives).", "yes", "yes", "no");
        var normalize = CommandSupport.Choice("--normalize",
            "Feature normalisation: over each recording (utterance), over the frames so far (running: what streaming needs), or none. " +
            "auto: utterance for bidirectional models, running otherwise.", "auto", "auto", "utterance", "running", "none");
        var minutes = new Option<double?>("--time-limit") { Description = "Stop after the first epoch that ends past this many minutes, keeping the best model." };
        var threads = new Option<int?>("--threads") { Description = "Threads the kernels may use (default: all cores; results are identical for any number)." };
        var training = new TrainingArguments("speech", "recordings", epochs: 40, batchSize: 32, learningRate: 0.002, patience: 8)
        {
            HiddenSize = CommandSupport.Option("--hidden-size", "Units per layer and direction.", 128),
            NumLayers = CommandSupport.Option("--num-layers", "Stacked bidirectional layers.", 2),
            Dropout = CommandSupport.Option("--dropout", "Dropout between stacked layers.", 0.2),
        };
        var command = new Command("train", "Train a speech model; report accuracy (words) or token error rate (CTC) on held-out recordings.\n" +
            "Example: carnet speech train --data data/fsdd --test-speakers theo --out runs/digits")
        {
            data, ctc, tokens, testSpeakers, features, stack, rate, augment, pooling, bidirectional, normalize, minutes, threads,
        };
        training.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(data)!;
            var folder = training.Folder(parse, path);
            var view = training.View(parse, output);
            return CommandSupport.Guard("speech", error, () =>
            {
                training.Join(parse, folder, view, path);
                using var threadScope = KernelSettings.Use(maximumThreads: CommandSupport.ThreadLimit(parse.GetValue(threads)));
                bool mfcc = parse.GetValue(features) == "mfcc", both = parse.GetValue(bidirectional) == "yes";
                var normalization = parse.GetValue(normalize) switch
                {
                    "auto" => both ? SpeechNormalization.Utterance : SpeechNormalization.Running,
                    var name => Enum.Parse<SpeechNormalization>(name!, ignoreCase: true),
                };
                var options = new SpeechTrainingOptions
                {
                    Kind = parse.GetValue(ctc) ? SpeechModelKind.Ctc : SpeechModelKind.Words,
                    Tokens = parse.GetValue(tokens) == "words" ? SpeechTokens.Words : SpeechTokens.Characters,
                    Features = new SpeechFeatureOptions { SampleRate = parse.GetValue(rate), Cepstra = mfcc ? 13 : 0, Deltas = mfcc, Normalization = normalization },
                    FrameStack = parse.GetValue(stack),
                    Cell = training.CellKind(parse),
                    HiddenSize = parse.GetValue(training.HiddenSize),
                    NumLayers = parse.GetValue(training.NumLayers),
                    Bidirectional = both,
                    Dropout = parse.GetValue(training.Dropout),
                    Pooling = Enum.Parse<Pooling>(parse.GetValue(pooling)!, ignoreCase: true),
                    Augment = parse.GetValue(augment) == "yes" ? new SpecAugmentOptions() : SpecAugmentOptions.None,
                    Epochs = parse.GetValue(training.Epochs),
                    BatchSize = parse.GetValue(training.BatchSize),
                    LearningRate = parse.GetValue(training.LearningRate),
                    Patience = parse.GetValue(training.Patience),
                    TestSpeakers = parse.GetValue(testSpeakers) is { } names ? [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : [],
                    Seed = parse.GetValue(training.Seed),
                    TimeLimit = parse.GetValue(minutes) is { } limit ? TimeSpan.FromMinutes(limit) : null,
                    CheckpointPath = folder.CheckpointPath,
                    Resume = parse.GetValue(training.Resume),
                    Distributed = folder.Communicator,
                };
                return Run(SpeechCorpus.Load(path), options, folder, view);
            }, folder);
        });
        return command;
    }

    private static int Run(SpeechCorpus corpus, SpeechTrainingOptions options, OutputFolder folder, TrainingView view)
    {
        int speakers = corpus.Utterances.Select(u => u.Speaker).Distinct().Count();
        view.Line($"{corpus.Source}: {corpus.Utterances.Count} recordings of {speakers} speaker(s)" +
            (options.TestSpeakers.Count > 0 ? $"; testing on {string.Join(", ", options.TestSpeakers)}." : "."));
        folder.Create();
        string title = $"{(options.Bidirectional ? "Bi" : "")}{options.Cell.ToString().ToUpperInvariant()} {options.NumLayers}×{options.HiddenSize}" +
            (options.Kind == SpeechModelKind.Ctc ? "-CTC" : "");
        var outcome = view.Run(title, progress => SpeechRecognizer.Fit(corpus, options, progress));
        var files = folder.Commit(
        [
            ("model.safetensors", outcome.Model.Save),
            ("metrics.json", p => File.WriteAllText(p, Metrics(outcome.Model, outcome.Scores, outcome.Report), new UTF8Encoding(false))),
            ("report.html", p => SpeechReport.Page(corpus, outcome).Save(p)),
        ]);
        view.Line(Summary(outcome.Model, outcome.Scores) + string.Create(CultureInfo.InvariantCulture,
            $" on {outcome.Scores.Count} held-out recordings; best epoch {outcome.Report.BestEpoch} of {outcome.Report.Epochs.Count}"));
        view.Line($"written: {string.Join(", ", files)}");
        return 0;
    }

    private static string Summary(SpeechModel model, SpeechScores scores) => model.Kind == SpeechModelKind.Words
        ? string.Create(CultureInfo.InvariantCulture, $"accuracy {scores.Accuracy:P2}")
        : string.Create(CultureInfo.InvariantCulture, $"token error rate {scores.TokenErrorRate:P2}, exact match {scores.Accuracy:P2}");

    private static string Metrics(SpeechModel model, SpeechScores scores, Training.TrainingReport? report) => MetricsJson.Write(json =>
    {
        json.WriteString("task", "speech");
        json.WriteString("kind", model.Kind == SpeechModelKind.Words ? "words" : "ctc");
        json.WriteNumber("recordings", scores.Count);
        if (model.Kind == SpeechModelKind.Words)
        {
            MetricsJson.Number(json, "accuracy", scores.Accuracy);
        }
        else
        {
            MetricsJson.Number(json, "token_error_rate", scores.TokenErrorRate);
            MetricsJson.Number(json, "exact_match", scores.Accuracy);
        }

        if (report is not null)
        {
            MetricsJson.Training(json, report);
        }
    });

    private static Command Evaluate(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors written by carnet speech train.", Required = true };
        var data = new Option<string>("--data") { Description = "A folder of labelled .wav files or a CSV manifest (audio,text).", Required = true };
        var folder = new Option<string?>("--out") { Description = "Write metrics.json into this folder." };
        var beam = CommandSupport.Option("--beam", "CTC: prefix beam-search width (1: greedy).", 1);
        var command = new Command("evaluate", "Score a speech model on labelled recordings: accuracy, or token error rate and exact match.\n" +
            "Example: carnet speech evaluate --model runs/digits/model.safetensors --data data/fsdd")
        {
            model, data, folder, beam,
        };
        command.SetAction(parse => CommandSupport.Guard("speech", error, () =>
        {
            var speech = SpeechModel.Load(parse.GetValue(model)!);
            var (scores, _) = SpeechRecognizer.Evaluate(speech, SpeechCorpus.Load(parse.GetValue(data)!), parse.GetValue(beam));
            output.WriteLine(Summary(speech, scores) + $" on {scores.Count} recordings");
            if (parse.GetValue(folder) is { } path)
            {
                var written = new OutputFolder(path).Commit([("metrics.json", p => File.WriteAllText(p, Metrics(speech, scores, null), new UTF8Encoding(false)))]);
                output.WriteLine($"written: {string.Join(", ", written)}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Transcribe(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors written by carnet speech train.", Required = true };
        var input = new Option<string>("--input") { Description = "A .wav file, or a folder of them.", Required = true };
        var beam = CommandSupport.Option("--beam", "CTC: prefix beam-search width (1: greedy).", 1);
        var command = new Command("transcribe", "Print each recording's transcript, one line per file: the file name, a tab, the transcript. " +
            "A unidirectional model reads each file as a stream, 100 ms at a time, as it would hear live audio.\n" +
            "Example: carnet speech transcribe --model runs/digits/model.safetensors --input recording.wav")
        {
            model, input, beam,
        };
        command.SetAction(parse => CommandSupport.Guard("speech", error, () =>
        {
            var speech = SpeechModel.Load(parse.GetValue(model)!);
            string path = parse.GetValue(input)!;
            string[] files = Directory.Exists(path) ? [.. Directory.GetFiles(path, "*.wav").Order(StringComparer.Ordinal)] : [path];
            var transcripts = SpeechStream.CanStream(speech) ? Stream(speech, files, parse.GetValue(beam))
                : speech.Transcribe([.. files.Select(file => speech.Inputs(WaveFile.Read(file), out _))], parse.GetValue(beam));
            for (int i = 0; i < files.Length; i++)
            {
                output.WriteLine($"{Path.GetFileName(files[i])}\t{transcripts[i]}");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Each file read through a <see cref="SpeechStream"/> in 100 ms pushes, as a live recording would arrive.</summary>
    private static string[] Stream(SpeechModel speech, string[] files, int beam)
    {
        var transcripts = new string[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            var audio = WaveFile.Read(files[i]);
            using var stream = new SpeechStream(speech, audio.SampleRate);
            int chunk = Math.Max(1, audio.SampleRate / 10);
            for (int start = 0; start < audio.Samples.Length; start += chunk)
            {
                stream.Push(audio.Samples.AsSpan(start, Math.Min(chunk, audio.Samples.Length - start)));
            }

            transcripts[i] = stream.Finish(beam);
        }

        return transcripts;
    }
}
