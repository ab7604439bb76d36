// Dimension legend: F = feature frames, D = features per frame, k = frames stacked into one step, T = steps (⌈F/k⌉),
// K = word classes, C = CTC symbols (the blank, index 0, included).
using Carnet.IO;
using Carnet.Kernels;
using Carnet.Models;

namespace Carnet.Tasks.Speech;

/// <summary>What a speech model recognises.</summary>
public enum SpeechModelKind
{
    /// <summary>One label per recording (isolated words): the network pools over time into K classes.</summary>
    Words,

    /// <summary>A sequence of symbols per recording, trained by CTC: the network emits C posteriors per step.</summary>
    Ctc,
}

/// <summary>How a CTC model's transcripts are cut into symbols.</summary>
public enum SpeechTokens
{
    /// <summary>Every character is a symbol (spaces included); a transcript is the symbols joined.</summary>
    Characters,

    /// <summary>Whitespace-separated words (or digits) are symbols; a transcript is the symbols joined by spaces.</summary>
    Words,
}

/// <summary>
/// A trained speech recogniser: the network with its feature settings, frame stacking and symbols, saved in one model
/// file (<c>preprocessing.*</c> metadata). Word models pool over time into a label; CTC models emit per-step symbol
/// posteriors, decoded greedily or by prefix beam search.
/// </summary>
public sealed class SpeechModel
{
    /// <summary>The value of <c>preprocessing.task</c> in a speech model file.</summary>
    public const string Task = "speech";

    /// <summary>The CTC blank's index.</summary>
    public const int Blank = 0;

    private readonly string[] symbols;

    internal SpeechModel(SequenceModel<float> network, SpeechModelKind kind, SpeechTokens tokens, string[] symbols, SpeechFeatureOptions features, int frameStack)
        => (Network, Kind, Tokens, this.symbols, Features, FrameStack) = (network, kind, tokens, symbols, features, frameStack);

    /// <summary>The network: (B, T, k·D) features to (B, K) word scores or (B, T, C) symbol scores.</summary>
    public SequenceModel<float> Network { get; }

    /// <summary>Words or CTC.</summary>
    public SpeechModelKind Kind { get; }

    /// <summary>How transcripts are cut into symbols (CTC models).</summary>
    public SpeechTokens Tokens { get; }

    /// <summary>The word labels (K), or the CTC symbols (C) with the blank, "", first.</summary>
    public IReadOnlyList<string> Symbols => symbols;

    /// <summary>The feature settings.</summary>
    public SpeechFeatureOptions Features { get; }

    /// <summary>k: feature frames stacked into one network step.</summary>
    public int FrameStack { get; }

    /// <summary>The network's input (T, k·D) for a recording: its features, frames stacked.</summary>
    public float[] Inputs(WaveAudio audio, out int steps) => Stack(SpeechFeatures.Compute(audio, Features, out int frames), frames, out steps);

    /// <summary>Stacks <see cref="FrameStack"/> frames of features (F, D) into steps (T, k·D).</summary>
    public float[] Stack(float[] features, int frames, out int steps)
    {
        if (FrameStack == 1)
        {
            steps = frames;
            return features;
        }

        return AudioKernels.StackFrames(features, Features.Dimensions, FrameStack, out steps);
    }

    /// <summary>
    /// Transcribes recordings given as network inputs (T_n, k·D): the best word, or the CTC transcript (greedy with a
    /// beam width of 1, prefix beam search otherwise). Runs in batches in evaluation mode.
    /// </summary>
    public string[] Transcribe(IReadOnlyList<float[]> inputs, int beamWidth = 1, int batchSize = 32)
    {
        var transcripts = new string[inputs.Count];
        int width = Network.Options.Recurrent.InputSize;
        for (int start = 0; start < inputs.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, inputs.Count - start);
            var batch = SpeechBatches.Pad(inputs, start, count, width, out int[] lengths);
            var prediction = Network.Forward(batch, lengths).Prediction.Span; // (B, K) or (B, T, C)
            int steps = batch.Shape[1], classes = symbols.Length;
            for (int b = 0; b < count; b++)
            {
                transcripts[start + b] = Kind == SpeechModelKind.Words
                    ? symbols[Argmax(prediction.Slice(b * classes, classes))]
                    : Join(Decode(prediction.Slice(b * steps * classes, lengths[b] * classes), lengths[b], beamWidth));
            }
        }

