// Dimension legend: B = batch, T = time steps, I = input features, E = embedding size, F = recurrent output
// features (D·P), O = outputs.
using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>How a sequence model turns the recurrent output (B, T, F) into what the head reads.</summary>
public enum Pooling
{
    /// <summary>The output at each sequence's last valid step (PyTorch's <c>out[:, -1]</c> when all have T steps): (B, F).</summary>
    Last,

    /// <summary>The mean over each sequence's valid steps: (B, F).</summary>
    Mean,

    /// <summary>The element-wise maximum over each sequence's valid steps: (B, F).</summary>
    Max,

    /// <summary>Every step kept, for tagging and language models: (B, T, F).</summary>
    None,

    /// <summary>
    /// A learned weighted sum over each sequence's valid steps: (B, F). Scores s_t = w·h_t + b come from a
    /// linear layer F → 1 (prefix <c>attention.</c>); the weights are their softmax over the valid steps, 0 on padding.
    /// </summary>
    Attention,

    /// <summary>
    /// Every step's output side by side, (B, T·F): the head sees each position separately (Keras' <c>Flatten</c>,
    /// PyTorch's <c>out.reshape(B, -1)</c>), for fixed-length sequences whose positions mean something (DNA sites,
    /// image rows). The model is built for <see cref="SequenceModelOptions.Steps"/> steps and reads no other length.
    /// </summary>
    Flatten,
}

