// Dimension legend: B = batch, S = source steps, T = target steps, Vs/Vt = vocabularies, Es/Et = embedding sizes,
// He = encoder hidden, D = encoder directions, Le/Ld = encoder/decoder layers, Ds = D·He (memory width),
// Hd = decoder hidden, In = decoder input width (Et, + Hd with input feeding).
using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Models;

/// <summary>
/// An encoder-decoder with attention (Sutskever et al. 2014; Luong et al. 2015): source embedding → encoder (LSTM,
/// GRU or RNN; stacked; optionally bidirectional) → bridge of its final states to the decoder's initial states →
/// decoder (stacked, one step at a time, with input feeding) → attention over the encoder's outputs → output layer.
/// Parameters carry the names of its PyTorch twin (<c>source_embedding.weight</c>, <c>encoder.weight_ih_l0</c>,
/// <c>bridge_hidden.weight</c>, <c>decoder.weight_hh_l0</c>, <c>attention.output.weight</c>, <c>generator.bias</c> …);
/// every part's backward pass is written beside its forward pass.
/// </summary>
public sealed class Seq2SeqModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Linear<T>? bridgeHidden;
    private readonly Linear<T>? bridgeCell;
    private readonly Parameter<T> generatorWeight;
    private readonly Parameter<T> generatorBias;

    /// <summary>Creates the model with PyTorch's default initialisation of each part, drawn in order from <paramref name="random"/>.</summary>
    public Seq2SeqModel(Seq2SeqOptions options, RandomSource random)
    {
        options.Validate();
        Options = options;
        var o = options;
        SourceEmbedding = new Embedding<T>(o.SourceVocabularySize, o.SourceEmbeddingSize, paddingIndex: 0, random);
        Encoder = RecurrentCells.CreateLayer<T>(o.EncoderCell, new RecurrentOptions
        {
            InputSize = o.SourceEmbeddingSize, HiddenSize = o.EncoderHiddenSize, NumLayers = o.EncoderLayers, BatchFirst = true,
            Bidirectional = o.Bidirectional, Dropout = o.Dropout,
        }, random);
        var modules = new List<(string, Module<T>)> { ("source_embedding.", SourceEmbedding), ("encoder.", Encoder) };
        if (o.Bridge == Seq2SeqBridge.Linear)
        {
            bridgeHidden = new Linear<T>(o.MemorySize, o.DecoderHiddenSize, random: random);
            modules.Add(("bridge_hidden.", bridgeHidden));
            if (BridgesCells)
            {
                bridgeCell = new Linear<T>(o.MemorySize, o.DecoderHiddenSize, random: random);
                modules.Add(("bridge_cell.", bridgeCell));
            }
        }

        TargetEmbedding = new Embedding<T>(o.TargetVocabularySize, o.TargetEmbeddingSize, paddingIndex: 0, random);
        Decoder = RecurrentCells.CreateLayer<T>(o.DecoderCell, new RecurrentOptions
        {
            InputSize = o.DecoderInputSize, HiddenSize = o.DecoderHiddenSize, NumLayers = o.DecoderLayers, BatchFirst = true, Dropout = o.Dropout,
        }, random);
        Attention = new DecoderAttention<T>(o.Attention, o.DecoderHiddenSize, o.MemorySize, random);
        modules.AddRange([("target_embedding.", TargetEmbedding), ("decoder.", Decoder)]);
        if (o.Attention != AttentionScore.None)
        {
            modules.Add(("attention.", Attention));
        }

        if (o.TieWeights)
        {
            var tied = new TiedLinear<T>(TargetEmbedding.Weight, random);
            (generatorWeight, generatorBias, Generator) = (tied.Weight, tied.Bias, tied);
        }
        else
        {
            var linear = new Linear<T>(o.DecoderHiddenSize, o.TargetVocabularySize, random: random);
            (generatorWeight, generatorBias, Generator) = (linear.Weight, linear.Bias!, linear);
        }

        modules.Add(("generator.", Generator));
        Modules = modules;
    }

    /// <summary>The architecture.</summary>
    public Seq2SeqOptions Options { get; }

    /// <summary>The source embedding table (Vs, Es).</summary>
    public Embedding<T> SourceEmbedding { get; }

    /// <summary>The encoder: batch-first, bidirectional when <see cref="Seq2SeqOptions.Bidirectional"/>.</summary>
    public RecurrentLayer<T> Encoder { get; }

    /// <summary>The target embedding table (Vt, Et).</summary>
    public Embedding<T> TargetEmbedding { get; }

    /// <summary>The decoder stack, run one step at a time.</summary>
    public RecurrentLayer<T> Decoder { get; }

    /// <summary>The attention (without parameters when its score is <see cref="AttentionScore.None"/>).</summary>
    public DecoderAttention<T> Attention { get; }

    /// <summary>The output layer: a <see cref="Linear{T}"/>, or a <see cref="TiedLinear{T}"/> reading the target embedding table.</summary>
    public Module<T> Generator { get; }

    /// <summary>The modules with their state_dict prefixes, in order.</summary>
    public IReadOnlyList<(string Prefix, Module<T> Module)> Modules { get; }

    private bool BridgesCells => Options.EncoderCell.Cell().HasCellState && Options.DecoderCell.Cell().HasCellState;

    /// <summary>
    /// Runs a batch with teacher forcing: at each step the decoder reads the batch's decoder input, or, with probability
    /// 1 − <paramref name="teacherForcing"/> per sequence and step after the first, its own previous greedy choice
    /// (drawn from <paramref name="random"/>, which also draws the dropout masks when <paramref name="training"/>).
    /// </summary>
    public Seq2SeqResult<T> Forward(Seq2SeqBatch batch, bool training = false, RandomSource? random = null, double teacherForcing = 1)
    {
        if (teacherForcing is < 0 or > 1 || (teacherForcing < 1 && random is null))
        {
            throw new ArgumentException("The teacher forcing ratio must be in [0, 1], and below 1 it needs a random stream.", nameof(teacherForcing));
        }

        int b = batch.Batch, steps = batch.TargetSteps, vocabulary = Options.TargetVocabularySize, hidden = Options.DecoderHiddenSize;
        var encoding = Encode(batch.Source, batch.SourceLengths, b, training, random);
        var logits = new T[steps * b * vocabulary]; // (T, B, Vt)
        var attentional = new T[steps * b * hidden]; // (T, B, Hd)
        var records = new Seq2SeqStep<T>[steps];
        var state = encoding.Initial;
        var previous = new int[b]; // (B): the greedy choices of the step before
        for (int t = 0; t < steps; t++)
        {
            var ids = new int[b]; // (B)
            for (int row = 0; row < b; row++)
            {
                bool own = t > 0 && teacherForcing < 1 && random!.NextDouble() >= teacherForcing;
                ids[row] = own ? previous[row] : batch.DecoderInput[row * steps + t];
            }

            Span<T> stepLogits = logits.AsSpan(t * b * vocabulary, b * vocabulary); // (B, Vt)
            records[t] = Step(encoding.Memory, state, ids, training, random, stepLogits, attentional.AsSpan(t * b * hidden, b * hidden));
            state = records[t].Next;
            if (teacherForcing < 1)
            {
                AttentionKernels.ArgmaxRows<T>(stepLogits, b, vocabulary, previous);
            }
        }

        return new Seq2SeqResult<T>(batch, encoding, records, logits, attentional, vocabulary);
    }

    /// <summary>
    /// Back-propagates dL/dlogits (T, B, Vt), time-major as <see cref="Seq2SeqResult{T}.LogitsTimeMajor"/>, through the
    /// whole pass: accumulates into every parameter's gradient.
    /// </summary>
    public void Backward(Seq2SeqResult<T> result, ReadOnlySpan<T> gradLogits)
    {
        var batch = result.Batch;
        int b = batch.Batch, steps = batch.TargetSteps, hidden = Options.DecoderHiddenSize, embedding = Options.TargetEmbeddingSize;
        int input = Options.DecoderInputSize;
        if (gradLogits.Length != result.LogitsTimeMajor.Length)
        {
            throw new ArgumentException($"gradLogits has {gradLogits.Length} elements; the logits have {result.LogitsTimeMajor.Length}.", nameof(gradLogits));
        }

        var dAttentional = new T[steps * b * hidden]; // (T, B, Hd)
        Linear<T>.BackwardRows(result.Attentional, gradLogits, steps * b, hidden, Options.TargetVocabularySize, generatorWeight, generatorBias, dAttentional);
        Tensor<T>? dHidden = null, dCell = null; // (Ld, B, Hd): dL/d(state after step t − 1)
        var dFeed = new T[b * hidden]; // (B, Hd): dL/dh̃_{t−1} through the next step's input
        var dEmbedding = new T[b * embedding]; // (B, Et)
        for (int t = steps - 1; t >= 0; t--)
        {
            var step = result.Steps[t];
            Span<T> dOutput = dAttentional.AsSpan(t * b * hidden, b * hidden); // (B, Hd)
            Elementwise.Add<T>(dFeed, dOutput);
            if (step.DropoutMask.Length > 0)
            {
                Elementwise.Multiply<T>(dOutput, step.DropoutMask, dOutput);
            }

            var dDecoderOutput = Attention.Backward(result.Encoding.Memory, step.Attention, dOutput); // (B, Hd)
            var gradients = Decoder.BackwardCore(step.Decoder, new Tensor<T>(dDecoderOutput, b, 1, hidden), dHidden, dCell);
            (dHidden, dCell) = (gradients.InitialHidden, gradients.InitialCell);
            Span<T> dInput = gradients.Input.Span; // (B, 1, In)
            Elementwise.CopyRows<T>(dInput, input, b, embedding, dEmbedding, embedding);
            TargetEmbedding.Backward(step.Input, new Tensor<T>(dEmbedding, b, embedding));
            if (Options.InputFeeding)
            {
                Elementwise.CopyRows<T>(dInput[embedding..], input, b, hidden, dFeed, hidden);
            }
        }

        EncoderBackward(result.Encoding, dHidden!, dCell);
    }

    /// <summary>Zeroes every module's gradients.</summary>
    public void ZeroGradients()
    {
        foreach (var (_, module) in Modules)
        {
            module.ZeroGradients();
        }
    }

    /// <summary>Runs the encoder over source ids (B, S) with their lengths (B), and the bridge to the decoder's initial states.</summary>
    internal Seq2SeqEncoding<T> Encode(int[] source, int[] lengths, int batch, bool training, RandomSource? random)
    {
        int steps = source.Length / batch;
        var embedded = SourceEmbedding.Forward(source, batch, steps); // (B, S, Es)
        T[] mask = [];
        if (training && Options.Dropout > 0)
        {
            mask = new T[embedded.Length]; // (B, S, Es)
            SequenceKernels.DropoutMask(random ?? Encoder.DropoutRandom, Options.Dropout, mask.AsSpan());
            Elementwise.Multiply<T>(embedded.Span, mask, embedded.Span);
        }

        var encoder = Encoder.ForwardCore(embedded, null, null, lengths, training, random);
        var memory = Attention.Prepare(encoder.Output, lengths);
        var bridgeInput = bridgeHidden is null ? [] : GatherFinalStates(encoder.HiddenState, batch);
        var bridgeCellInput = bridgeCell is null ? [] : GatherFinalStates(encoder.CellState!, batch);
        var initial = new Seq2SeqState<T>(
            BridgeForward(bridgeHidden, bridgeInput, batch, squash: true),
            Options.DecoderCell.Cell().HasCellState ? BridgeForward(bridgeCell, bridgeCellInput, batch, squash: false) : null,
            Options.InputFeeding ? new T[batch * Options.DecoderHiddenSize] : []);
        return new Seq2SeqEncoding<T>
        {
            Source = source, DropoutMask = mask, Encoder = encoder, Memory = memory, BridgeInput = bridgeInput,
            BridgeCellInput = bridgeCellInput, Initial = initial,
        };
    }

    /// <summary>
    /// One decoder step for every row: reads ids (B) and the state, writes the logits (B, Vt) and h̃_t after dropout
    /// (B, Hd), and returns the step's caches and the next state.
    /// </summary>
    internal Seq2SeqStep<T> Step(
        AttentionMemory<T> memory, Seq2SeqState<T> state, int[] ids, bool training, RandomSource? random, Span<T> logits, Span<T> attentional)
    {
        int b = ids.Length, hidden = Options.DecoderHiddenSize, embedding = Options.TargetEmbeddingSize, input = Options.DecoderInputSize;
        var x = new T[b * input]; // (B, In): [embedding; h̃_{t−1}]
        var embedded = TargetEmbedding.Forward(ids, b); // (B, Et)
        Elementwise.CopyRows<T>(embedded.Span, embedding, b, embedding, x, input);
        if (Options.InputFeeding)
        {
            Elementwise.CopyRows<T>(state.Feed, hidden, b, hidden, x.AsSpan(embedding), input);
        }

        var decoder = Decoder.ForwardCore(new Tensor<T>(x, b, 1, input), state.Hidden, state.Cell, null, training, random);
        var attention = Attention.Forward(memory, decoder.Output.Span); // h_t: (B, 1, Hd) read as (B, Hd)
        attention.Output.CopyTo(attentional);
        T[] mask = [];
        if (training && Options.Dropout > 0)
        {
            mask = new T[b * hidden]; // (B, Hd)
            SequenceKernels.DropoutMask(random ?? Decoder.DropoutRandom, Options.Dropout, mask.AsSpan());
            Elementwise.Multiply<T>(attentional, mask, attentional);
        }

        Linear<T>.ForwardRows(attentional, b, hidden, Options.TargetVocabularySize, generatorWeight, generatorBias.Value.Span, logits);
        var next = new Seq2SeqState<T>(decoder.HiddenState, decoder.CellState, Options.InputFeeding ? attentional.ToArray() : []);
        return new Seq2SeqStep<T> { Input = ids, Decoder = decoder, Attention = attention, DropoutMask = mask, Next = next };
    }

    private void EncoderBackward(Seq2SeqEncoding<T> encoding, Tensor<T> dHidden, Tensor<T>? dCell)
    {
        int batch = encoding.Memory.Batch;
        Tensor<T>? dFinalHidden = BridgeBackward(bridgeHidden, encoding.BridgeInput, encoding.Initial.Hidden, dHidden, batch, squash: true);
        Tensor<T>? dFinalCell = bridgeCell is null ? null : BridgeBackward(bridgeCell, encoding.BridgeCellInput, encoding.Initial.Cell!, dCell!, batch, squash: false);
        var dMemory = Attention.FinishBackward(encoding.Memory); // (B, S, Ds)
        var gradients = Encoder.BackwardCore(encoding.Encoder, dMemory, dFinalHidden, dFinalCell);
        Span<T> dEmbedded = gradients.Input.Span; // (B, S, Es)
        if (encoding.DropoutMask.Length > 0)
        {
            Elementwise.Multiply<T>(dEmbedded, encoding.DropoutMask, dEmbedded);
        }

        SourceEmbedding.Backward(encoding.Source, gradients.Input);
    }

    /// <summary>(Ld, B, Ds): for decoder layer l, the final states of encoder layer min(l, Le − 1), forward then reverse.</summary>
    private T[] GatherFinalStates(Tensor<T> states, int batch)
    {
        int directions = Options.Bidirectional ? 2 : 1, hidden = Options.EncoderHiddenSize, width = Options.MemorySize;
        var gathered = new T[Options.DecoderLayers * batch * width]; // (Ld, B, Ds)
        for (int l = 0; l < Options.DecoderLayers; l++)
        {
            int source = Math.Min(l, Options.EncoderLayers - 1);
            for (int d = 0; d < directions; d++)
            {
                Elementwise.CopyRows<T>(
                    states.Span[((source * directions + d) * batch * hidden)..], hidden, batch, hidden, gathered.AsSpan(l * batch * width + d * hidden), width);
            }
        }

        return gathered;
    }

    /// <summary>The transpose of <see cref="GatherFinalStates"/>: dL/d(final states) (Le·D, B, He) from dL/d(gathered) (Ld, B, Ds).</summary>
    private Tensor<T> ScatterFinalStates(ReadOnlySpan<T> gradient, int batch)
    {
        int directions = Options.Bidirectional ? 2 : 1, hidden = Options.EncoderHiddenSize, width = Options.MemorySize;
        var scattered = Tensor<T>.Zeros(Options.EncoderLayers * directions, batch, hidden); // (Le·D, B, He)
        for (int l = 0; l < Options.DecoderLayers; l++)
        {
            int source = Math.Min(l, Options.EncoderLayers - 1);
            for (int d = 0; d < directions; d++)
            {
                Elementwise.AddRows(
                    gradient[(l * batch * width + d * hidden)..], width, batch, hidden, scattered.Span[((source * directions + d) * batch * hidden)..], hidden);
            }
        }

        return scattered;
    }

    /// <summary>The decoder's initial states (Ld, B, Hd): zero without a bridge, else W·x + b, through tanh when <paramref name="squash"/>.</summary>
    private Tensor<T> BridgeForward(Linear<T>? bridge, T[] input, int batch, bool squash)
    {
        var states = Tensor<T>.Zeros(Options.DecoderLayers, batch, Options.DecoderHiddenSize); // (Ld, B, Hd)
        if (bridge is not null)
        {
            Linear<T>.ForwardRows(input, Options.DecoderLayers * batch, bridge.InputSize, bridge.OutputSize, bridge.Weight, bridge.Bias!.Value.Span, states.Span);
            if (squash)
            {
                AttentionKernels.TanhInPlace(states.Span);
            }
        }

        return states;
    }

    /// <summary>Back through the bridge: accumulates its gradients and returns dL/d(encoder final states), or null without a bridge.</summary>
    private Tensor<T>? BridgeBackward(Linear<T>? bridge, T[] input, Tensor<T> output, Tensor<T> gradOutput, int batch, bool squash)
    {
        if (bridge is null)
        {
            return null;
        }

        var dPre = gradOutput.Span.ToArray(); // (Ld, B, Hd)
        if (squash)
        {
            AttentionKernels.TanhBackwardInPlace<T>(output.Span, dPre);
        }

        var dInput = new T[input.Length]; // (Ld, B, Ds)
        Linear<T>.BackwardRows(input, dPre, Options.DecoderLayers * batch, bridge.InputSize, bridge.OutputSize, bridge.Weight, bridge.Bias, dInput);
        return ScatterFinalStates(dInput, batch);
    }
}
