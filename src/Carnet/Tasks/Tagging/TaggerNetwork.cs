// Dimension legend: T = time steps (longest sentence), B = sentences, W = distinct words of the batch, C = characters of
// the longest word, E = word embedding size, Ec = character embedding size, Hc = character hidden size, F = token
// features (E + 2·Hc), H = sentence hidden size, K = tags. Everything is time-major, as torch.nn.LSTM's default.
using System.Numerics;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Tasks.Tagging;

/// <summary>How a tagger turns token scores (emissions) into tags.</summary>
public enum TagDecoder
{
    /// <summary>A linear-chain CRF over the emissions, trained by its negative log-likelihood and decoded by Viterbi (BiLSTM-CRF).</summary>
    Crf,

    /// <summary>Each token on its own: softmax cross-entropy, decoded by the highest score.</summary>
    Softmax,
}

/// <summary>The shape of a <see cref="TaggerNetwork{T}"/>.</summary>
public sealed record TaggerNetworkOptions
{
    /// <summary>Word vocabulary size (ids 0 padding, 1 unknown).</summary>
    public required int WordVocabularySize { get; init; }

    /// <summary>E: word embedding size.</summary>
    public int WordEmbeddingSize { get; init; } = 100;

    /// <summary>Character vocabulary size (ids 0 padding, 1 unknown).</summary>
    public required int CharacterVocabularySize { get; init; }

    /// <summary>Ec: character embedding size.</summary>
    public int CharacterEmbeddingSize { get; init; } = 25;

    /// <summary>Hc: units per direction of the character BiLSTM; 0 leaves out the character features.</summary>
    public int CharacterHiddenSize { get; init; } = 25;

    /// <summary>H: units per direction of the sentence BiLSTM.</summary>
    public int HiddenSize { get; init; } = 100;

    /// <summary>Stacked sentence BiLSTM layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>K: tags.</summary>
    public required int TagCount { get; init; }

    /// <summary>The output layer.</summary>
    public TagDecoder Decoder { get; init; } = TagDecoder.Crf;

    /// <summary>Dropout on the token features, on the sentence BiLSTM's output and between its layers, in training only.</summary>
    public double Dropout { get; init; } = 0.5;

    /// <summary>F: the sentence BiLSTM's input size.</summary>
    public int FeatureSize => WordEmbeddingSize + 2 * CharacterHiddenSize;

    internal void Validate()
    {
        if (WordVocabularySize < 2 || CharacterVocabularySize < 2 || WordEmbeddingSize < 1 || CharacterEmbeddingSize < 1 || CharacterHiddenSize < 0
            || HiddenSize < 1 || NumLayers < 1 || TagCount < 1 || !(Dropout >= 0 && Dropout < 1))
        {
            throw new ArgumentException($"the tagger's configuration is out of range: {this}");
        }
    }
}

