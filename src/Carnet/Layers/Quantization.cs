namespace Carnet.Layers;

/// <summary>
/// Dynamic int8 quantisation of a trained model, as PyTorch's <c>quantize_dynamic</c> does it: every weight matrix of
/// the recurrent layers (<c>weight_ih</c>, <c>weight_hh</c>, <c>weight_hr</c>), linear layers and attention (and, on
/// request, the embedding table) is stored as int8 with one symmetric scale per output row (the largest magnitude of
/// the row maps to ±127, rounding half to even); biases stay float. At inference each row of activations is quantised
/// the same way as it meets a weight, the products are summed exactly in int32 and scaled back to float. A quantised
/// model is for inference: its training passes throw.
/// </summary>
public static class Quantization
{
    /// <summary>The <c>quantization</c> metadata value of a model file holding int8 weights.</summary>
    public const string Scheme = "int8-symmetric-per-row";

    /// <summary>The suffix of the F32 tensor holding an int8 weight's row scales: <c>rnn.weight_ih_l0_scale</c>.</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>
    /// Quantises the weights of <paramref name="modules"/> in place: each parameter's value becomes the float numbers its
    /// int8 rows stand for, and products with it run in int8 from then on. Embedding tables are quantised only when
    /// <paramref name="includeEmbedding"/>; weights already int8 are left as they are.
    /// </summary>
    /// <returns>Each weight quantised, with its size before and after.</returns>
    public static QuantizationSummary Quantize(IEnumerable<(string Prefix, Module<float> Module)> modules, bool includeEmbedding = false)
    {
        var weights = new List<QuantizedWeight>();
        foreach (var (prefix, module) in modules)
        {
            if (module is Embedding<float> && !includeEmbedding)
            {
                continue;
            }

            foreach (var parameter in module.Parameters.Where(p => !p.IsQuantized && module.IsQuantizable(p)))
            {
                var (rows, columns) = parameter.RowShape;
                var quantized = new QuantizedRows(parameter.Value.Span, columns, rows);
                quantized.Dequantize(parameter.Value.Span);
                parameter.Quantized = quantized;
                weights.Add(new QuantizedWeight(prefix + parameter.Name, parameter.Shape, parameter.Value.Length * sizeof(float),
                    parameter.Value.Length + (rows * sizeof(float))));
            }

            module.OnWeightsQuantized();
        }

        return new QuantizationSummary(weights);
    }

    /// <summary>Whether any module holds int8 weights.</summary>
    public static bool IsQuantized<T>(IEnumerable<(string Prefix, Module<T> Module)> modules)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => modules.Any(m => m.Module.IsQuantized);
}

/// <summary>One weight turned into int8: its state_dict name and shape, and its bytes as float and as int8 rows with their scales.</summary>
public sealed record QuantizedWeight(string Name, IReadOnlyList<int> Shape, long FloatBytes, long QuantizedBytes);

/// <summary>What <see cref="Quantization.Quantize"/> did: each weight it quantised and the total sizes.</summary>
public sealed record QuantizationSummary(IReadOnlyList<QuantizedWeight> Weights)
{
    /// <summary>Bytes of the quantised weights as float32.</summary>
    public long FloatBytes => Weights.Sum(w => w.FloatBytes);

    /// <summary>Bytes of the same weights as int8 rows plus one float32 scale per row.</summary>
    public long QuantizedBytes => Weights.Sum(w => w.QuantizedBytes);

    /// <summary><see cref="QuantizedBytes"/> over <see cref="FloatBytes"/> (0 when nothing was quantised).</summary>
    public double SizeRatio => FloatBytes == 0 ? 0 : (double)QuantizedBytes / FloatBytes;
}
