using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>The kind of recurrent cell.</summary>
public enum RecurrentCellKind
{
    /// <summary>Long short-term memory: gates i, f, g, o and a cell state.</summary>
    Lstm,

    /// <summary>Gated recurrent unit: gates r, z, n.</summary>
    Gru,

    /// <summary>Elman RNN: one tanh or relu nonlinearity.</summary>
    Rnn,

    /// <summary>
    /// LSTM with peephole connections (Gers &amp; Schmidhuber, 2000): the input and forget gates also read c_{t−1}, the
    /// output gate c_t, through one weight per unit each (<c>weight_peephole_l{k}</c>, 3H). ONNX's LSTM with P; PyTorch
    /// has no such module.
    /// </summary>
    PeepholeLstm,
}

/// <summary>The nonlinearity of a plain RNN.</summary>
public enum RnnNonlinearity
{
    /// <summary>h_t = tanh(…), PyTorch's default.</summary>
    Tanh,

    /// <summary>h_t = relu(…).</summary>
    Relu,
}

/// <summary>
/// The registry of recurrent cells: where a user's choice (the enum or the name in a model file) becomes the cell
/// object. A new cell is a new strategy in Carnet.Kernels and one line here.
/// </summary>
public static class RecurrentCells
{
    // Indexed by the enum's value.
    private static readonly (RecurrentCellKind Kind, RecurrentCellStrategy Cell)[] Registered =
    [
        (RecurrentCellKind.Lstm, LstmCellStrategy.Instance),
        (RecurrentCellKind.Gru, GruCellStrategy.Instance),
        (RecurrentCellKind.Rnn, RnnCellStrategy.Instance),
        (RecurrentCellKind.PeepholeLstm, PeepholeLstmCellStrategy.Instance),
    ];

    /// <summary>Every registered cell's name (as model files write it: LSTM, GRU, RNN) with its kind, in the enum's order.</summary>
    public static (string Name, RecurrentCellKind Kind)[] Names => Registered.Select(r => (r.Cell.Name, r.Kind)).ToArray();

    /// <summary>The cell object of a kind.</summary>
    public static RecurrentCellStrategy Of(RecurrentCellKind kind)
    {
        int index = (int)kind;
        if ((uint)index >= (uint)Registered.Length || Registered[index].Kind != kind)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown recurrent cell kind.");
        }

        return Registered[index].Cell;
    }

    /// <summary>The cell object of a kind (<c>kind.Cell()</c>).</summary>
    public static RecurrentCellStrategy Cell(this RecurrentCellKind kind) => Of(kind);

    /// <summary>The torch.nn-style layer of a kind: <see cref="Lstm{T}"/>, <see cref="Gru{T}"/>, <see cref="Rnn{T}"/> or <see cref="PeepholeLstm{T}"/>.</summary>
    public static RecurrentLayer<T> CreateLayer<T>(RecurrentCellKind kind, RecurrentOptions options, RandomSource? random = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => kind switch
        {
            RecurrentCellKind.Lstm => new Lstm<T>(options, random),
            RecurrentCellKind.Gru => new Gru<T>(options, random),
            RecurrentCellKind.Rnn => new Rnn<T>(options, random),
            RecurrentCellKind.PeepholeLstm => new PeepholeLstm<T>(options, random),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown recurrent cell kind."),
        };

    /// <summary>The kind whose cell has this name (LSTM, GRU, RNN; case-insensitive), or null.</summary>
    public static RecurrentCellKind? Parse(string name)
    {
        foreach (var (registered, cell) in Registered)
        {
            if (string.Equals(cell.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return registered;
            }
        }

        return null;
    }
}
