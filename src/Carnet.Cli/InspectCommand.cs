using System.CommandLine;
using System.Globalization;
using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Forecasting;
using Carnet.Tasks.Tagging;
using Carnet.Tasks.Text;
using Carnet.Tasks.Text.Music;
using Carnet.Tasks.Translation;

namespace Carnet.Cli;

/// <summary><c>carnet inspect</c>: a model file's configuration and tensors, and whether it is a complete, consistent Carnet model.</summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "A model file (.safetensors: sequence model, tagger or translation model) or an ONNX model (.onnx)." };
        var command = new Command(
            "inspect",
            "Print a model file's configuration and tensors (name, dtype, shape) and check that it is a complete, consistent Carnet model.\n" +
            "For an ONNX model: its opset, inputs, outputs and operators, and whether Carnet can run it and import it.\n" +
            "Exit code 0 when it is, 2 with one line saying what is wrong when it is not.\n" +
            "Example: carnet inspect runs/forecast-airpassengers/model.safetensors\n" +
            "Example: carnet inspect model.onnx")
        {
            file,
        };
        command.SetAction(parse => CommandSupport.Guard("inspect", error, () => Run(parse.GetValue(file)!, output)));
        return command;
    }

    private static int Run(string path, TextWriter output)
    {
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return OnnxInspection.Run(path, output);
        }

        var file = SafeTensorsFile.Read(path);
        var lines = new List<string> { $"{file.Source}" };
        lines.Add("metadata:");
        lines.AddRange(file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"  {p.Key} = {Shorten(p.Value)}"));
        lines.Add($"tensors ({file.Tensors.Count}):");
        lines.AddRange(file.Tensors.Select(t => $"  {t.Name,-28} {t.DType,-5} [{string.Join(", ", t.Shape)}]"));

        // the checks: the configuration builds a model whose parameters are exactly the tensors, and the task's settings fit it
        string kind = file.Metadata.GetValueOrDefault("format") switch
        {
            SequenceTagger.Format => Describe(SequenceTagger.Load(file)),
            Translator.Format => Describe(Translator.Load(file)),
            _ => DescribeSequenceModel(file),
        };
        long parameters = file.Tensors.Sum(t => t.Shape.Aggregate(1L, (product, size) => product * size));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"ok: a complete, consistent Carnet model: {kind}; {parameters:N0} parameters"));
        foreach (string line in lines)
        {
            output.WriteLine(line);
        }

        return 0;
    }

    private static string DescribeSequenceModel(SafeTensorsFile file)
    {
        var loaded = ModelFile.Load<float>(file);
        return loaded.Task switch
        {
            ForecastModel.Task => Describe(ForecastModel.FromLoaded(loaded, file.Source)),
            SequenceClassifier.Task => Describe(SequenceClassifier.FromLoaded(loaded, file.Source)),
            CharacterModel.Task => $"writes text over {CharacterModel.FromLoaded(loaded, file.Source).Vocabulary.Count} characters",
            MusicModel.Task => $"writes ABC tunes over {MusicModel.FromLoaded(loaded, file.Source).Characters.Vocabulary.Count} characters",
            _ => "a sequence model (no task settings)",
        };
    }

    private static string Describe(SequenceTagger tagger)
        => $"tags words with {tagger.Vocabulary.Tags.Count} tags ({Listed(tagger.Vocabulary.Tags)}) " +
            $"from {tagger.Vocabulary.Words.Count:N0} known words, {(tagger.Network.Options.Decoder == TagDecoder.Crf ? "CRF" : "softmax")} decoding";

    private static string Describe(Translator translator)
        => $"translates with vocabularies of {translator.Source.Vocabulary.Count:N0} source and {translator.Target.Vocabulary.Count:N0} target tokens, " +
            $"sentences up to {translator.MaximumSourceLength} tokens";

    private static string Describe(ForecastModel model)
        => $"forecasts {model.Horizon} steps of '{model.Target}' from {model.Window} past steps";

    private static string Describe(SequenceClassifier model)
        => $"classifies sequences into {model.Classes.Count} classes ({Listed(model.Classes)})";

    /// <summary>The first ten items, then "…" when there are more.</summary>
    private static string Listed(IReadOnlyList<string> items) => string.Join(", ", items.Take(10)) + (items.Count > 10 ? ", …" : "");

    private static string Shorten(string value) => value.Length <= 120 ? value : value[..117] + "…";
}
