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
    /// A missing tensor, a shape that differs, or a non-floating dtype fails with a message naming the tensor;
    /// nothing is changed then.
    /// </summary>
    public static void Load<T>(Module<T> module, SafeTensorsFile file, string prefix = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new List<(Parameter<T> Parameter, double[] Values)>();
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

            if (!tensor.DType.IsFloatingPoint())
            {
                throw new SafeTensorsFormatException(file.Source, name, $"dtype {tensor.DType.GetJsonName()}, but a parameter must be floating point", null);
            }

            values.Add((parameter, tensor.ToDoubleArray()));
        }

        foreach (var (parameter, data) in values)
        {
            Kernels.Elementwise.Convert<double, T>(data, parameter.Value.Span);
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
        }

        var extra = file.Tensors.Select(t => t.Name).Where(name => !expected.Contains(name)).ToList();
        if (extra.Count > 0)
        {
            throw new SafeTensorsFormatException(file.Source, extra[0],
                $"not a parameter of {modelName} ({extra.Count} unexpected tensor(s): {string.Join(", ", extra.Take(5))})", null);
        }
    }

    /// <summary>The module's parameters as tensors named prefix + parameter name, F32 for float modules and F64 for double.</summary>
    public static IEnumerable<SafeTensor> Save<T>(Module<T> module, string prefix = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var parameter in module.Parameters)
        {
            int[] shape = parameter.Shape.ToArray();
            yield return typeof(T) == typeof(float)
                ? SafeTensor.FromSingle(prefix + parameter.Name, ToArray<T, float>(parameter.Value.Span), shape)
                : SafeTensor.FromDouble(prefix + parameter.Name, ToArray<T, double>(parameter.Value.Span), shape);
        }
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
