using System.Numerics;
using Carnet.Layers;

namespace Carnet.IO;

/// <summary>
/// Moves a module's parameters to and from safetensors under their PyTorch state_dict names
/// (optionally behind a module prefix such as <c>rnn.</c>).
/// </summary>
public static class StateDictionary
{
    /// <summary>
    /// Copies every parameter of <paramref name="module"/> from the tensor named prefix + parameter name.
    /// A missing tensor, a shape that differs, or a dtype that is not floating point fails with a message naming the
    /// tensor; nothing is changed then. A weight matrix may be int8 (I8, with its row scales in the F32 tensor named
    /// + <see cref="Quantization.ScaleSuffix"/>, in a file whose metadata declares <see cref="Quantization.Scheme"/>):
    /// a float module then keeps it int8 (<see cref="Parameter{T}.IsQuantized"/>); a double one gets the numbers it stands for.
    /// </summary>
    public static void Load<T>(Module<T> module, SafeTensorsFile file, string prefix = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new List<(Parameter<T> Parameter, double[]? Values, QuantizedRows? Quantized)>();
        foreach (var parameter in module.Parameters)
        {
            string name = prefix + parameter.Name;
            if (!file.TryGetTensor(name, out var tensor))
            {
                throw new SafeTensorsFormatException(file.Source, name, "missing; the model needs it with shape " + Describe(parameter.Shape), null);
            }

            if (!tensor.Shape.SequenceEqual(parameter.Shape))
            {
                throw new SafeTensorsFormatException(
                    file.Source, name, $"shape {Describe(tensor.Shape)}, but the model needs {Describe(parameter.Shape)}", null);
            }

            if (tensor.DType == SafeTensorDType.I8)
            {
                values.Add((parameter, null, ReadQuantized(module, parameter, tensor, file, name)));
                continue;
            }

            if (!tensor.DType.IsFloatingPoint())
            {
                throw new SafeTensorsFormatException(file.Source, name, $"dtype {tensor.DType.GetJsonName()}, but a parameter must be floating point", null);
            }

            values.Add((parameter, tensor.ToDoubleArray(), null));
        }

        foreach (var (parameter, data, quantized) in values)
        {
            if (data is not null)
            {
                Kernels.Elementwise.Convert<double, T>(data, parameter.Value.Span);
            }

            parameter.Quantized = quantized is not null && typeof(T) == typeof(float) ? quantized : null;
            if (quantized is not null)
            {
                var numbers = new float[parameter.Value.Length];
                quantized.Dequantize(numbers);
                Kernels.Elementwise.Convert<float, T>(numbers, parameter.Value.Span);
            }
        }

        if (values.Any(v => v.Quantized is not null))
        {
            module.OnWeightsQuantized();
        }
    }

    /// <summary>
    /// Loads every module from the file (<see cref="Load{T}"/>) and refuses a tensor that none of them has, naming it and
    /// <paramref name="modelName"/> ("this LSTM model").
    /// </summary>
    public static void LoadStrict<T>(IReadOnlyList<(string Prefix, Module<T> Module)> modules, SafeTensorsFile file, string modelName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (prefix, module) in modules)
        {
            Load(module, file, prefix);
            expected.UnionWith(module.Parameters.Select(p => prefix + p.Name));
            expected.UnionWith(module.Parameters.Where(p => file.TryGetTensor(prefix + p.Name, out var t) && t.DType == SafeTensorDType.I8)
                .Select(p => prefix + p.Name + Quantization.ScaleSuffix));
        }

