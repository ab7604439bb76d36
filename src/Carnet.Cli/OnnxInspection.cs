using Carnet.Onnx;

namespace Carnet.Cli;

/// <summary><c>carnet inspect MODEL.onnx</c>: the graph's opset, inputs, outputs and operators, and what Carnet can do with it.</summary>
internal static class OnnxInspection
{
    public static int Run(string path, TextWriter output)
    {
        var model = OnnxModel.Load(path);
        var lines = new List<string>
        {
            path,
            $"ONNX IR version {model.IrVersion}, opset {model.Opset}{(model.Producer.Length > 0 ? ", written by " + model.Producer : "")}",
            $"inputs ({model.Inputs.Count}):",
        };
        lines.AddRange(model.Inputs.Select(i => $"  {i}"));
        lines.Add($"outputs ({model.Outputs.Count}):");
        lines.AddRange(model.Outputs.Select(o => $"  {o}"));
        lines.Add($"operators ({model.OperatorCounts.Values.Sum()} nodes):");
        lines.AddRange(model.OperatorCounts.Select(p => $"  {p.Key,-18} {p.Value,4}{(OnnxModel.SupportedOperators.Contains(p.Key) ? "" : "  (not supported)")}"));
        foreach (string line in lines)
        {
            output.WriteLine(line);
        }

        if (!model.CanRun)
        {
            throw new OnnxFormatException(model.Problems[0]);
        }

        output.WriteLine($"import: {Importable(model)}");
        output.WriteLine("ok: Carnet runs this graph (carnet run --model " + Path.GetFileName(path) + " …)");
        return 0;
    }

    private static string Importable(OnnxModel model)
    {
        try
        {
            var imported = OnnxImport.Import(model);
            string cell = Carnet.Layers.RecurrentCells.Of(imported.Model.Options.Cell).Name;
            return $"yes, as a native {cell} model with {imported.Model.Pooling.ToString().ToLowerInvariant()} pooling (carnet import)";
        }
        catch (OnnxFormatException e)
        {
            return e.Message.StartsWith(model.Source + ": ", StringComparison.Ordinal) ? e.Message[(model.Source.Length + 2)..] : e.Message;
        }
    }
}
