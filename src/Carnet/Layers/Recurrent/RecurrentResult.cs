using System.Numerics;

namespace Carnet.Layers;

/// <summary>
/// What a recurrent stack's forward pass returns, as PyTorch defines it: <c>output</c> holds the top layer's
/// h_t for every step (both directions concatenated; zero at padded steps), <c>h_n</c> and <c>c_n</c> each
/// layer's and direction's final state (for a padded sequence, the state at its own last step). It also
/// keeps what <c>Backward</c> needs.
/// </summary>
/// <remarks>
/// Dispose a result once its backward pass has run (or when only its outputs are wanted): its layer then lends the
/// internal buffers to the next pass, so steady-state training allocates no large buffer per batch. The tensors it
/// returned stay valid (unless its layer lent them: <see cref="RecurrentLayer{T}.LendsOutputs"/>); only a later
/// <c>Backward</c> on it is refused.
/// </remarks>
public sealed class RecurrentResult<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    internal RecurrentResult(Tensor<T> output, Tensor<T> hiddenState, Tensor<T>? cellState, StackCache<T> cache)
    {
        Output = output;
        HiddenState = hiddenState;
        CellState = cellState;
        Cache = cache;
    }

    /// <summary>output: (T, B, D·P), or (B, T, D·P) when batch-first.</summary>
    public Tensor<T> Output { get; }

    /// <summary>h_n: (L·D, B, P), index l·D + d (d = 1 is the reverse direction).</summary>
    public Tensor<T> HiddenState { get; }

    /// <summary>c_n: (L·D, B, H), LSTM only.</summary>
    public Tensor<T>? CellState { get; }

    internal StackCache<T> Cache { get; }

    /// <summary>Whether <see cref="Dispose"/> has handed the internal buffers back to the layer.</summary>
    internal bool IsDisposed { get; private set; }

    /// <summary>Refuses a backward pass through a result whose buffers were handed back.</summary>
    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new ObjectDisposedException("result", "This result was disposed, which released what its backward pass needs; run Forward again.");
        }
    }

    /// <summary>Hands the buffers kept for the backward pass back to the layer, for its next pass.</summary>
    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        Cache.Release();
    }
}

/// <summary>Gradients of the loss with respect to a recurrent stack's input and initial states.</summary>
public sealed class RecurrentGradients<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal RecurrentGradients(Tensor<T> input, Tensor<T> initialHidden, Tensor<T>? initialCell, Tensor<T>? states = null)
    {
        Input = input;
        InitialHidden = initialHidden;
        InitialCell = initialCell;
        States = states;
    }

    /// <summary>dL/dinput, shaped as the input.</summary>
    public Tensor<T> Input { get; }

    /// <summary>dL/dh_0: (L·D, B, P).</summary>
    public Tensor<T> InitialHidden { get; }

    /// <summary>dL/dc_0: (L·D, B, H), LSTM only.</summary>
    public Tensor<T>? InitialCell { get; }

    /// <summary>
    /// When recorded, dL/dh_t for every layer, direction and step: the gradient reaching each hidden state from the
    /// later steps and from the output (the vanishing-gradient view), zero at padded steps. (L·D, T, B, P), or
    /// (L·D, B, T, P) when batch-first; null when not asked for.
    /// </summary>
    public Tensor<T>? States { get; }
}

/// <summary>Everything a stack's backward pass needs from its forward pass.</summary>
internal sealed class StackCache<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public StackCache(object layer, int steps, int batch, int[]? lengths, bool[] active, BufferPool<T> pool)
    {
        Pool = pool;
        var options = ((RecurrentLayer<T>)layer).Options;
        Layer = layer;
        Steps = steps;
        Batch = batch;
        Lengths = lengths;
        Active = active;
        LayerInputs = new Memory<T>[options.NumLayers];
        DropoutMasks = new Memory<T>[options.NumLayers];
        Directions = new DirectionCache<T>?[options.NumLayers * options.DirectionCount];
    }

    public object Layer { get; }

    public int Steps { get; }

    public int Batch { get; }

    public int[]? Lengths { get; }

    public bool[] Active { get; } // (T, B), empty when every sequence has all T steps

    public Memory<T>[] LayerInputs { get; } // per layer: (T, B, I_l), after dropout

    public Memory<T>[] DropoutMasks { get; } // per layer: (T, B, I_l), empty where no dropout was applied

    public DirectionCache<T>?[] Directions { get; } // (L·D)

    /// <summary>What the result and its backward passes handed out when the layer lent it (<see cref="RecurrentLayer{T}.LendsOutputs"/>), else none.</summary>
    public List<Memory<T>> LentOutputs { get; } = [];

    /// <summary>The layer's pool, which lent LayerInputs, DropoutMasks and the direction caches.</summary>
    public BufferPool<T> Pool { get; }

    /// <summary>Returns every lent buffer to the pool.</summary>
    public void Release()
    {
        foreach (var array in LayerInputs.Concat(DropoutMasks))
        {
            Pool.Return(array);
        }

        foreach (var direction in Directions)
        {
            if (direction is null)
            {
                continue;
            }

            Pool.Return(direction.Gates);
            Pool.Return(direction.HiddenGates);
            Pool.Return(direction.HiddenPrevious);
            Pool.Return(direction.CellPrevious);
            Pool.Return(direction.TanhCell);
            Pool.Return(direction.Unprojected);
        }

        foreach (var lent in LentOutputs)
        {
            Pool.Return(lent);
        }

        LentOutputs.Clear();
        Array.Clear(LayerInputs);
        Array.Clear(DropoutMasks);
        Array.Clear(Directions);
    }
}
