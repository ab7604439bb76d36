using System.CommandLine;
using Carnet.IO;
using Carnet.Models;
using Carnet.Onnx;

namespace Carnet.Cli;

/// <summary><c>carnet run</c>: runs a model file on inputs stored as safetensors and writes its prediction.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A Carnet model file (.safetensors) or an ONNX model (.onnx).", Required = true };
        var input = new Option<string>("--input")
        {
            Description = "Safetensors with 'input' (B, T, I) floats or (B, T) token ids, and optionally 'lengths' (B); " +
                "for an ONNX model, one tensor per graph input named as the graph names it (others are ignored).",
            Required = true,
        };
        var result = new Option<string>("--output")
        {
            Description = "Where to write the prediction (tensor 'prediction'; for an ONNX model, one tensor per graph output).", Required = true,
        };
        var command = new Command(
            "run",
            "Run a model file, Carnet's or ONNX's, on stored inputs.\n" +
                "Example: carnet run --model model.safetensors --input x.safetensors --output y.safetensors\n" +
                "Example: carnet run --model model.onnx --input x.safetensors --output y.safetensors")
        {
            model, input, result,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(result)!, output, error));
        return command;
    }

    private static int Run(string modelPath, string inputPath, string outputPath, TextWriter output, TextWriter error)
    {
        if (modelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return CommandSupport.Guard("run", error, () => RunOnnx(modelPath, inputPath, outputPath, output));
        }

        try
        {
            var loaded = ModelFile.Load<float>(modelPath);
            var batch = ModelInputs.Read<float>(SafeTensorsFile.Read(inputPath), loaded.Model.Options);
            var prediction = loaded.Model.Forward(batch).Prediction;
            SafeTensorsWriter.Write(outputPath, [SafeTensor.FromSingle("prediction", prediction.Span, prediction.Shape.ToArray())]);
            output.WriteLine($"{outputPath}: prediction {Tensor<float>.ShapeToString(prediction.Shape.ToArray())}");
            return 0;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or ArgumentException or IOException or UnauthorizedAccessException or KeyNotFoundException)
        {
            error.WriteLine($"carnet run: {e.Message}");
            return 2;
        }
    }

    private static int RunOnnx(string modelPath, string inputPath, string outputPath, TextWriter output)
    {
        var model = OnnxModel.Load(modelPath);
        var results = model.Run(OnnxSafeTensors.ReadInputs(SafeTensorsFile.Read(inputPath), model));
        SafeTensorsWriter.Write(outputPath, model.Outputs.Select(o => OnnxSafeTensors.FromOnnx(o.Name, results[o.Name])));
        output.WriteLine($"{outputPath}: {string.Join(", ", model.Outputs.Select(o => $"{o.Name} {results[o.Name]}"))}");
        return 0;
    }
}
