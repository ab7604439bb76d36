using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// A layer with named parameters. All of a module's parameter values live in one flat block and all of
/// its gradients in another, carved into named views, so zeroing, an optimizer step or a checkpoint is one
/// loop over one buffer.
/// </summary>
public abstract class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] parameters;
    private readonly Dictionary<string, Parameter<T>> byName;

    /// <summary>Allocates the flat blocks and the named views, in the order given (the state_dict order).</summary>
    protected Module(IReadOnlyList<(string Name, int[] Shape)> layout)
    {
        long total = 0;
        foreach (var (_, shape) in layout)
        {
            total += ShapeSize(shape);
        }

        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"The module would hold {total} parameters, more than an array can.");
        }

        ParameterValues = new T[total];
        ParameterGradients = new T[total];
        parameters = new Parameter<T>[layout.Count];
        byName = new Dictionary<string, Parameter<T>>(StringComparer.Ordinal);
        int offset = 0;
        for (int i = 0; i < layout.Count; i++)
        {
            var (name, shape) = layout[i];
            int size = (int)ShapeSize(shape);
            var parameter = new Parameter<T>(
                name,
                new Tensor<T>(ParameterValues.Slice(offset, size), shape),
                new Tensor<T>(ParameterGradients.Slice(offset, size), shape));
            parameters[i] = parameter;
            byName.Add(name, parameter);
            offset += size;
        }
    }

    /// <summary>The parameters in PyTorch's state_dict order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => parameters;

    /// <summary>Every parameter value, in one flat block (the parameters are views of it).</summary>
    public Memory<T> ParameterValues { get; }

    /// <summary>Every parameter gradient, in one flat block laid out as <see cref="ParameterValues"/>.</summary>
    public Memory<T> ParameterGradients { get; }

    /// <summary>The parameter with the given PyTorch name.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name; the message lists the names there are.</exception>
    public Parameter<T> GetParameter(string name)
        => byName.TryGetValue(name, out var parameter)
            ? parameter
            : throw new KeyNotFoundException(
                $"{GetType().Name} has no parameter '{name}'; it has {string.Join(", ", byName.Keys)}.");

    /// <summary>Whether a parameter has the given PyTorch name.</summary>
    public bool HasParameter(string name) => byName.ContainsKey(name);

    /// <summary>Whether any weight is held in int8 (<see cref="Quantization"/>): the module is then for inference only.</summary>
    public bool IsQuantized => parameters.Any(p => p.IsQuantized);

    /// <summary>Whether <paramref name="parameter"/> is a weight whose products may run in int8 (a matrix stored one output per row).</summary>
    internal virtual bool IsQuantizable(Parameter<T> parameter) => false;

    /// <summary>Called after weights were quantised in place, so that anything prepared from the old weights is prepared again.</summary>
    internal virtual void OnWeightsQuantized()
    {
    }

    /// <summary>Throws when the module holds int8 weights: they are for inference, and training needs the float model.</summary>
    internal void ThrowIfQuantized()
    {
        foreach (var parameter in parameters)
        {
            parameter.ThrowIfQuantized();
        }
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients() => ParameterGradients.Span.Clear();

    private static long ShapeSize(int[] shape)
    {
        long size = 1;
        foreach (int dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim);
            size *= dim;
        }

        return size;
    }
}
