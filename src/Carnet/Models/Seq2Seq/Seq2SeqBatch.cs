// Dimension legend: B = batch, S = source steps, T = target steps, V = target vocabulary, H = decoder hidden size.
using System.Numerics;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>
/// One batch of source and target token ids, padded with id 0. The decoder reads <see cref="DecoderInput"/>
/// (&lt;bos&gt; y₀ … y_{n−1}) and learns <see cref="Targets"/> (y₀ … y_{n−1} &lt;eos&gt;).
/// </summary>
public sealed class Seq2SeqBatch
{
    /// <summary>A batch from its arrays; every length is checked against the others.</summary>
    public Seq2SeqBatch(int[] source, int[] sourceLengths, int[] decoderInput, int[] targets, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (sourceLengths.Length != batch || source.Length % batch != 0 || decoderInput.Length % batch != 0 || targets.Length != decoderInput.Length)
        {
            throw new ArgumentException("The source (B, S), lengths (B), decoder input (B, T) and targets (B, T) disagree on B, S or T.");
        }

        Source = source;
        SourceLengths = sourceLengths;
        DecoderInput = decoderInput;
        Targets = targets;
        Batch = batch;
        SourceSteps = source.Length / batch;
        TargetSteps = decoderInput.Length / batch;
        foreach (int length in sourceLengths)
        {
            if (length < 1 || length > SourceSteps)
            {
                throw new ArgumentException($"A source length of {length} is outside 1…{SourceSteps}.", nameof(sourceLengths));
            }
        }
    }

    /// <summary>Pairs [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the batch, with its padded lengths S and T.</summary>
    public Seq2SeqBatch Rows(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Batch - start);
        return new Seq2SeqBatch(
            Source.AsSpan(start * SourceSteps, count * SourceSteps).ToArray(),
            SourceLengths.AsSpan(start, count).ToArray(),
            DecoderInput.AsSpan(start * TargetSteps, count * TargetSteps).ToArray(),
            Targets.AsSpan(start * TargetSteps, count * TargetSteps).ToArray(),
            count);
    }

    /// <summary>Source ids: (B, S).</summary>
    public int[] Source { get; }

    /// <summary>Valid source steps: (B).</summary>
    public int[] SourceLengths { get; }

    /// <summary>Decoder input ids: (B, T).</summary>
    public int[] DecoderInput { get; }

    /// <summary>Target ids: (B, T), 0 where padded.</summary>
    public int[] Targets { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>S.</summary>
    public int SourceSteps { get; }

    /// <summary>T.</summary>
    public int TargetSteps { get; }

    /// <summary>Targets read time-major: (T, B), the row order of the logits.</summary>
    public int[] TargetsTimeMajor()
    {
        var result = new int[Targets.Length];
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < TargetSteps; t++)
            {
                result[t * Batch + b] = Targets[b * TargetSteps + t];
            }
        }

        return result;
    }
}

/// <summary>
/// A sequence-to-sequence forward pass: the logits of every target step and what the backward pass needs. Dispose
/// it after the backward pass so the recurrent layers reuse their buffers.
/// </summary>
public sealed class Seq2SeqResult<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Seq2SeqResult(Seq2SeqBatch batch, Seq2SeqEncoding<T> encoding, Seq2SeqStep<T>[] steps, T[] logits, T[] attentional, int vocabulary)
    {
        Batch = batch;
        Encoding = encoding;
        Steps = steps;
        LogitsTimeMajor = logits;
        Attentional = attentional;
        Vocabulary = vocabulary;
    }

    /// <summary>The batch.</summary>
    public Seq2SeqBatch Batch { get; }

    /// <summary>The logits: (T, B, V), time-major (the rows the loss reads with <see cref="Seq2SeqBatch.TargetsTimeMajor"/>).</summary>
    public T[] LogitsTimeMajor { get; }

    internal Seq2SeqEncoding<T> Encoding { get; }

    internal Seq2SeqStep<T>[] Steps { get; }

    internal T[] Attentional { get; } // (T, B, H): h̃_t after dropout, the generator's input

    internal int Vocabulary { get; }

    /// <summary>The logits batch-first: (B, T, V).</summary>
    public Tensor<T> Logits()
    {
        var result = Tensor<T>.Zeros(Batch.Batch, Batch.TargetSteps, Vocabulary);
        Kernels.Elementwise.TransposeLeadingAxes<T>(LogitsTimeMajor, Batch.TargetSteps, Batch.Batch, Vocabulary, result.Span);
        return result;
    }

    /// <summary>The attention weights batch-first: (B, T, S), zero beyond each source's length (all zero without attention).</summary>
    public Tensor<T> AttentionWeights()
    {
        int batch = Batch.Batch, steps = Batch.TargetSteps, source = Batch.SourceSteps;
        var result = Tensor<T>.Zeros(batch, steps, source);
        for (int t = 0; t < steps; t++)
        {
            Kernels.Elementwise.CopyRows<T>(Steps[t].Attention.Weights, source, batch, source, result.Span[(t * source)..], steps * source);
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var step in Steps)
        {
            step.Decoder.Dispose();
        }

        Encoding.Encoder.Dispose();
    }
}

/// <summary>The encoder's pass over one batch: its memory as the attention reads it and the decoder's initial states.</summary>
internal sealed class Seq2SeqEncoding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public required int[] Source { get; init; } // (B, S)

    public required T[] DropoutMask { get; init; } // (B, S, Es), empty without dropout

    public required RecurrentResult<T> Encoder { get; init; }

    public required AttentionMemory<T> Memory { get; init; }

    public required T[] BridgeInput { get; init; } // (Ld, B, Ds): the final hidden states per decoder layer, empty without a bridge

    public required T[] BridgeCellInput { get; init; } // (Ld, B, Ds), empty without a cell bridge

    public required Seq2SeqState<T> Initial { get; init; }
}

/// <summary>The decoder's state between steps: the recurrent states and the attentional output fed to the next step.</summary>
/// <param name="Hidden">(Ld, B, Hd).</param>
/// <param name="Cell">(Ld, B, Hd), or null for cells without one.</param>
/// <param name="Feed">h̃_{t−1} after dropout: (B, Hd), zero before the first step.</param>
internal sealed record Seq2SeqState<T>(Tensor<T> Hidden, Tensor<T>? Cell, T[] Feed) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>One decoder step's caches.</summary>
internal sealed class Seq2SeqStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public required int[] Input { get; init; } // (B): the ids read at this step

    public required RecurrentResult<T> Decoder { get; init; }

    public required AttentionStep<T> Attention { get; init; }

    public required T[] DropoutMask { get; init; } // (B, Hd) on h̃_t, empty without dropout

    public required Seq2SeqState<T> Next { get; init; }
}
