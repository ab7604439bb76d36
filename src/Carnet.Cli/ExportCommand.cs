using System.CommandLine;
using Carnet.IO;
using Carnet.Models;
using Carnet.Onnx;
using Carnet.Tasks.Tagging;

namespace Carnet.Cli;

/// <summary><c>carnet export</c>: a Carnet model file as an ONNX graph for ONNX Runtime, TensorRT or a browser.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A Carnet model file (.safetensors): a sequence model or a tagger.", Required = true };
        var format = new Option<string>("--format") { Description = "The format to write: onnx.", DefaultValueFactory = _ => "onnx" };
        var result = new Option<string>("--out") { Description = "Where to write the graph (.onnx).", Required = true };
        var lengths = new Option<string>("--lengths")
        {
            Description = "Whether the graph takes 'lengths' (int64, (batch)) for padded batches: auto (token models do), yes or no.",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command(
            "export",
            "Write a model file as an ONNX graph with ONNX's own LSTM, GRU and RNN operators. The graph reads 'input' (and 'lengths')\n" +
                "and writes 'prediction', the names 'carnet run' uses, so one input file drives both. A tagger's graph writes its\n" +
                "emissions, with the CRF's transitions as extra outputs. Exit code 2 with one line when a model cannot be expressed.\n" +
                "Example: carnet export --model runs/forecast-airpassengers/model.safetensors --format onnx --out model.onnx")
        {
            model, format, result, lengths,
        };
        command.SetAction(parse => CommandSupport.Guard("export", error, () =>
            Run(parse.GetValue(model)!, parse.GetValue(format)!, parse.GetValue(result)!, parse.GetValue(lengths)!, output)));
        return command;
    }

    private static int Run(string modelPath, string format, string outputPath, string lengths, TextWriter output)
    {
        if (format != "onnx")
        {
            throw new ArgumentException($"--format is '{format}'; the one format carnet export writes is onnx");
        }

        bool? variable = lengths switch
        {
            "auto" => null,
            "yes" => true,
            "no" => false,
            _ => throw new ArgumentException($"--lengths is '{lengths}'; expected auto, yes or no"),
        };
        var file = SafeTensorsFile.Read(modelPath);
        string kind = file.Metadata.GetValueOrDefault("format", "");
        switch (kind)
        {
            case ModelFile.Format:
                OnnxExport.Save(outputPath, ModelFile.Load<float>(file).Model, new OnnxExportOptions { VariableLengths = variable });
                break;
            case SequenceTagger.Format:
                TaggerOnnx.Save(outputPath, SequenceTagger.Load(file).Network);
                break;
            default:
                throw new SafeTensorsFormatException(file.Source,
                    $"is a '{kind}' file; carnet export writes sequence models ({ModelFile.Format}) and taggers ({SequenceTagger.Format})");
        }

        var written = OnnxModel.Load(outputPath);
        output.WriteLine($"{outputPath}: opset {written.Opset}; inputs {string.Join(", ", written.Inputs)}; outputs {string.Join(", ", written.Outputs)}");
        return 0;
    }
}
