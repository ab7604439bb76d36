// Dimension legend: B = batch, I = input size, H = hidden size.
using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// One step of a recurrent cell with PyTorch's <c>LSTMCell</c> / <c>GRUCell</c> / <c>RNNCell</c> parameters
/// (<c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>), for streaming one step at a time.
/// It runs the same code as a one-step, one-layer stack.
/// </summary>
public abstract class RecurrentCell<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CellSpec spec;
    private readonly DirectionParameters<T> parameters;

    /// <summary>A cell of <paramref name="kind"/> with the sizes, bias and nonlinearity of <paramref name="options"/> (one layer, one direction).</summary>
    private protected RecurrentCell(RecurrentCellKind kind, RecurrentOptions options, RandomSource? random)
        : base(Layout(kind, options))
    {
        spec = SpecOf(kind, options);
        parameters = DirectionParameters<T>.Find(this, spec, options.Bias, string.Empty);
        Initialization.ResetRecurrent(this, kind, options, random ?? new RandomSource(0));
    }

    /// <summary>I: features per step.</summary>
    public int InputSize => spec.InputSize;

    /// <summary>H: units.</summary>
    public int HiddenSize => spec.HiddenSize;

    private protected CellResult<T> StepCore(Tensor<T> input, Tensor<T>? hidden, Tensor<T>? cell)
    {
        if (input.Rank != 2 || input.Shape[1] != InputSize)
        {
            throw new ArgumentException(
                $"input has shape {Tensor<T>.ShapeToString(input.Shape.ToArray())}; expected (batch, {InputSize}).", nameof(input));
        }

        int batch = input.Shape[0];
        hidden?.EnsureShape(nameof(hidden), batch, HiddenSize);
        cell?.EnsureShape(nameof(cell), batch, HiddenSize);
        bool keepsCell = spec.Cell.HasCellState;
        var hiddenOut = Tensor<T>.Zeros(batch, HiddenSize); // (B, H)
        var cellOut = keepsCell ? Tensor<T>.Zeros(batch, HiddenSize) : null; // (B, H)
        var output = new T[batch * HiddenSize]; // (B, H)
        var pass = new DirectionPass<T>(spec, parameters, new SequenceExtent(Steps: 1, batch, Reverse: false));
        var cache = pass.Forward(
            input.Span, new StateSpans<T>(hidden is null ? new T[batch * HiddenSize] : hidden.Span, cell is null ? new T[batch * HiddenSize] : cell.Span),
            new StridedColumns<T>(output, HiddenSize), new StateSpans<T>(hiddenOut.Span, cellOut is null ? default : cellOut.Span));
        return new CellResult<T>(hiddenOut, cellOut, cache, input.Clone(), this);
    }

    private protected CellGradients<T> BackwardCore(CellResult<T> result, Tensor<T>? gradHidden, Tensor<T>? gradCell)
    {
        if (!ReferenceEquals(result.Owner, this))
        {
            throw new ArgumentException("This result was computed by another cell.", nameof(result));
        }

        int batch = result.Hidden.Shape[0];
        gradHidden?.EnsureShape(nameof(gradHidden), batch, HiddenSize);
        gradCell?.EnsureShape(nameof(gradCell), batch, HiddenSize);
        var dInput = Tensor<T>.Zeros(batch, InputSize); // (B, I)
        var dHidden = Tensor<T>.Zeros(batch, HiddenSize); // (B, H)
        var dCell = result.Cell is null ? null : Tensor<T>.Zeros(batch, HiddenSize); // (B, H)
        var pass = new DirectionPass<T>(spec, parameters, new SequenceExtent(Steps: 1, batch, Reverse: false));
        pass.Backward(
            result.Cache, result.Input.Span, new ReadOnlyStridedColumns<T>(new T[batch * HiddenSize], HiddenSize),
            new StateSpans<T>(gradHidden is null ? new T[batch * HiddenSize] : gradHidden.Span, gradCell is null ? new T[batch * HiddenSize] : gradCell.Span),
            dInput.Span, new StateSpans<T>(dHidden.Span, dCell is null ? default : dCell.Span));
        return new CellGradients<T>(dInput, dHidden, dCell);
    }

    private static CellSpec SpecOf(RecurrentCellKind kind, RecurrentOptions options)
        => new(kind, options.UsesRelu, options.InputSize, options.HiddenSize, options.HiddenSize);

    private static List<(string Name, int[] Shape)> Layout(RecurrentCellKind kind, RecurrentOptions options)
    {
        options.Validate(kind);
        return DirectionParameters<T>.Layout(SpecOf(kind, options), options.Bias, string.Empty).ToList();
    }
}

/// <summary>The result of one cell step: h_1 and, for an LSTM cell, c_1, each (B, H).</summary>
public sealed class CellResult<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal CellResult(Tensor<T> hidden, Tensor<T>? cell, DirectionCache<T> cache, Tensor<T> input, object owner)
    {
        Hidden = hidden;
        Cell = cell;
        Cache = cache;
        Input = input;
        Owner = owner;
    }

    /// <summary>h_1: (B, H).</summary>
    public Tensor<T> Hidden { get; }

    /// <summary>c_1: (B, H), LSTM cell only.</summary>
    public Tensor<T>? Cell { get; }

    internal DirectionCache<T> Cache { get; }

    internal Tensor<T> Input { get; }

    internal object Owner { get; }
}

/// <summary>Gradients of one cell step with respect to its input and incoming states.</summary>
public sealed class CellGradients<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal CellGradients(Tensor<T> input, Tensor<T> hidden, Tensor<T>? cell)
    {
        Input = input;
        Hidden = hidden;
        Cell = cell;
    }

    /// <summary>dL/dx: (B, I).</summary>
    public Tensor<T> Input { get; }

    /// <summary>dL/dh_0: (B, H).</summary>
    public Tensor<T> Hidden { get; }

    /// <summary>dL/dc_0: (B, H), LSTM cell only.</summary>
    public Tensor<T>? Cell { get; }
}
