using System.Numerics;
using Carnet.IO;

namespace Carnet.Models;

/// <summary>Model inputs stored as safetensors: <c>input</c> (B, T, I) floats or (B, T) token ids, and optionally <c>lengths</c> (B).</summary>
public static class ModelInputs
{
    /// <summary>Reads a batch for <paramref name="options"/>'s model, checking the input's shape and type against it.</summary>
    public static SequenceBatch<T> Read<T>(SafeTensorsFile file, SequenceModelOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = file["input"];
        int[]? lengths = file.TryGetTensor("lengths", out var lengthTensor) ? lengthTensor.ToInt32Array() : null;
        if (options.VocabularySize > 0)
        {
            if (input.Shape.Count != 2 || input.DType.IsFloatingPoint())
            {
                throw new SafeTensorsFormatException(file.Source, "input", $"must be (batch, steps) token ids for this model" +
                    $"; it is {input.DType.GetJsonName()} {Describe(input.Shape)}", null);
            }

            return SequenceBatch<T>.FromTokens(input.ToInt32Array(), input.Shape[0], input.Shape[1], lengths);
        }

        if (input.Shape.Count != 3 || input.Shape[2] != options.Recurrent.InputSize || !input.DType.IsFloatingPoint())
        {
            throw new SafeTensorsFormatException(file.Source, "input",
                $"must be (batch, steps, {options.Recurrent.InputSize}) floats for this model; it is {input.DType.GetJsonName()} {Describe(input.Shape)}", null);
        }

        return SequenceBatch<T>.FromFeatures(Tensor<T>.FromDoubles(input.ToDoubleArray(), input.Shape.ToArray()), lengths);
    }

    private static string Describe(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
}
