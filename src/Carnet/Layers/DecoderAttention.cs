// Dimension legend: B = batch, S = source steps, W = memory width (encoder features), H = decoder hidden size,
// A = additive attention width (= H).
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>How a decoder scores the encoder's steps.</summary>
public enum AttentionScore
{
    /// <summary>No attention: the decoder's output goes straight to the output layer.</summary>
    None,

    /// <summary>Luong's dot score h_t · m_s (needs W = H).</summary>
    Dot,

    /// <summary>Luong's general score (W_q·h_t) · m_s.</summary>
    General,

    /// <summary>Bahdanau's additive score v · tanh(W_q·h_t + W_k·m_s + b_k).</summary>
    Additive,
}

/// <summary>
/// Luong's global attention over an encoder memory: scores of the decoder output h_t against every valid source step
/// (<see cref="AttentionScore"/>), a softmax over them (padded steps masked), the context c_t = Σ_s α_s·m_s, and the
/// attentional output h̃_t = tanh(W_c·[c_t; h_t]). Parameters: <c>query.weight</c> (W, H) for the general score;
/// <c>query.weight</c> (H, H), <c>key.weight</c> (H, W), <c>key.bias</c> (H), <c>score.weight</c> (1, H) for the
/// additive one; <c>output.weight</c> (H, W + H) unless the score is <see cref="AttentionScore.None"/>.
/// </summary>
public sealed class DecoderAttention<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the attention with PyTorch's Linear initialisation drawn from <paramref name="random"/>.</summary>
    public DecoderAttention(AttentionScore score, int hiddenSize, int memorySize, RandomSource random)
        : base(Layout(score, hiddenSize, memorySize))
    {
        if (score == AttentionScore.Dot && hiddenSize != memorySize)
        {
            throw new ArgumentException($"The dot score needs the encoder's output width ({memorySize}) to equal the decoder's hidden size ({hiddenSize}).");
        }

        Score = score;
        HiddenSize = hiddenSize;
        MemorySize = memorySize;
        foreach (var parameter in Parameters)
        {
            int fanIn = parameter.Name.EndsWith(".bias", StringComparison.Ordinal) ? memorySize : parameter.Shape[1];
            double bound = 1.0 / Math.Sqrt(fanIn);
            random.FillUniform(parameter.Value.Span, -bound, bound);
        }
    }

    /// <summary>The score function.</summary>
    public AttentionScore Score { get; }

    /// <summary>H: the decoder's hidden size, and the size of the attentional output.</summary>
    public int HiddenSize { get; }

    /// <summary>W: the width of each memory step.</summary>
    public int MemorySize { get; }

    internal override bool IsQuantizable(Parameter<T> parameter) => parameter.Name is "query.weight" or "key.weight" or "output.weight";

    /// <summary>Reads one batch's memory (B, S, W) with its source lengths (B) and projects the keys once for the additive score.</summary>
    public AttentionMemory<T> Prepare(Tensor<T> memory, int[] lengths)
    {
        memory.EnsureShape(nameof(memory), lengths.Length, memory.Shape[1], MemorySize);
        var prepared = new AttentionMemory<T>(memory, lengths);
        if (Score == AttentionScore.Additive)
        {
            int rows = prepared.Batch * prepared.Steps;
            prepared.Keys = new T[rows * HiddenSize]; // (B, S, A)
            Elementwise.BroadcastRows(GetParameter("key.bias").Value.Span, default, rows, HiddenSize, prepared.Keys);
            Linear<T>.MultiplyRows(memory.Span, rows, MemorySize, HiddenSize, GetParameter("key.weight"), prepared.Keys, accumulate: true);
        }

        return prepared;
    }

    /// <summary>One decoder step: h̃_t (B, H) and α_t (B, S) from the top decoder output h_t (B, H).</summary>
    public AttentionStep<T> Forward(AttentionMemory<T> memory, ReadOnlySpan<T> decoderOutput)
    {
        int batch = memory.Batch, steps = memory.Steps, width = MemorySize, hidden = HiddenSize;
        var step = new AttentionStep<T>(decoderOutput.ToArray(), batch, steps);
        if (Score == AttentionScore.None)
        {
            decoderOutput.CopyTo(step.Output);
            return step;
        }

        var scores = new T[batch * steps]; // (B, S)
        switch (Score)
        {
            case AttentionScore.Dot:
                AttentionKernels.DotScores<T>(memory.Values.Span, decoderOutput, memory.Lengths, batch, steps, width, scores);
                break;
            case AttentionScore.General:
                step.Query = new T[batch * width]; // (B, W)
                Linear<T>.MultiplyRows(decoderOutput, batch, hidden, width, GetParameter("query.weight"), step.Query, accumulate: false);
                AttentionKernels.DotScores<T>(memory.Values.Span, step.Query, memory.Lengths, batch, steps, width, scores);
                break;
            case AttentionScore.Additive:
                step.Query = new T[batch * hidden]; // (B, A)
                step.Hidden = new T[batch * steps * hidden]; // (B, S, A)
                Linear<T>.MultiplyRows(decoderOutput, batch, hidden, hidden, GetParameter("query.weight"), step.Query, accumulate: false);
                AttentionKernels.AdditiveScores<T>(
                    memory.Keys, step.Query, GetParameter("score.weight").Value.Span, memory.Lengths, batch, steps, hidden, step.Hidden, scores);
                break;
        }

        var context = new T[batch * width]; // (B, W)
        PoolingKernels.AttentionForward<T>(memory.Values.Span, scores, memory.Lengths, batch, steps, width, step.Weights, context);
        step.Joined = new T[batch * (width + hidden)]; // (B, W + H): [c_t; h_t]
        Elementwise.CopyRows<T>(context, width, batch, width, step.Joined, width + hidden);
        Elementwise.CopyRows(decoderOutput, hidden, batch, hidden, step.Joined.AsSpan(width), width + hidden);
        Linear<T>.MultiplyRows(step.Joined, batch, width + hidden, hidden, GetParameter("output.weight"), step.Output, accumulate: false);
        AttentionKernels.TanhInPlace<T>(step.Output);
        return step;
    }

    /// <summary>
    /// Back-propagates dL/dh̃_t (B, H) through one step: accumulates the parameter gradients and the memory's and keys'
    /// gradients in <paramref name="memory"/>, and returns dL/dh_t (B, H).
    /// </summary>
    public T[] Backward(AttentionMemory<T> memory, AttentionStep<T> step, ReadOnlySpan<T> gradOutput)
    {
        ThrowIfQuantized();
        int batch = memory.Batch, steps = memory.Steps, width = MemorySize, hidden = HiddenSize;
        var dDecoder = new T[batch * hidden]; // (B, H)
        if (Score == AttentionScore.None)
        {
            gradOutput.CopyTo(dDecoder);
            return dDecoder;
        }

        var dPre = gradOutput.ToArray(); // (B, H): through the tanh
        AttentionKernels.TanhBackwardInPlace<T>(step.Output, dPre);
        Gemm.AccumulateTransposedA<T>(dPre, step.Joined!, hidden, width + hidden, batch, GetParameter("output.weight").Gradient.Span);
        var dJoined = new T[batch * (width + hidden)]; // (B, W + H)
        Gemm.MultiplyPlain<T>(dPre, GetParameter("output.weight").Value.Span, batch, width + hidden, hidden, dJoined, accumulate: false);
        Elementwise.CopyRows<T>(dJoined.AsSpan(width), width + hidden, batch, hidden, dDecoder, hidden);
        var dContext = new T[batch * width]; // (B, W)
        Elementwise.CopyRows<T>(dJoined, width + hidden, batch, width, dContext, width);
        var dScores = new T[batch * steps]; // (B, S)
        Span<T> dMemory = memory.Gradient.Span;
        PoolingKernels.AttentionBackward<T>(memory.Values.Span, step.Weights, dContext, memory.Lengths, batch, steps, width, dScores, dMemory);
        ScoresBackward(memory, step, dScores, dDecoder);
        return dDecoder;
    }

    /// <summary>After the last step's backward: the keys' gradient through W_k into the memory's. Returns dL/dmemory (B, S, W).</summary>
    public Tensor<T> FinishBackward(AttentionMemory<T> memory)
    {
        if (Score == AttentionScore.Additive)
        {
            int rows = memory.Batch * memory.Steps;
            Gemm.AccumulateTransposedA<T>(memory.KeyGradient, memory.Values.Span, HiddenSize, MemorySize, rows, GetParameter("key.weight").Gradient.Span);
            Elementwise.AccumulateColumnSums<T>(memory.KeyGradient, rows, HiddenSize, GetParameter("key.bias").Gradient.Span);
            Gemm.MultiplyPlain<T>(memory.KeyGradient, GetParameter("key.weight").Value.Span, rows, MemorySize, HiddenSize, memory.Gradient.Span, accumulate: true);
        }

        return memory.Gradient;
    }

    private void ScoresBackward(AttentionMemory<T> memory, AttentionStep<T> step, ReadOnlySpan<T> dScores, Span<T> dDecoder)
    {
        int batch = memory.Batch, steps = memory.Steps, width = MemorySize, hidden = HiddenSize;
        switch (Score)
        {
            case AttentionScore.Dot:
                AttentionKernels.DotScoresBackward<T>(memory.Values.Span, step.DecoderOutput, dScores, memory.Lengths, batch, steps, width, dDecoder, memory.Gradient.Span);
                return;
            case AttentionScore.General:
                var dQuery = new T[batch * width]; // (B, W)
                AttentionKernels.DotScoresBackward<T>(memory.Values.Span, step.Query, dScores, memory.Lengths, batch, steps, width, dQuery, memory.Gradient.Span);
                QueryBackward(step, dQuery, width, dDecoder);
                return;
            case AttentionScore.Additive:
                var dAdditive = new T[batch * hidden]; // (B, A)
                AttentionKernels.AdditiveScoresBackward<T>(
                    step.Hidden, GetParameter("score.weight").Value.Span, dScores, memory.Lengths, batch, steps, hidden,
                    memory.KeyGradient, dAdditive, GetParameter("score.weight").Gradient.Span);
                QueryBackward(step, dAdditive, hidden, dDecoder);
                return;
        }
    }

    private void QueryBackward(AttentionStep<T> step, ReadOnlySpan<T> dQuery, int queryWidth, Span<T> dDecoder)
    {
        var weight = GetParameter("query.weight"); // (Q, H)
        int batch = step.Batch;
        Gemm.AccumulateTransposedA(dQuery, step.DecoderOutput, queryWidth, HiddenSize, batch, weight.Gradient.Span);
        Gemm.MultiplyPlain(dQuery, weight.Value.Span, batch, HiddenSize, queryWidth, dDecoder, accumulate: true);
    }

    private static List<(string Name, int[] Shape)> Layout(AttentionScore score, int hidden, int width) => score switch
    {
        AttentionScore.None => [],
        AttentionScore.Dot => [("output.weight", [hidden, width + hidden])],
        AttentionScore.General => [("query.weight", [width, hidden]), ("output.weight", [hidden, width + hidden])],
        AttentionScore.Additive =>
        [
            ("query.weight", [hidden, hidden]), ("key.weight", [hidden, width]), ("key.bias", [hidden]), ("score.weight", [1, hidden]),
            ("output.weight", [hidden, width + hidden]),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(score)),
    };
}