        return transcripts;
    }

    /// <summary>
    /// The network's probabilities for one recording's input (T, k·D): (T, C) per-step symbol posteriors of a CTC model,
    /// or (1, K) word probabilities of a word model, softmax of the scores.
    /// </summary>
    public double[] Posteriors(float[] input)
    {
        var batch = SpeechBatches.Pad([input], Network.Options.Recurrent.InputSize, out int[] lengths); // (1, T, k·D)
        double[] scores = Network.Forward(batch, lengths).Prediction.ToDoubles(); // (1, K) or (1, T, C)
        var probabilities = new double[scores.Length];
        ScalingKernels.Softmax(scores, symbols.Length, probabilities);
        return probabilities;
    }

    private int[] Decode(ReadOnlySpan<float> scores, int steps, int beamWidth) // (T, C)
    {
        var logProbabilities = new double[scores.Length]; // (T, C)
        SearchKernels.LogSoftmaxRows(scores, steps, symbols.Length, logProbabilities);
        return beamWidth <= 1
            ? CtcKernels.GreedyDecode<double>(logProbabilities, symbols.Length, steps, symbols.Length, Blank)
            : CtcKernels.PrefixBeamSearch<double>(logProbabilities, symbols.Length, steps, symbols.Length, Blank, beamWidth);
    }

    internal static int Argmax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            best = row[c] > row[best] ? c : best;
        }

        return best;
    }

    /// <summary>A transcript from symbol ids: characters joined, or words joined by spaces.</summary>
    public string Join(IEnumerable<int> ids) => string.Join(Tokens == SpeechTokens.Words ? " " : "", ids.Select(id => symbols[id]));

    /// <summary>
    /// A transcript's symbol ids (CTC), or null for a symbol outside the model's alphabet, whose text
    /// <paramref name="unknown"/> receives.
    /// </summary>
    public int[]? Encode(string text, out string? unknown)
    {
        string[] parts = Split(text, Tokens);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            ids[i] = Array.IndexOf(symbols, parts[i], 1);
            if (ids[i] < 0)
            {
                unknown = parts[i];
                return null;
            }
        }

        unknown = null;
        return ids;
    }

    /// <summary>A transcript cut into symbols.</summary>
    public static string[] Split(string text, SpeechTokens tokens)
        => tokens == SpeechTokens.Words ? text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : [.. text.Select(c => c.ToString())];

    /// <summary>The <c>preprocessing.*</c> entries of the model file.</summary>
    public Dictionary<string, string> Preprocessing() => new(StringComparer.Ordinal)
    {
        ["task"] = Task,
        ["kind"] = Kind == SpeechModelKind.Words ? "words" : "ctc",
        ["tokens"] = Tokens == SpeechTokens.Words ? "words" : "characters",
        ["symbols"] = MetadataWriter.Strings(symbols),
        ["frame_stack"] = MetadataWriter.Integer(FrameStack),
        ["features.sample_rate"] = MetadataWriter.Integer(Features.SampleRate),
        ["features.window_ms"] = MetadataWriter.Number(Features.WindowMilliseconds),
        ["features.hop_ms"] = MetadataWriter.Number(Features.HopMilliseconds),
        ["features.mel_bands"] = MetadataWriter.Integer(Features.MelBands),
        ["features.cepstra"] = MetadataWriter.Integer(Features.Cepstra),
        ["features.pre_emphasis"] = MetadataWriter.Number(Features.PreEmphasis),
        ["features.deltas"] = MetadataWriter.Boolean(Features.Deltas),
        ["features.normalization"] = Features.Normalization.ToString().ToLowerInvariant(),
    };

    /// <summary>features.normalization (utterance, running or none), or the yes/no features.normalize of earlier files.</summary>
    private static SpeechNormalization Normalization(string path, MetadataReader settings) => settings.OptionalText("features.normalization") switch
    {
        null => settings.Boolean("features.normalize") ? SpeechNormalization.Utterance : SpeechNormalization.None,
        "utterance" => SpeechNormalization.Utterance,
        "running" => SpeechNormalization.Running,
        "none" => SpeechNormalization.None,
        string other => throw new SafeTensorsFormatException(path, $"preprocessing.features.normalization is '{other}'; expected utterance, running or none"),
    };

    /// <summary>Writes the model file atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, Network, Preprocessing());

    /// <summary>Reads a speech model file; anything that does not fit is a <see cref="SafeTensorsFormatException"/> naming the file.</summary>
    public static SpeechModel Load(string path)
    {
        var loaded = ModelFile.Load<float>(path);
        if (loaded.Task != Task)
        {
            throw new SafeTensorsFormatException(path, $"this model's task is '{loaded.Task}', not speech");
        }

        var settings = loaded.Settings(path);
        var kind = settings.Text("kind") switch
        {
            "words" => SpeechModelKind.Words,
            "ctc" => SpeechModelKind.Ctc,
            string other => throw new SafeTensorsFormatException(path, $"preprocessing.kind is '{other}'; expected words or ctc"),
        };
        var tokens = settings.Text("tokens") == "words" ? SpeechTokens.Words : SpeechTokens.Characters;
        var features = new SpeechFeatureOptions
        {
            SampleRate = settings.Integer("features.sample_rate", 1000, 192_000), WindowMilliseconds = settings.PositiveNumber("features.window_ms"),
            HopMilliseconds = settings.PositiveNumber("features.hop_ms"), MelBands = settings.Integer("features.mel_bands", 1, 256),
            Cepstra = settings.Integer("features.cepstra", 0, 256), PreEmphasis = settings.Number("features.pre_emphasis", 0, 1),
            Deltas = settings.Boolean("features.deltas"), Normalization = Normalization(path, settings),
        };
        int stack = settings.Integer("frame_stack", 1, 16);
        string[] symbols = settings.Strings("symbols");
        var options = loaded.Model.Options;
        bool fits = options.OutputSize == symbols.Length && options.Recurrent.InputSize == features.Dimensions * stack
            && (kind == SpeechModelKind.Ctc) == (options.Pooling == Pooling.None);
        return fits
            ? new SpeechModel(loaded.Model, kind, tokens, symbols, features, stack)
            : throw new SafeTensorsFormatException(path, $"the network ({options.OutputSize} outputs, input size {options.Recurrent.InputSize}, pooling {options.Pooling}) " +
                $"does not fit the preprocessing ({symbols.Length} symbols, {features.Dimensions} features × {stack} frames, {kind})");
    }
}
