using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// The shape of one direction of one layer: the cell kind, whether a plain RNN uses relu rather than tanh, I (input
/// size), H (hidden size) and P (the size of h, which is the projection size for an LSTM with projection, else H).
/// </summary>
internal readonly record struct CellSpec(RecurrentCellKind Kind, bool Relu, int InputSize, int HiddenSize, int OutputSize)
{
    /// <summary>The cell object of <see cref="Kind"/>.</summary>
    public RecurrentCellStrategy Cell => RecurrentCells.Of(Kind);

    /// <summary>Gate blocks per hidden unit: 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n), 1 for RNN.</summary>
    public int GateCount => Cell.GateCount;

    /// <summary>Rows of weight_ih and weight_hh: G·H.</summary>
    public int GateWidth => GateCount * HiddenSize;

    /// <summary>Whether the LSTM has a projection (P &lt; H).</summary>
    public bool HasProjection => Cell.SupportsProjection && OutputSize != HiddenSize;
}

/// <summary>The parameters of one direction of one layer (views into the module's flat block).</summary>
internal sealed class DirectionParameters<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public DirectionParameters(
        Parameter<T> weightIh, Parameter<T> weightHh, Parameter<T>? biasIh, Parameter<T>? biasHh, Parameter<T>? weightHr, Parameter<T>? peepholes)
    {
        WeightIh = weightIh;
        WeightHh = weightHh;
        BiasIh = biasIh;
        BiasHh = biasHh;
        WeightHr = weightHr;
        Peepholes = peepholes;
    }

    public Parameter<T> WeightIh { get; } // (G·H, I)

    public Parameter<T> WeightHh { get; } // (G·H, P)

    public Parameter<T>? BiasIh { get; } // (G·H)

    public Parameter<T>? BiasHh { get; } // (G·H)

    public Parameter<T>? WeightHr { get; } // (P, H), LSTM with projection only

    public Parameter<T>? Peepholes { get; } // (3H) p_i, p_f, p_o, peephole LSTM only

    /// <summary>The weights packed once by <see cref="RecurrentLayer{T}.Freeze"/>, or null: each pass packs its own.</summary>
    public PackedWeights<T>? Frozen { get; set; }

    /// <summary>The weights every step multiplies by, with the peepholes when the cell has them.</summary>
    public StepWeights<T> StepWeights(WeightOperand<T> recurrent, WeightOperand<T>? projection)
        => new(recurrent, projection, Peepholes is null ? default : Peepholes.Value.Memory);

    /// <summary>The PyTorch names of one direction's parameters and their shapes, in state_dict order.</summary>
    public static IEnumerable<(string Name, int[] Shape)> Layout(CellSpec spec, bool bias, string suffix)
    {
        yield return ("weight_ih" + suffix, [spec.GateWidth, spec.InputSize]);
        yield return ("weight_hh" + suffix, [spec.GateWidth, spec.OutputSize]);
        if (bias)
        {
            yield return ("bias_ih" + suffix, [spec.GateWidth]);
            yield return ("bias_hh" + suffix, [spec.GateWidth]);
        }

        if (spec.HasProjection)
        {
            yield return ("weight_hr" + suffix, [spec.OutputSize, spec.HiddenSize]);
        }

        if (spec.Cell.HasPeepholes)
        {
            yield return ("weight_peephole" + suffix, [3 * spec.HiddenSize]);
        }
    }

    /// <summary>Finds one direction's parameters in a module by their names.</summary>
    public static DirectionParameters<T> Find(Module<T> module, CellSpec spec, bool bias, string suffix)
        => new(
            module.GetParameter("weight_ih" + suffix),
            module.GetParameter("weight_hh" + suffix),
            bias ? module.GetParameter("bias_ih" + suffix) : null,
            bias ? module.GetParameter("bias_hh" + suffix) : null,
            spec.HasProjection ? module.GetParameter("weight_hr" + suffix) : null,
            spec.Cell.HasPeepholes ? module.GetParameter("weight_peephole" + suffix) : null);
}

/// <summary>
/// One direction's weight matrices packed for the products of a forward pass: W_ihᵀ for the input projection, W_hhᵀ and
/// W_hrᵀ for the steps. Each pass packs its own, except in a frozen layer, which keeps one for every pass (as ONNX Runtime
/// and oneDNN prepare their weights when a model is loaded).
/// </summary>
internal sealed class PackedWeights<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    public PackedWeights(CellSpec spec, DirectionParameters<T> parameters)
    {
        int width = spec.GateWidth, size = spec.OutputSize, hidden = spec.HiddenSize;
        Input = WeightOperand<T>.ForRows(parameters.WeightIh, spec.InputSize, width); // W_ihᵀ (I, G·H)
        Recurrent = WeightOperand<T>.ForRows(parameters.WeightHh, size, width); // W_hhᵀ (P, G·H)
        Projection = spec.HasProjection ? WeightOperand<T>.ForRows(parameters.WeightHr!, hidden, size) : null; // W_hrᵀ (H, P)
    }

    public WeightOperand<T> Input { get; }

    public WeightOperand<T> Recurrent { get; }

    public WeightOperand<T>? Projection { get; }

    public void Dispose()
    {
        Input.Dispose();
        Recurrent.Dispose();
        Projection?.Dispose();
    }
}

/// <summary>What the backward pass of one direction needs from its forward pass; every buffer is indexed by time t.</summary>
internal sealed class DirectionCache<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public required Memory<T> Gates { get; init; } // (T, B, G·H) gate activations: LSTM i f g o, GRU r z n, RNN h_t

    public Memory<T> HiddenGates { get; init; } // (T, B, G·H) or empty: cells that keep the hidden side apart (GRU): W_hh·h_{t−1} + b_hh

    public required Memory<T> HiddenPrevious { get; init; } // (T, B, P) the state entering step t

    public Memory<T> CellPrevious { get; init; } // (T, B, H) LSTM only, else empty

    public Memory<T> TanhCell { get; init; } // (T, B, H) LSTM only, else empty: tanh(c_t)

    public Memory<T> Unprojected { get; init; } // (T, B, H) LSTM with projection only, else empty: r_t = o ⊙ tanh(c_t)
}