/// <summary>
/// An optional embedding, a recurrent stack (batch-first), pooling over time and a linear head: the shape of most
/// sequence regressors, classifiers, taggers and language models. Parameters carry the module prefixes
/// <c>embedding.</c>, <c>rnn.</c>, <c>attention.</c> (attention pooling only) and <c>head.</c>, as the equivalent
/// PyTorch module's state_dict does.
/// </summary>
public sealed class SequenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Builds the model; the embedding, the stack, the attention scorer (attention pooling only) and the head draw
    /// their initial weights from <paramref name="random"/> in that order.
    /// </summary>
    public SequenceModel(SequenceModelOptions options, RandomSource random)
    {
        options.Validate();
        var recurrent = options.Recurrent with { BatchFirst = true };
        Options = options with { Recurrent = recurrent };
        if (options.VocabularySize > 0)
        {
            Embedding = new Embedding<T>(options.VocabularySize, recurrent.InputSize, options.PaddingIndex, random);
        }

        Recurrent = RecurrentCells.CreateLayer<T>(options.Cell, recurrent, random);
        Attention = options.Pooling == Pooling.Attention ? new Linear<T>(Recurrent.OutputSize, 1, random: random) : null;
        Head = new Linear<T>(Recurrent.OutputSize * (options.Pooling == Pooling.Flatten ? options.Steps : 1), options.OutputSize, random: random);
        var modules = new List<(string, Module<T>)>();
        if (Embedding is not null)
        {
            modules.Add(("embedding.", Embedding));
        }

        modules.Add(("rnn.", Recurrent));
        if (Attention is not null)
        {
            modules.Add(("attention.", Attention));
        }

        modules.Add(("head.", Head));
        Modules = modules.AsReadOnly();
    }

    /// <summary>Builds a numeric-input model (no embedding).</summary>
    public SequenceModel(RecurrentCellKind cell, RecurrentOptions recurrent, int outputSize, Pooling pooling, RandomSource random)
        : this(new SequenceModelOptions { Cell = cell, Recurrent = recurrent, OutputSize = outputSize, Pooling = pooling }, random)
    {
    }

    /// <summary>The configuration.</summary>
    public SequenceModelOptions Options { get; }

    /// <summary>The embedding (prefix <c>embedding.</c>), or null for numeric inputs.</summary>
    public Embedding<T>? Embedding { get; }

    /// <summary>The recurrent stack (prefix <c>rnn.</c>).</summary>
    public RecurrentLayer<T> Recurrent { get; }

    /// <summary>The attention scorer F → 1 (prefix <c>attention.</c>) under attention pooling, otherwise null.</summary>
    public Linear<T>? Attention { get; }

    /// <summary>The head (prefix <c>head.</c>).</summary>
    public Linear<T> Head { get; }

    /// <summary>The pooling over time.</summary>
    public Pooling Pooling => Options.Pooling;

    /// <summary>The modules with their state_dict prefixes, in order.</summary>
    public IReadOnlyList<(string Prefix, Module<T> Module)> Modules { get; }

    /// <summary>Runs input (B, T, I) to predictions (B, O), or (B, T, O) without pooling.</summary>
    public SequenceModelResult<T> Forward(Tensor<T> input, int[]? lengths = null, bool training = false, RandomSource? random = null)
        => Forward(SequenceBatch<T>.FromFeatures(input, lengths), null, null, training, random);

    /// <summary>
    /// Runs a batch to predictions (B, O), or (B, T, O) without pooling. <paramref name="initialHidden"/> and
    /// <paramref name="initialCell"/> (zero when null) let truncated back-propagation carry the state of one batch
    /// into the next: pass the previous result's final states.
    /// </summary>
    public SequenceModelResult<T> Forward(SequenceBatch<T> batch, Tensor<T>? initialHidden = null, Tensor<T>? initialCell = null,
        bool training = false, RandomSource? random = null)
    {
        Tensor<T> input;
        if (Embedding is null)
        {
            input = batch.Features ?? throw new ArgumentException("This model reads numeric features; the batch holds tokens.", nameof(batch));
        }
        else
        {
            int[] tokens = batch.Tokens ?? throw new ArgumentException("This model reads tokens; the batch holds numeric features.", nameof(batch));
            input = Embedding.Forward(tokens, batch.Batch, batch.Steps); // (B, T, E)
        }

        if (Pooling == Pooling.Flatten && (batch.Steps != Options.Steps || (batch.Lengths is { } lengths && lengths.Any(l => l != Options.Steps))))
        {
            throw new ArgumentException(
                $"This model flattens sequences of exactly {Options.Steps} steps; " +
                    $"the batch has {batch.Steps} steps{(batch.Lengths is null ? "" : " with shorter lengths")}.", nameof(batch));
        }

        var recurrent = Recurrent.ForwardCore(input, initialHidden, RecurrentCells.Of(Recurrent.Kind).HasCellState ? initialCell : null, batch.Lengths, training, random);
        var pooled = Pool(recurrent.Output, batch.Lengths, out int[] argmax, out var weights);
        return new SequenceModelResult<T>(Head.Forward(pooled), recurrent, pooled, argmax, weights, batch, this);
    }

    /// <summary>
    /// The predictions (B, O) of the recurrent stack's outputs (B, T, F) with their valid lengths (all T when null), or
    /// (B, T, O) without pooling: the pooling and the head of <see cref="Forward(Tensor{T}, int[], bool, RandomSource)"/>,
    /// for outputs computed elsewhere (one step at a time by a <see cref="RecurrentStream{T}"/>, say).
    /// </summary>
    public Tensor<T> Predict(Tensor<T> recurrentOutput, int[]? lengths = null) => Head.Forward(Pool(recurrentOutput, lengths, out _, out _));

    /// <summary>Pools outputs (B, T, F) into (B, F), (B, T·F) or, without pooling, themselves; max pooling's argmax (B, F), attention's weights (B, T).</summary>
    private Tensor<T> Pool(Tensor<T> output, ReadOnlySpan<int> valid, out int[] argmax, out Tensor<T>? weights)
    {
        int batchSize = output.Shape[0], steps = output.Shape[1], width = output.Shape[2];
        Tensor<T> pooled = Pooling switch
        {
            Pooling.None => output, // (B, T, F)
            Pooling.Flatten => output.Reshape(batchSize, steps * width), // (B, T·F), the same memory
            _ => Tensor<T>.Zeros(batchSize, width), // (B, F)
        };
        argmax = Pooling == Pooling.Max ? new int[batchSize * width] : []; // (B, F)
        weights = null; // (B, T) under attention pooling
        switch (Pooling)
        {
            case Pooling.Last:
                PoolingKernels.LastForward<T>(output.Span, valid, batchSize, steps, width, pooled.Span);
                break;
            case Pooling.Mean:
                PoolingKernels.MeanForward<T>(output.Span, valid, batchSize, steps, width, pooled.Span);
                break;
            case Pooling.Max:
                PoolingKernels.MaxForward<T>(output.Span, valid, batchSize, steps, width, pooled.Span, argmax);
                break;
            case Pooling.Attention:
                weights = Tensor<T>.Zeros(batchSize, steps); // (B, T)
                var scores = Attention!.Forward(output); // (B, T, 1): w·h_t + b
                PoolingKernels.AttentionForward<T>(output.Span, scores.Span, valid, batchSize, steps, width, weights.Span, pooled.Span);
                break;
        }

        return pooled;
    }

    /// <summary>
    /// Back-propagates dL/dprediction; accumulates every parameter's gradient. Returns the recurrent stack's gradients:
    /// with <paramref name="recordStates"/>, dL/dh_t for every layer, direction and step (the gradient-flow view).
    /// </summary>
    public RecurrentGradients<T> Backward(SequenceModelResult<T> result, Tensor<T> gradPrediction, bool recordStates = false)
    {
        if (!ReferenceEquals(result.Owner, this))
        {
            throw new ArgumentException("This result was computed by another model.", nameof(result));
        }

        result.Recurrent.ThrowIfDisposed();

        gradPrediction.EnsureShape(nameof(gradPrediction), result.Prediction.Shape.ToArray());
        var dPooled = Head.Backward(result.Pooled, gradPrediction);
        var output = result.Recurrent.Output;
        int batch = output.Shape[0], steps = output.Shape[1], width = output.Shape[2];
        ReadOnlySpan<int> valid = result.Batch.Lengths;
        var dOutput = Pooling switch
        {
            Pooling.None => dPooled, // (B, T, F)
            Pooling.Flatten => dPooled.Reshape(batch, steps, width), // (B, T·F) read as (B, T, F)
            _ => Tensor<T>.Zeros(batch, steps, width),
        };
        switch (Pooling)
        {
            case Pooling.Last:
                PoolingKernels.LastBackward<T>(dPooled.Span, valid, batch, steps, width, dOutput.Span);
                break;
            case Pooling.Mean:
                PoolingKernels.MeanBackward<T>(dPooled.Span, valid, batch, steps, width, dOutput.Span);
                break;
            case Pooling.Max:
                PoolingKernels.MaxBackward<T>(dPooled.Span, result.Argmax, batch, steps, width, dOutput.Span);
                break;
            case Pooling.Attention:
                var dScores = Tensor<T>.Zeros(batch, steps, 1); // (B, T, 1)
                PoolingKernels.AttentionBackward<T>(
                    output.Span, result.AttentionWeights!.Span, dPooled.Span, valid, batch, steps, width, dScores.Span, dOutput.Span);
                Elementwise.Add<T>(Attention!.Backward(output, dScores).Span, dOutput.Span); // dh_t += ds_t · w
                break;
        }

        var gradients = Recurrent.BackwardCore(result.Recurrent, dOutput, null, null, recordStates);
        Embedding?.Backward(result.Batch.Tokens, gradients.Input);
        return gradients;
    }

    /// <summary>Zeroes every module's gradients.</summary>
    public void ZeroGradients()
    {
        foreach (var (_, module) in Modules)
        {
            module.ZeroGradients();
        }
    }
}