        var extra = file.Tensors.Select(t => t.Name).Where(name => !expected.Contains(name)).ToList();
        if (extra.Count > 0)
        {
            throw new SafeTensorsFormatException(file.Source, extra[0],
                $"not a parameter of {modelName} ({extra.Count} unexpected tensor(s): {string.Join(", ", extra.Take(5))})", null);
        }
    }

    /// <summary>
    /// The module's parameters as tensors named prefix + parameter name, F32 for float modules and F64 for double; an int8
    /// weight is I8 with its row scales beside it (F32, named + <see cref="Quantization.ScaleSuffix"/>).
    /// </summary>
    public static IEnumerable<SafeTensor> Save<T>(Module<T> module, string prefix = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var parameter in module.Parameters)
        {
            int[] shape = parameter.Shape.ToArray();
            if (parameter.Quantized is { } quantized)
            {
                yield return SafeTensor.FromInt8(prefix + parameter.Name, quantized.Weights(), shape);
                yield return SafeTensor.FromSingle(prefix + parameter.Name + Quantization.ScaleSuffix, quantized.Scales, shape[0]);
                continue;
            }

            yield return typeof(T) == typeof(float)
                ? SafeTensor.FromSingle(prefix + parameter.Name, ToArray<T, float>(parameter.Value.Span), shape)
                : SafeTensor.FromDouble(prefix + parameter.Name, ToArray<T, double>(parameter.Value.Span), shape);
        }
    }

    /// <summary>
    /// The most parameter values the file's tensors can hold, one a byte (I8 is the smallest dtype a parameter may have):
    /// a bound checked before building the model a file's metadata describes.
    /// </summary>
    internal static long ValueCount(SafeTensorsFile file) => file.Tensors.Sum(t => (long)t.Data.Length);

    /// <summary><paramref name="metadata"/> with <c>quantization</c> = <see cref="Quantization.Scheme"/> when any module holds int8 weights.</summary>
    internal static Dictionary<string, string> WithQuantization<T>(Dictionary<string, string> metadata, IEnumerable<(string Prefix, Module<T> Module)> modules)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (modules.Any(m => m.Module.IsQuantized))
        {
            metadata["quantization"] = Quantization.Scheme;
        }

        return metadata;
    }

    /// <summary>Reads an I8 weight and its scales, checked: a weight matrix, a file that declares the scheme, scales F32 (rows), finite, not negative.</summary>
    private static QuantizedRows ReadQuantized<T>(Module<T> module, Parameter<T> parameter, SafeTensor tensor, SafeTensorsFile file, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafeTensorsFormatException Bad(string tensorName, string message) => new(file.Source, tensorName, message, null);
        if (!module.IsQuantizable(parameter))
        {
            throw Bad(name, "dtype I8, but only the weight matrices of recurrent, linear, attention and embedding layers may be int8");
        }

        if (!file.Metadata.TryGetValue("quantization", out string? scheme) || scheme != Quantization.Scheme)
        {
            throw Bad(name, $"dtype I8, but the metadata does not declare quantization '{Quantization.Scheme}' (it has '{scheme ?? "none"}')");
        }

        var (rows, columns) = parameter.RowShape;
        if (columns > Kernels.Int8Kernels.MaximumColumns)
        {
            throw Bad(name, $"an int8 row of {columns} values; int8 rows may hold at most {Kernels.Int8Kernels.MaximumColumns}");
        }

        string scaleName = name + Quantization.ScaleSuffix;
        if (!file.TryGetTensor(scaleName, out var scaleTensor))
        {
            throw Bad(scaleName, $"missing; the int8 weight '{name}' needs its row scales, F32 with shape [{rows}]");
        }

        if (scaleTensor.DType != SafeTensorDType.F32 || scaleTensor.Shape.Count != 1 || scaleTensor.Shape[0] != rows)
        {
            throw Bad(scaleName, $"{scaleTensor.DType.GetJsonName()} {Describe(scaleTensor.Shape)}, but the row scales of '{name}' are F32 [{rows}]");
        }

        float[] scales = scaleTensor.ToSingleArray();
        int bad = Array.FindIndex(scales, s => !float.IsFinite(s) || s < 0);
        if (bad >= 0)
        {
            throw Bad(scaleName, $"scale {scales[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {bad}; scales must be finite and not negative");
        }

        sbyte[] weights = tensor.ToInt8Array();
        int outside = Array.IndexOf(weights, sbyte.MinValue);
        if (outside >= 0)
        {
            throw Bad(name, $"-128 at element {outside}; symmetric int8 weights lie in [-127, 127]");
        }

        return new QuantizedRows(weights, scales, columns);
    }

    private static TTo[] ToArray<TFrom, TTo>(ReadOnlySpan<TFrom> values)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        var result = new TTo[values.Length];
        Kernels.Elementwise.Convert(values, result);
        return result;
    }

    private static string Describe(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}
