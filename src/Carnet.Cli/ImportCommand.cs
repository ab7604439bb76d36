using System.CommandLine;
using System.Globalization;
using Carnet.Models;
using Carnet.Onnx;

namespace Carnet.Cli;

/// <summary><c>carnet import</c>: an ONNX graph of a sequence model rebuilt as a native Carnet model file.</summary>
internal static class ImportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var onnx = new Option<string>("--onnx") { Description = "An ONNX model (.onnx): embedding → LSTM/GRU/RNN stack → pooling → linear.", Required = true };
        var result = new Option<string>("--out") { Description = "Where to write the Carnet model file (.safetensors).", Required = true };
        var command = new Command(
            "import",
            "Rebuild an ONNX sequence model (from PyTorch's exporter, say) as a native Carnet model that predicts the same and\n" +
                "trains further. The weights come from the graph; the pooling and input layout are those under which the native\n" +
                "model reproduces the graph's output on random inputs. Exit code 2 with one line when the graph is not of that shape.\n" +
                "Example: carnet import --onnx model.onnx --out model.safetensors")
        {
            onnx, result,
        };
        command.SetAction(parse => CommandSupport.Guard("import", error, () => Run(parse.GetValue(onnx)!, parse.GetValue(result)!, output)));
        return command;
    }

    private static int Run(string onnxPath, string outputPath, TextWriter output)
    {
        var imported = OnnxImport.Import(OnnxModel.Load(onnxPath));
        var options = imported.Model.Options;
        ModelFile.Save(outputPath, imported.Model, new Dictionary<string, string> { ["source"] = Path.GetFileName(onnxPath) });
        string input = options.VocabularySize > 0 ? "(batch, steps) token ids" : $"(batch, steps, {options.Recurrent.InputSize})";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{outputPath}: {options.Recurrent.NumLayers}-layer {(options.Recurrent.Bidirectional ? "bidirectional " : "")}{RecurrentName(options)}, " +
                $"pooling {options.Pooling.ToString().ToLowerInvariant()}, {options.OutputSize} outputs, {ModelFile.ParameterCount(options):N0} parameters; " +
                $"reads {input}; matches the graph within {imported.Difference:G2}"));
        if (imported.GraphIsTimeMajor)
        {
            output.WriteLine("note: the ONNX graph reads (steps, batch, …); the native model reads (batch, steps, …)");
        }

        return 0;
    }

    private static string RecurrentName(SequenceModelOptions options) => Carnet.Layers.RecurrentCells.Of(options.Cell).Name;
}
