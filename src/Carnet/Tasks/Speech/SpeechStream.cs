// Dimension legend: D = features per frame, k = frames stacked into one step, P = size of h (the recurrent output),
// C = CTC symbols (the blank included), K = word classes, T = steps so far.
using System.Runtime.InteropServices;
using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Tasks.Speech;

/// <summary>
/// Transcribes while audio arrives: a unidirectional speech model reads each step as soon as its frames are in
/// (<see cref="SpeechFeatureStream"/>, then a <see cref="RecurrentStream{T}"/>: weights packed once, state carried).
/// A CTC model's greedy transcript grows with every push; <see cref="Finish"/> flushes the end of the recording and
/// gives the final transcript (prefix beam search over the whole recording if asked), or a word model's label. It
/// computes what <see cref="SpeechModel.Transcribe"/> computes from the whole recording.
/// </summary>
public sealed class SpeechStream : IDisposable
{
    private readonly SpeechModel model;
    private readonly int sampleRate;
    private readonly RecurrentStream<float> recurrent;
    private readonly float[] stepInput; // (k·D) the frames of the step being filled
    private readonly Tensor<float> output; // (1, P)
    private readonly List<double> logProbabilities = []; // (T, C) of a CTC model
    private readonly List<float> outputs = []; // (T, P) of a word model, pooled at the end
    private readonly List<int> symbols = []; // the greedy transcript so far
    private SpeechFeatureStream features;
    private int framesInStep, previous = SpeechModel.Blank;
    private string? result;

    /// <summary>A stream for <paramref name="model"/> reading audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="ArgumentException">
    /// The model reads each recording both ways, or normalises its features over the whole recording: it cannot run as
    /// audio arrives (train it with --bidirectional no, which normalises as it goes).
    /// </exception>
    public SpeechStream(SpeechModel model, int sampleRate)
    {
        if (!CanStream(model))
        {
            throw new ArgumentException(
                "This speech model " + (model.Network.Recurrent.Options.Bidirectional ? "reads each recording backwards too" : "normalises over whole recordings") +
                ", so it cannot transcribe while audio arrives; transcribe whole recordings instead.", nameof(model));
        }

        this.model = model;
        this.sampleRate = sampleRate;
        features = new SpeechFeatureStream(model.Features, sampleRate);
        recurrent = new RecurrentStream<float>(model.Network.Recurrent);
        stepInput = new float[model.Network.Recurrent.Options.InputSize];
        output = Tensor<float>.Zeros(1, model.Network.Recurrent.StateSize);
    }

    /// <summary>Whether a model can run on a stream: unidirectional, with causal feature normalisation.</summary>
    public static bool CanStream(SpeechModel model)
        => !model.Network.Recurrent.Options.Bidirectional && model.Features.Normalization != SpeechNormalization.Utterance;

    /// <summary>The network steps run so far.</summary>
    public int Steps { get; private set; }

    /// <summary>The transcript so far: a CTC model's greedy transcript (its final form after <see cref="Finish"/>), a word model's label once finished.</summary>
    public string Transcript => result ?? (model.Kind == SpeechModelKind.Ctc ? model.Join(symbols) : string.Empty);

    /// <summary>A word model's scores (K) once finished.</summary>
    internal float[]? WordScores { get; private set; }

    /// <summary>The symbol log-probabilities (T, C) of every step so far (CTC models).</summary>
    internal IReadOnlyList<double> LogProbabilities => logProbabilities;

    /// <summary>Takes the next samples in, runs every step they complete; returns the transcript so far.</summary>
    /// <exception cref="InvalidOperationException">The recording has finished (call <see cref="Reset"/> first).</exception>
    public string Push(ReadOnlySpan<float> audio)
    {
        Read(features.Push(audio));
        return Transcript;
    }

    /// <summary>
    /// Ends the recording: runs the last steps (a last step of fewer than k frames repeats the final frame, as stacking
    /// does) and returns the final transcript: greedy, or by prefix beam search of <paramref name="beamWidth"/> over every
    /// step; a word model's label.
    /// </summary>
    public string Finish(int beamWidth = 1)
    {
        Read(features.Finish());
        if (framesInStep > 0)
        {
            int width = model.Features.Dimensions;
            for (int j = framesInStep; j < model.FrameStack; j++)
            {
                stepInput.AsSpan((framesInStep - 1) * width, width).CopyTo(stepInput.AsSpan(j * width));
            }

            RunStep();
        }

        result = model.Kind == SpeechModelKind.Words ? Label() : beamWidth > 1 ? Beam(beamWidth) : model.Join(symbols);
        return result;
    }

    /// <summary>Starts a new recording.</summary>
    public void Reset()
    {
        features = new SpeechFeatureStream(model.Features, sampleRate);
        recurrent.Reset();
        logProbabilities.Clear();
        outputs.Clear();
        symbols.Clear();
        (framesInStep, previous, Steps, result, WordScores) = (0, SpeechModel.Blank, 0, null, null);
    }

    /// <summary>Returns the packed weights' buffers to the pool.</summary>
    public void Dispose() => recurrent.Dispose();

    private void Read(IReadOnlyList<float[]> frames)
    {
        foreach (var frame in frames)
        {
            frame.CopyTo(stepInput, framesInStep * frame.Length);
            if (++framesInStep == model.FrameStack)
            {
                RunStep();
            }
        }
    }

    /// <summary>One network step on the stacked frames: the recurrent state moves on; a CTC model's new symbol joins the transcript.</summary>
    private void RunStep()
    {
        recurrent.Step(stepInput, output.Span);
        framesInStep = 0;
        Steps++;
        if (model.Kind == SpeechModelKind.Words)
        {
            outputs.AddRange(output.Span);
            return;
        }

        var scores = model.Network.Head.Forward(output); // (1, C)
        var row = new double[scores.Length]; // (C)
        SearchKernels.LogSoftmaxRows<float>(scores.Span, 1, scores.Length, row);
        logProbabilities.AddRange(row);
        if (CtcKernels.GreedyStep<double>(row, SpeechModel.Blank, ref previous) is int symbol and >= 0)
        {
            symbols.Add(symbol);
        }
    }

    private string Beam(int beamWidth)
    {
        int classes = model.Symbols.Count;
        return model.Join(CtcKernels.PrefixBeamSearch<double>(CollectionsMarshal.AsSpan(logProbabilities), classes, Steps, classes, SpeechModel.Blank, beamWidth));
    }

    /// <summary>A word model's label: the steps' outputs pooled and scored as the whole-recording forward pass does.</summary>
    private string Label()
    {
        var steps = Tensor<float>.FromValues(CollectionsMarshal.AsSpan(outputs), 1, Steps, model.Network.Recurrent.StateSize); // (1, T, P)
        WordScores = model.Network.Predict(steps).Span.ToArray(); // (K)
        return model.Symbols[SpeechModel.Argmax(WordScores)];
    }
}