/// <summary>
/// The BiLSTM-CRF tagger of Lample et al. (2016): a word embedding (<c>word_embedding.</c>) and, per distinct word, a
/// character embedding (<c>char_embedding.</c>) read by a character BiLSTM (<c>char_rnn.</c>) whose final states of both
/// directions (h_n with the words' lengths) are concatenated; each token's word vector and character vector, with dropout,
/// feed a sentence BiLSTM (<c>rnn.</c>); its output, with dropout, goes through a linear layer (<c>head.</c>) to K tag scores,
/// decoded by a CRF (<c>crf.</c>) or a softmax. Prefixes are those of the equivalent PyTorch module's state_dict.
/// </summary>
public sealed class TaggerNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds the network, drawing initial weights from <paramref name="random"/> in module order.</summary>
    public TaggerNetwork(TaggerNetworkOptions options, RandomSource random)
    {
        options.Validate();
        Options = options;
        WordEmbedding = new Embedding<T>(options.WordVocabularySize, options.WordEmbeddingSize, TaggerVocabulary.Padding, random);
        var modules = new List<(string, Module<T>)> { ("word_embedding.", WordEmbedding) };
        if (options.CharacterHiddenSize > 0)
        {
            CharacterEmbedding = new Embedding<T>(options.CharacterVocabularySize, options.CharacterEmbeddingSize, TaggerVocabulary.Padding, random);
            CharacterRecurrent = new Lstm<T>(new RecurrentOptions
            {
                InputSize = options.CharacterEmbeddingSize, HiddenSize = options.CharacterHiddenSize, Bidirectional = true,
            }, random);
            modules.Add(("char_embedding.", CharacterEmbedding));
            modules.Add(("char_rnn.", CharacterRecurrent));
        }

        Recurrent = new Lstm<T>(new RecurrentOptions
        {
            InputSize = options.FeatureSize, HiddenSize = options.HiddenSize, NumLayers = options.NumLayers, Bidirectional = true,
            Dropout = options.NumLayers > 1 ? options.Dropout : 0,
        }, random);
        Head = new Linear<T>(Recurrent.OutputSize, options.TagCount, random: random);
        modules.Add(("rnn.", Recurrent));
        modules.Add(("head.", Head));
        if (options.Decoder == TagDecoder.Crf)
        {
            Crf = new Crf<T>(options.TagCount, random);
            modules.Add(("crf.", Crf));
        }

        Modules = modules.AsReadOnly();
    }

    /// <summary>The configuration.</summary>
    public TaggerNetworkOptions Options { get; }

    /// <summary>The word embedding (prefix <c>word_embedding.</c>).</summary>
    public Embedding<T> WordEmbedding { get; }

    /// <summary>The character embedding (prefix <c>char_embedding.</c>), or null without character features.</summary>
    public Embedding<T>? CharacterEmbedding { get; }

    /// <summary>The character BiLSTM (prefix <c>char_rnn.</c>), or null without character features.</summary>
    public Lstm<T>? CharacterRecurrent { get; }

    /// <summary>The sentence BiLSTM (prefix <c>rnn.</c>).</summary>
    public Lstm<T> Recurrent { get; }

    /// <summary>The linear layer 2H → K (prefix <c>head.</c>).</summary>
    public Linear<T> Head { get; }

    /// <summary>The CRF (prefix <c>crf.</c>), or null with the softmax decoder.</summary>
    public Crf<T>? Crf { get; }

    /// <summary>The modules with their state_dict prefixes, in order.</summary>
    public IReadOnlyList<(string Prefix, Module<T> Module)> Modules { get; }

    /// <summary>Runs a batch to emissions (T, B, K); dropout only when <paramref name="training"/>, with masks from <paramref name="random"/>.</summary>
    public TaggerResult<T> Forward(TaggerBatch batch, bool training = false, RandomSource? random = null)
    {
        int steps = batch.Steps, size = batch.Batch, characterSize = 2 * Options.CharacterHiddenSize;
        double dropout = training ? Options.Dropout : 0;
        var words = WordEmbedding.Forward(batch.WordIds, steps, size); // (T, B, E)
        RecurrentResult<T>? characterResult = null;
        var characterFeatures = new T[batch.WordCount * characterSize]; // (W, 2·Hc): [forward h_n, backward h_n]
        if (CharacterRecurrent is not null)
        {
            var characters = CharacterEmbedding!.Forward(batch.CharacterIds, batch.CharacterSteps, batch.WordCount); // (C, W, Ec)
            characterResult = CharacterRecurrent.Forward(characters, lengths: batch.CharacterLengths);
            int half = batch.WordCount * Options.CharacterHiddenSize;
            Span<T> hidden = characterResult.HiddenState.Span; // (2, W, Hc)
            Elementwise.CopyRows<T>(hidden[..half], Options.CharacterHiddenSize, batch.WordCount, Options.CharacterHiddenSize, characterFeatures, characterSize);
            Elementwise.CopyRows<T>(hidden[half..], Options.CharacterHiddenSize, batch.WordCount, Options.CharacterHiddenSize,
                characterFeatures.AsSpan(Options.CharacterHiddenSize), characterSize);
        }

        var features = Tensor<T>.Zeros(steps, size, Options.FeatureSize); // (T, B, F)
        TaggingKernels.ConcatenateTokenFeatures<T>(words.Span, characterFeatures, batch.WordIndex, Options.WordEmbeddingSize, characterSize, features.Span);
        T[]? featureMask = Dropout(features.Span, dropout, random); // (T, B, F)
        var recurrent = Recurrent.Forward(features, lengths: batch.Lengths, training: training, random: random);
        var output = recurrent.Output.Clone(); // (T, B, 2H)
        T[]? outputMask = Dropout(output.Span, dropout, random); // (T, B, 2H)
        var emissions = Head.Forward(output); // (T, B, K)
        return new TaggerResult<T>(emissions, batch, characterResult, featureMask, recurrent, output, outputMask, this);
    }

    /// <summary>
    /// The mean loss per token of a labelled batch (CRF: negative log-likelihood of the gold paths; softmax: cross-entropy)
    /// and its gradient with respect to the emissions (T, B, K); the CRF's parameter gradients are accumulated.
    /// </summary>
    public (double Loss, Tensor<T> Gradient) Loss(TaggerResult<T> result)
    {
        CheckOwner(result);
        var batch = result.Batch;
        int[] gold = batch.Tags ?? throw new ArgumentException("The batch has no tags to compute a loss from.", nameof(result));
        int tokens = batch.Lengths.Sum();
        if (Crf is not null)
        {
            var crf = Crf.Forward(result.Emissions, batch.Lengths, gold);
            return (crf.NegativeLogLikelihood / tokens, Crf.Backward(crf, 1.0 / tokens));
        }

        var gradient = Tensor<T>.Zeros(result.Emissions.Shape.ToArray()); // (T, B, K)
        T loss = LossKernels.CrossEntropy<T>(result.Emissions.Span, gold, default, -1, T.Zero, true, batch.Steps * batch.Batch, Options.TagCount,
            gradient.Span, default);
        return (double.CreateTruncating(loss), gradient);
    }

    /// <summary>Back-propagates dL/demissions (T, B, K) through every layer, accumulating every parameter's gradient.</summary>
    public void Backward(TaggerResult<T> result, Tensor<T> gradEmissions)
    {
        CheckOwner(result);
        var batch = result.Batch;
        int characterSize = 2 * Options.CharacterHiddenSize;
        gradEmissions.EnsureShape(nameof(gradEmissions), result.Emissions.Shape.ToArray());
        var dOutput = Head.Backward(result.Output, gradEmissions); // (T, B, 2H)
        if (result.OutputMask is { } outputMask)
        {
            Elementwise.Multiply<T>(dOutput.Span, outputMask, dOutput.Span);
        }

        var dFeatures = Recurrent.Backward(result.Recurrent, dOutput).Input; // (T, B, F)
        if (result.FeatureMask is { } featureMask)
        {
            Elementwise.Multiply<T>(dFeatures.Span, featureMask, dFeatures.Span);
        }

        var dWords = Tensor<T>.Zeros(batch.Steps, batch.Batch, Options.WordEmbeddingSize); // (T, B, E)
        var dCharacterFeatures = new T[batch.WordCount * characterSize]; // (W, 2·Hc)
        TaggingKernels.SplitTokenFeatures<T>(dFeatures.Span, batch.WordIndex, Options.WordEmbeddingSize, characterSize, dWords.Span, dCharacterFeatures);
        WordEmbedding.Backward(batch.WordIds, dWords);
        if (CharacterRecurrent is not null)
        {
            // dL/dh_n (2, W, Hc): the forward half of each word's feature to direction 0, the backward half to direction 1
            int hidden = Options.CharacterHiddenSize, half = batch.WordCount * hidden;
            var dHidden = Tensor<T>.Zeros(2, batch.WordCount, hidden); // (2, W, Hc)
            Elementwise.CopyRows<T>(dCharacterFeatures, characterSize, batch.WordCount, hidden, dHidden.Span[..half], hidden);
            Elementwise.CopyRows<T>(dCharacterFeatures.AsSpan(hidden), characterSize, batch.WordCount, hidden, dHidden.Span[half..], hidden);
            var dCharacters = CharacterRecurrent.Backward(result.CharacterRecurrent!, null, dHidden).Input; // (C, W, Ec)
            CharacterEmbedding!.Backward(batch.CharacterIds, dCharacters);
        }
    }

    /// <summary>The predicted tag of every token (T, B): Viterbi under the CRF, the best score under softmax; −1 past each end.</summary>
    public int[] Decode(TaggerResult<T> result)
    {
        CheckOwner(result);
        var batch = result.Batch;
        if (Crf is not null)
        {
            return Crf.Decode(result.Emissions, batch.Lengths);
        }

        var valid = new bool[batch.Steps * batch.Batch]; // (T, B)
        SequenceKernels.ActiveMask(batch.Lengths, batch.Steps, valid);
        var best = new int[valid.Length]; // (T, B)
        TaggingKernels.ArgmaxTags<T>(result.Emissions.Span, valid, Options.TagCount, best);
        return best;
    }

    /// <summary>Zeroes every module's gradients.</summary>
    public void ZeroGradients()
    {
        foreach (var (_, module) in Modules)
        {
            module.ZeroGradients();
        }
    }

    private static T[]? Dropout(Span<T> values, double probability, RandomSource? random)
    {
        if (probability <= 0)
        {
            return null;
        }

        var mask = new T[values.Length];
        SequenceKernels.DropoutMask(random ?? throw new ArgumentNullException(nameof(random), "Training with dropout needs a random source."), probability, mask.AsSpan());
        Elementwise.Multiply<T>(values, mask, values);
        return mask;
    }

    private void CheckOwner(TaggerResult<T> result)
    {
        if (!ReferenceEquals(result.Owner, this))
        {
            throw new ArgumentException("This result was computed by another network.", nameof(result));
        }
    }
}

/// <summary>A tagger network's emissions for a batch, and what its backward pass needs.</summary>
public sealed class TaggerResult<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal TaggerResult(Tensor<T> emissions, TaggerBatch batch, RecurrentResult<T>? characterRecurrent, T[]? featureMask,
        RecurrentResult<T> recurrent, Tensor<T> output, T[]? outputMask, object owner)
    {
        Emissions = emissions;
        Batch = batch;
        CharacterRecurrent = characterRecurrent;
        FeatureMask = featureMask;
        Recurrent = recurrent;
        Output = output;
        OutputMask = outputMask;
        Owner = owner;
    }

    /// <summary>Tag scores (T, B, K).</summary>
    public Tensor<T> Emissions { get; }

    /// <summary>The batch.</summary>
    public TaggerBatch Batch { get; }

    internal RecurrentResult<T>? CharacterRecurrent { get; }

    internal T[]? FeatureMask { get; } // (T, B, F), null without dropout

    internal RecurrentResult<T> Recurrent { get; }

    internal Tensor<T> Output { get; } // (T, B, 2H): the head's input, after dropout

    internal T[]? OutputMask { get; } // (T, B, 2H), null without dropout

    internal object Owner { get; }
}
