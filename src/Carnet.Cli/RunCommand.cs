using System.CommandLine;
using Carnet.IO;
using Carnet.Models;

namespace Carnet.Cli;

/// <summary><c>carnet run</c>: runs a model file on inputs stored as safetensors and writes its prediction.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A Carnet model file (.safetensors).", Required = true };
        var input = new Option<string>("--input") { Description = "Safetensors with 'input' (B, T, I) floats or (B, T) token ids, and optionally 'lengths' (B).", Required = true };
        var result = new Option<string>("--output") { Description = "Where to write the prediction (tensor 'prediction').", Required = true };
        var command = new Command(
            "run",
            "Run a model file on stored inputs.\nExample: carnet run --model model.safetensors --input x.safetensors --output y.safetensors")
        {
            model, input, result,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(result)!, output, error));
        return command;
    }

    private static int Run(string modelPath, string inputPath, string outputPath, TextWriter output, TextWriter error)
    {
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
}
