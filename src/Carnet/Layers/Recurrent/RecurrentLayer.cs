// Dimension legend: T = time steps, B = batch, I = input size, H = hidden size, P = size of h
// (projection size, or H), L = layers, D = directions (2 when bidirectional, else 1).
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// A stack of recurrent layers with PyTorch's options and semantics (<c>torch.nn.LSTM</c>, <c>GRU</c>, <c>RNN</c>):
/// layers, bias, batch-first, dropout between layers, bidirectional, packed (variable-length) batches.
/// Forward keeps what backward needs in the returned <see cref="RecurrentResult{T}"/>; the layer itself
/// holds no recurrent state, so truncated back-propagation and resets are the caller's explicit choice.
/// </summary>
public abstract class RecurrentLayer<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DirectionParameters<T>[] directions; // (L·D), index l·D + d
    private readonly CellSpec[] specs; // (L), one per layer
    private readonly RandomSource dropoutRandom;
    private readonly BufferPool<T> buffers = new(); // lent to passes, back when their results are disposed

    private protected RecurrentLayer(RecurrentCellKind kind, RecurrentOptions options, RandomSource? random)
        : base(BuildLayout(kind, options))
    {
        options.Validate(kind);
        Kind = kind;
        Options = options;
        specs = Enumerable.Range(0, options.NumLayers).Select(l => SpecOf(kind, options, l)).ToArray();
        directions = new DirectionParameters<T>[options.NumLayers * Directions];
        for (int l = 0; l < options.NumLayers; l++)
        {
            for (int d = 0; d < Directions; d++)
            {
                directions[l * Directions + d] = DirectionParameters<T>.Find(this, specs[l], options.Bias, Suffix(l, d));
            }
        }

        random ??= new RandomSource(0);
        Initialization.ResetRecurrent(this, kind, options, random);
        dropoutRandom = random.Fork();
    }

    /// <summary>The cell kind.</summary>
    public RecurrentCellKind Kind { get; }

    /// <summary>The configuration, with PyTorch's constructor arguments.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Options.DirectionCount;

    /// <summary>P: the size of h (the projection size when there is one, else the hidden size).</summary>
    public int StateSize => Options.StateSize;

    /// <summary>The last dimension of the output: D·P.</summary>
    public int OutputSize => Options.OutputSize;

    /// <summary>The generator that draws dropout masks when a forward call is given none.</summary>
    public RandomSource DropoutRandom => dropoutRandom;

    /// <summary>Whether <see cref="Freeze"/> has packed the weights for inference.</summary>
    public bool IsFrozen => directions[0].Frozen is not null;

    /// <summary>
    /// Prepares the layer for inference, as ONNX Runtime and oneDNN prepare a model when they load it: every weight
    /// matrix is packed once into the layout the matrix products read, and each forward pass reuses it instead of
    /// packing its own. Results are bit-identical to an unfrozen layer's. While frozen the weights must not change (a
    /// change may not be seen) and the layer cannot be trained: a training forward pass throws. Does nothing when the
    /// layer is already frozen.
    /// </summary>
    public void Freeze()
    {
        for (int index = 0; index < directions.Length; index++)
        {
            directions[index].Frozen ??= new PackedWeights<T>(specs[index / Directions], directions[index]);
        }
    }

    /// <summary>
    /// Whether the tensors a forward pass hands out (output, h_n, c_n) and those its backward pass hands out (the
    /// gradients of the input and of the initial states, the recorded state gradients) are lent from the layer's
    /// buffers instead of allocated: they are then valid only until the result is disposed, and the next pass writes
    /// the same memory, as ONNX Runtime's outputs live until the collection its <c>Run</c> returned is disposed (copy
    /// h_n first to carry it to the next batch). Off by default (PyTorch's semantics: the tensors outlive their
    /// result). Turn it on in an inference or training loop that disposes each result before the next pass: a new
    /// output of several megabytes is memory new to the process whenever the collector has handed the last one back to
    /// the system, and each 4 KiB page of it then faults on its first write (5–16 µs a page on the 2-vCPU Zen 5 virtual
    /// machine of docs/PERFORMANCE.md, 20–25 ms on an S3 output).
    /// </summary>
    public bool LendsOutputs { get; set; }

    /// <summary>Releases the weights <see cref="Freeze"/> packed: passes pack their own again, and the layer can be trained.</summary>
    public void Unfreeze()
    {
        foreach (var direction in directions)
        {
            direction.Frozen?.Dispose();
            direction.Frozen = null;
        }
    }

    internal override bool IsQuantizable(Parameter<T> parameter)
        => parameter.Shape.Count == 2 && parameter.Name.StartsWith("weight_", StringComparison.Ordinal); // weight_ih, weight_hh, weight_hr

    internal override void OnWeightsQuantized()
    {
        if (IsFrozen)
        {
            Unfreeze();
            Freeze();
        }
    }

    internal RecurrentResult<T> ForwardCore(
        Tensor<T> input, Tensor<T>? initialHidden, Tensor<T>? initialCell, int[]? lengths, bool training, RandomSource? random)
    {
        var o = Options;
        if (training && IsFrozen)
        {
            throw new InvalidOperationException($"This {Kind} layer is frozen for inference; call Unfreeze() before training it.");
        }

        if (training)
        {
            ThrowIfQuantized();
        }

        if (input.Rank != 3 || input.Shape[2] != o.InputSize)
        {
            string layout = o.BatchFirst ? "(batch, steps, input size)" : "(steps, batch, input size)";
            throw new ArgumentException(
                $"input has shape {Tensor<T>.ShapeToString(input.Shape.ToArray())}; expected {layout} with input size {o.InputSize}.", nameof(input));
        }

        int steps = o.BatchFirst ? input.Shape[1] : input.Shape[0], batch = o.BatchFirst ? input.Shape[0] : input.Shape[1];
        if (steps == 0 || batch == 0)
        {
            throw new ArgumentException("input must have at least one time step and one sequence.", nameof(input));
        }

        int stateCount = o.NumLayers * Directions;
        initialHidden?.EnsureShape(nameof(initialHidden), stateCount, batch, StateSize);
        initialCell?.EnsureShape(nameof(initialCell), stateCount, batch, o.HiddenSize);
        bool[] active = lengths is null ? [] : ActiveMask(lengths, steps, batch);

        var cache = new StackCache<T>(this, steps, batch, lengths is null ? null : (int[])lengths.Clone(), active, buffers);
        var layerInput = TimeMajor(input.Span, steps, batch, o.InputSize, buffers); // (T, B, I)
        var hiddenState = new Tensor<T>(HandedBack(cache, stateCount * batch * StateSize), stateCount, batch, StateSize); // (L·D, B, P)
        var cellState = RecurrentCells.Of(Kind).HasCellState
            ? new Tensor<T>(HandedBack(cache, stateCount * batch * o.HiddenSize), stateCount, batch, o.HiddenSize) // (L·D, B, H)
            : null;
        Memory<T> output = default;
        for (int l = 0; l < o.NumLayers; l++)
        {
            if (l > 0 && training && o.Dropout > 0)
            {
                var mask = buffers.Rent(layerInput.Length, clear: false); // (T, B, D·P), every element drawn
                SequenceKernels.DropoutMask(random ?? dropoutRandom, o.Dropout, mask.Span);
                Elementwise.Multiply<T>(layerInput.Span, mask.Span, layerInput.Span);
                cache.DropoutMasks[l] = mask;
            }

            cache.LayerInputs[l] = layerInput;
            // (T, B, D·P), every element written: lent to the pass, or the output handed back (HandedBack)
            int outputLength = steps * batch * OutputSize;
            output = l == o.NumLayers - 1 && !o.BatchFirst ? HandedBack(cache, outputLength, clear: false) : buffers.Rent(outputLength, clear: false);
            Memory<T> directionInput = layerInput, directionOutput = output;
            int layerIndex = l;
            ForEachDirection(d =>
            {
                int index = layerIndex * Directions + d;
                var h0 = StateOrZeros(initialHidden, index, batch * StateSize); // (B, P)
                var c0 = cellState is null ? Memory<T>.Empty : StateOrZeros(initialCell, index, batch * o.HiddenSize); // (B, H), LSTM only
                var pass = new DirectionPass<T>(specs[layerIndex], directions[index], new SequenceExtent(steps, batch, Reverse: d == 1), cache.Active, buffers);
                cache.Directions[index] = pass.Forward(
                    directionInput.Span, new StateSpans<T>(h0.Span, c0.Span), new StridedColumns<T>(directionOutput[(d * StateSize)..], OutputSize),
                    new StateSpans<T>(
                        hiddenState.Span.Slice(index * batch * StateSize, batch * StateSize),
                        cellState is null ? default : cellState.Span.Slice(index * batch * o.HiddenSize, batch * o.HiddenSize)));
                ReturnZeros(initialHidden, h0);
                ReturnZeros(initialCell, c0);
            });

            layerInput = output;
        }

        Tensor<T> outputTensor;
        if (o.BatchFirst)
        {
            outputTensor = new Tensor<T>(BatchMajor(cache, output.Span, steps, batch, OutputSize), batch, steps, OutputSize);
            buffers.Return(output);
        }
        else
        {
            outputTensor = new Tensor<T>(output, steps, batch, OutputSize);
        }

        return new RecurrentResult<T>(outputTensor, hiddenState, cellState, cache);
    }

    internal RecurrentGradients<T> BackwardCore(
        RecurrentResult<T> result, Tensor<T>? gradOutput, Tensor<T>? gradHidden, Tensor<T>? gradCell, bool recordStates = false)
    {
        var cache = result.Cache;
        if (!ReferenceEquals(cache.Layer, this))
        {
            throw new ArgumentException("This result was computed by another layer.", nameof(result));
        }

        result.ThrowIfDisposed();
        if (IsFrozen)
        {
            throw new InvalidOperationException($"This {Kind} layer is frozen for inference; call Unfreeze() before training it.");
        }

        ThrowIfQuantized();

        var o = Options;
        int steps = cache.Steps, batch = cache.Batch, stateCount = o.NumLayers * Directions;
        gradOutput?.EnsureShape(nameof(gradOutput), result.Output.Shape.ToArray());
        gradHidden?.EnsureShape(nameof(gradHidden), stateCount, batch, StateSize);
        gradCell?.EnsureShape(nameof(gradCell), stateCount, batch, o.HiddenSize);

        // (T, B, D·P), read only: the caller's own gradient when it is time-major already, else a lent buffer
        bool lentOutput = gradOutput is null || o.BatchFirst;
        var dOutput = gradOutput is null ? buffers.Rent(steps * batch * OutputSize, clear: true)
            : o.BatchFirst ? TimeMajor(gradOutput.Span, steps, batch, OutputSize, buffers) : gradOutput.Memory;
        var dInitialHidden = new Tensor<T>(HandedBack(cache, stateCount * batch * StateSize), stateCount, batch, StateSize); // (L·D, B, P)
        var dInitialCell = RecurrentCells.Of(Kind).HasCellState
            ? new Tensor<T>(HandedBack(cache, stateCount * batch * o.HiddenSize), stateCount, batch, o.HiddenSize) // (L·D, B, H)
            : null;
        int stateBlock = steps * batch * StateSize;
        var dStates = recordStates ? HandedBack(cache, stateCount * stateBlock) : Memory<T>.Empty; // (L·D, T, B, P)
        for (int l = o.NumLayers - 1; l >= 0; l--)
        {
            int inputSize = specs[l].InputSize;
            // (T, B, I_l), every element written by the pass: lent for the layers below the first, whose dInput is handed back
            int inputLength = steps * batch * inputSize;
            var dInput = l > 0 || o.BatchFirst ? buffers.Rent(inputLength, clear: false) : HandedBack(cache, inputLength, clear: false);
            var dInputReverse = Directions == 2 ? buffers.Rent(dInput.Length, clear: false) : dInput; // (T, B, I_l): the reverse direction's share, added below
            var dLayerOutput = dOutput;
            int layerIndex = l;
            ForEachDirection(d =>
            {
                int index = layerIndex * Directions + d;
                var dHn = StateOrZeros(gradHidden, index, batch * StateSize); // (B, P)
                var dCn = dInitialCell is null ? Memory<T>.Empty : StateOrZeros(gradCell, index, batch * o.HiddenSize); // (B, H), LSTM only
                var pass = new DirectionPass<T>(specs[layerIndex], directions[index], new SequenceExtent(steps, batch, Reverse: d == 1), cache.Active, buffers);
                pass.Backward(
                    cache.Directions[index]!, cache.LayerInputs[layerIndex].Span,
                    new ReadOnlyStridedColumns<T>(dLayerOutput[(d * StateSize)..], OutputSize), new StateSpans<T>(dHn.Span, dCn.Span), (d == 1 ? dInputReverse : dInput).Span,
                    new StateSpans<T>(
                        dInitialHidden.Span.Slice(index * batch * StateSize, batch * StateSize),
                        dInitialCell is null ? default : dInitialCell.Span.Slice(index * batch * o.HiddenSize, batch * o.HiddenSize)),
                    recordStates ? dStates.Slice(index * stateBlock, stateBlock) : default);
                ReturnZeros(gradHidden, dHn);
                ReturnZeros(gradCell, dCn);
            });
            if (Directions == 2)
            {
                Elementwise.Add<T>(dInputReverse.Span, dInput.Span);
                buffers.Return(dInputReverse);
            }

            if (cache.DropoutMasks[l] is { IsEmpty: false } mask)
            {
                Elementwise.Multiply<T>(dInput.Span, mask.Span, dInput.Span);
            }

            if (lentOutput)
            {
                buffers.Return(dOutput);
            }

            (dOutput, lentOutput) = (dInput, true);
        }

        Tensor<T> dInputTensor;
        if (o.BatchFirst)
        {
            dInputTensor = new Tensor<T>(BatchMajor(cache, dOutput.Span, steps, batch, o.InputSize), batch, steps, o.InputSize);
            buffers.Return(dOutput);
        }
        else
        {
            dInputTensor = new Tensor<T>(dOutput, steps, batch, o.InputSize);
        }
        Tensor<T>? states = null;
        if (recordStates)
        {
            states = new Tensor<T>(dStates, stateCount, steps, batch, StateSize);
            if (o.BatchFirst)
            {
                var batchFirst = HandedBack(cache, dStates.Length, clear: false); // (L·D, B, T, P), every element written
                for (int index = 0; index < stateCount; index++)
                {
                    Elementwise.TransposeLeadingAxes<T>(
                        dStates.Span.Slice(index * stateBlock, stateBlock), steps, batch, StateSize, batchFirst.Span.Slice(index * stateBlock, stateBlock));
                }

                states = new Tensor<T>(batchFirst, stateCount, batch, steps, StateSize);
            }
        }

        return new RecurrentGradients<T>(dInputTensor, dInitialHidden, dInitialCell, states);
    }

    internal CellSpec SpecOf(int layer) => specs[layer];

    /// <summary>Runs <paramref name="body"/> for each direction: both at once on two threads when the kernels may use two.</summary>
    private void ForEachDirection(Action<int> body)
    {
        int threads = KernelSettings.AvailableThreads;
        if (Directions == 2 && threads >= 2)
        {
            // each direction on its share of the threads: its own time loop then needs no other core
            int share = threads / 2;
            Parallel.Invoke(() => KernelSettings.RunWithThreadBudget(share, () => body(0)), () => KernelSettings.RunWithThreadBudget(threads - share, () => body(1)));
            return;
        }

        for (int d = 0; d < Directions; d++)
        {
            body(d);
        }
    }

    internal DirectionParameters<T> ParametersOf(int layer, int direction) => directions[layer * Directions + direction];

    internal static string Suffix(int layer, int direction) => $"_l{layer}" + (direction == 1 ? "_reverse" : string.Empty);

    private static CellSpec SpecOf(RecurrentCellKind kind, RecurrentOptions options, int layer)
    {
        int inputSize = layer == 0 ? options.InputSize : options.OutputSize;
        return new CellSpec(kind, options.UsesRelu, inputSize, options.HiddenSize, options.StateSize);
    }

    private static List<(string Name, int[] Shape)> BuildLayout(RecurrentCellKind kind, RecurrentOptions options)
    {
        options.Validate(kind);
        var layout = new List<(string, int[])>();
        for (int l = 0; l < options.NumLayers; l++)
        {
            for (int d = 0; d < options.DirectionCount; d++)
            {
                layout.AddRange(DirectionParameters<T>.Layout(SpecOf(kind, options, l), options.Bias, Suffix(l, d)));
            }
        }

        return layout;
    }

    private static bool[] ActiveMask(int[] lengths, int steps, int batch)
    {
        if (lengths.Length != batch)
        {
            throw new ArgumentException($"lengths has {lengths.Length} entries for a batch of {batch}.", nameof(lengths));
        }

        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
            {
                throw new ArgumentException(
                    $"lengths[{b}] is {lengths[b]}; each length must be between 1 and the {steps} time steps.", nameof(lengths));
            }
        }

        var active = new bool[steps * batch]; // (T, B)
        SequenceKernels.ActiveMask(lengths, steps, active);
        return active;
    }

    /// <summary>
    /// An array a result or its backward pass hands out: lent until the result is disposed when <see cref="LendsOutputs"/>
    /// (zeroed when <paramref name="clear"/>), else new and zeroed, its pages faulted in before the steps write it.
    /// </summary>
    private Memory<T> HandedBack(StackCache<T> cache, int length, bool clear = true)
    {
        if (!LendsOutputs)
        {
            return LargeArrays.Allocate<T>(length, clear: true);
        }

        var lent = buffers.Rent(length, clear);
        cache.LentOutputs.Add(lent);
        return lent;
    }

    /// <summary>Slice <paramref name="index"/> of a caller's (L·D, B, ·) states, or zeros the layer lends (<see cref="ReturnZeros"/> takes them back).</summary>
    private Memory<T> StateOrZeros(Tensor<T>? states, int index, int length)
        => states is null ? buffers.Rent(length, clear: true) : states.Memory.Slice(index * length, length);

    private void ReturnZeros(Tensor<T>? states, Memory<T> slice)
    {
        if (states is null)
        {
            buffers.Return(slice);
        }
    }

    private Memory<T> TimeMajor(ReadOnlySpan<T> values, int steps, int batch, int width, BufferPool<T> pool)
    {
        var result = pool.Rent(steps * batch * width, clear: false); // (T, B, W), every element written
        if (Options.BatchFirst)
        {
            Elementwise.TransposeLeadingAxes(values, batch, steps, width, result.Span);
        }
        else
        {
            values.CopyTo(result.Span);
        }

        return result;
    }

    private Memory<T> BatchMajor(StackCache<T> cache, ReadOnlySpan<T> values, int steps, int batch, int width)
    {
        var result = HandedBack(cache, values.Length, clear: false); // (B, T, W), every element written
        Elementwise.TransposeLeadingAxes<T>(values, steps, batch, width, result.Span);
        return result;
    }
}