/// <summary>One batch's encoder memory as the attention reads it, with the gradients its backward passes accumulate.</summary>
public sealed class AttentionMemory<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal AttentionMemory(Tensor<T> values, int[] lengths)
    {
        Values = values;
        Lengths = lengths;
        Batch = values.Shape[0];
        Steps = values.Shape[1];
        Gradient = Tensor<T>.Zeros(Batch, Steps, values.Shape[2]);
    }

    /// <summary>The memory m: (B, S, W), zero at padded steps.</summary>
    public Tensor<T> Values { get; }

    /// <summary>Valid source steps: (B).</summary>
    public int[] Lengths { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>S.</summary>
    public int Steps { get; }

    /// <summary>dL/dm accumulated by the steps' backward passes: (B, S, W).</summary>
    public Tensor<T> Gradient { get; }

    internal T[] Keys { get; set; } = []; // (B, S, A): W_k·m + b_k, additive only

    internal T[] KeyGradient => keyGradient ??= new T[Keys.Length]; // (B, S, A)

    private T[]? keyGradient;
}

/// <summary>One attention step: the attentional output, the weights, and what its backward pass needs.</summary>
public sealed class AttentionStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal AttentionStep(T[] decoderOutput, int batch, int steps)
    {
        DecoderOutput = decoderOutput;
        Batch = batch;
        Output = new T[decoderOutput.Length];
        Weights = new T[batch * steps];
    }

    /// <summary>h̃_t: (B, H).</summary>
    public T[] Output { get; }

    /// <summary>α_t: (B, S), zero at padded steps (empty weights of zero without attention).</summary>
    public T[] Weights { get; }

    internal int Batch { get; }

    internal T[] DecoderOutput { get; } // (B, H): h_t

    internal T[] Query { get; set; } = []; // (B, W) general, (B, A) additive

    internal T[] Hidden { get; set; } = []; // (B, S, A): the additive score's tanh

    internal T[]? Joined { get; set; } // (B, W + H): [c_t; h_t]
}