/// <summary>
/// A sequence model's prediction, its final recurrent states, and what its backward pass needs. Dispose it after the
/// backward pass (see <see cref="RecurrentResult{T}"/>): the model then reuses its buffers for the next batch.
/// </summary>
public sealed class SequenceModelResult<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    internal SequenceModelResult(Tensor<T> prediction, RecurrentResult<T> recurrent, Tensor<T> pooled, int[] argmax, Tensor<T>? attentionWeights,
        SequenceBatch<T> batch, object owner)
    {
        Prediction = prediction;
        Recurrent = recurrent;
        Pooled = pooled;
        Argmax = argmax;
        AttentionWeights = attentionWeights;
        Batch = batch;
        Owner = owner;
    }

    /// <summary>(B, O), or (B, T, O) without pooling.</summary>
    public Tensor<T> Prediction { get; }

    /// <summary>The recurrent stack's result: its <c>HiddenState</c> and <c>CellState</c> seed the next batch of a stream.</summary>
    public RecurrentResult<T> Recurrent { get; }

    /// <summary>
    /// Under attention pooling, each step's weight (B, T): a softmax over the sequence's valid steps, 0 on padding;
    /// otherwise null.
    /// </summary>
    public Tensor<T>? AttentionWeights { get; }

    internal Tensor<T> Pooled { get; }

    internal int[] Argmax { get; }

    internal SequenceBatch<T> Batch { get; }

    internal object Owner { get; }

    /// <summary>Hands the recurrent stack's internal buffers back for the next pass; the tensors stay valid.</summary>
    public void Dispose() => Recurrent.Dispose();
}
