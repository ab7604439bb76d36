using System.CommandLine;
using System.Globalization;
using Carnet.Cli.Diagnostics;
using Carnet.IO;
using Carnet.Models;
using Carnet.Onnx;

namespace Carnet.Cli;

/// <summary><c>carnet fuzz</c>: the long run of the model-file fuzz test, on any valid model file.</summary>
internal static class FuzzCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model")
        {
            Description = "A valid model file (.safetensors: sequence model, tagger or translation model) or ONNX model (.onnx) to mutate.",
            Required = true,
        };
        var iterations = CommandSupport.Option("--iterations", "Mutated files to try.", 100_000);
        var seed = CommandSupport.Option("--seed", "Seed of the mutations.", 1UL);
        var command = new Command(
            "fuzz",
            "Mutate a valid model file many ways (bit flips, header edits, truncations, extreme numbers) and check that every\n" +
            "result is rejected with a clear error or loads as a consistent model. Exit code 0 when all are, 1 otherwise.\n" +
            "Example: carnet fuzz --model runs/forecast-airpassengers/model.safetensors --iterations 100000")
        {
            model, iterations, seed,
        };
        command.SetAction(parse => CommandSupport.Guard("fuzz", error, () =>
        {
            string path = parse.GetValue(model)!;
            FuzzReport report;
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                OnnxModel.Load(path); // the starting point must itself be valid
                report = OnnxFileFuzzer.Run(InputFile.ReadAllBytes(path), parse.GetValue(iterations), parse.GetValue(seed));
            }
            else
            {
                var file = SafeTensorsFile.Read(path);
                ModelFileFuzzer.UseFor(file)(file); // the starting point must itself be valid
                report = ModelFileFuzzer.Run(InputFile.ReadAllBytes(path), parse.GetValue(iterations), parse.GetValue(seed));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Tried} mutated files in {report.Elapsed.TotalSeconds:F1} s: {report.Rejected} rejected with a clear error, " +
                    $"{report.Loaded} loaded as consistent models, {report.Failures.Count} failures"));
            foreach (string failure in report.Failures)
            {
                output.WriteLine($"  {failure}");
            }

            return report.Failures.Count == 0 ? 0 : 1;
        }));
        return command;
    }
}
