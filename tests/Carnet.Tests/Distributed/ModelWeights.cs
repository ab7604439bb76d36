using Carnet.IO;

namespace Carnet.Tests.Distributed;

/// <summary>Two output folders' model files side by side, weight by weight.</summary>
internal static class ModelWeights
{
    /// <summary>Every weight of the two folders' model.safetensors in order, after checking they hold the same tensors and shapes.</summary>
    public static IEnumerable<(string Tensor, int Index, double First, double Second)> Pairs(string firstFolder, string secondFolder)
    {
        var (a, b) = (SafeTensorsFile.Read(Path.Combine(firstFolder, "model.safetensors")), SafeTensorsFile.Read(Path.Combine(secondFolder, "model.safetensors")));
        Assert.Equal(a.Tensors.Select(t => (t.Name, string.Join(',', t.Shape))), b.Tensors.Select(t => (t.Name, string.Join(',', t.Shape))));
        foreach (var tensor in a.Tensors)
        {
            double[] x = tensor.ToDoubleArray(), y = b[tensor.Name].ToDoubleArray();
            for (int i = 0; i < x.Length; i++)
            {
                yield return (tensor.Name, i, x[i], y[i]);
            }
        }
    }
}
