// Dimension legend: N = samples received, W = samples per window, Nfft = FFT size, D0 = log-mel energies or MFCCs per
// frame, D = features per frame (D0, or 2·D0 with deltas).
using System.Runtime.InteropServices;
using Carnet.Kernels;

namespace Carnet.Tasks.Speech;

/// <summary>
/// Speech features computed while audio arrives: push samples as they come, at any rate, and get back each frame as
/// soon as the samples it reads are in (with deltas, two frames later); <see cref="Finish"/> flushes the end of the
/// recording. The frames are bit for bit those <see cref="SpeechFeatures.Compute(IO.WaveAudio, SpeechFeatureOptions, out int)"/>
/// computes from the whole recording, however the samples are cut into pushes. The normalisation must be causal
/// (<see cref="SpeechNormalization.Running"/> or none): per-utterance normalisation needs the end first.
/// </summary>
public sealed class SpeechFeatureStream
{
    private readonly SpeechFeatureOptions options;
    private readonly ResamplingStage? resampling; // null when the audio is at the features' rate
    private readonly List<float> samples = []; // (N − samplesOffset) samples at the features' rate, from samplesOffset on
    private readonly double[] filters, window; // (M, Nb), (Nfft)
    private readonly List<double[]> rows = []; // (D0) frames before deltas, from rowsOffset on
    private readonly double[] means, squares; // (D) running normalisation
    private long samplesOffset, samplesReceived, rowsOffset;
    private int framesMade, rowsMade;
    private bool finished;

    /// <summary>A stream of features with <paramref name="options"/> from audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="ArgumentException">The options normalise over the utterance, are out of range, or the rate is not positive.</exception>
    public SpeechFeatureStream(SpeechFeatureOptions options, int sampleRate)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (options.Normalization == SpeechNormalization.Utterance)
        {
            throw new ArgumentException("Per-utterance normalisation needs the whole recording first; streamed features need running normalisation or none.", nameof(options));
        }

        this.options = options;
        resampling = sampleRate == options.SampleRate ? null : new ResamplingStage(sampleRate, options.SampleRate);
        filters = SpeechFeatures.Filterbank(options);
        window = new double[options.FftSize];
        means = new double[options.Dimensions];
        squares = new double[options.Dimensions];
    }

    /// <summary>D: features per frame.</summary>
    public int Dimensions => options.Dimensions;

    /// <summary>Takes the next samples in; returns the frames (D each) they complete, in order.</summary>
    /// <exception cref="InvalidOperationException">The stream has finished.</exception>
    public IReadOnlyList<float[]> Push(ReadOnlySpan<float> audio)
    {
        ThrowIfFinished();
        if (resampling is null)
        {
            samples.AddRange(audio);
        }
        else
        {
            resampling.Push(audio, samples, final: false);
        }

        samplesReceived = samplesOffset + samples.Count;
        var frames = new List<float[]>();
        MakeFrames(frames, final: false);
        return frames;
    }

    /// <summary>Ends the recording: returns its last frames (a recording shorter than a window still gives one).</summary>
    public IReadOnlyList<float[]> Finish()
    {
        ThrowIfFinished();
        resampling?.Push([], samples, final: true);
        samplesReceived = samplesOffset + samples.Count;
        var frames = new List<float[]>();
        MakeFrames(frames, final: true);
        finished = true;
        return frames;
    }

    private void ThrowIfFinished()
    {
        if (finished)
        {
            throw new InvalidOperationException("This feature stream has finished its recording; start a new stream for the next one.");
        }
    }

    /// <summary>Windows every frame whose samples are in (at the end, a first frame however short), then passes rows on.</summary>
    private void MakeFrames(List<float[]> frames, bool final)
    {
        int size = options.WindowSamples, hop = options.HopSamples;
        var received = CollectionsMarshal.AsSpan(samples);
        while (((long)framesMade * hop) + size <= samplesReceived || (final && framesMade == 0))
        {
            long start = (long)framesMade * hop;
            int local = (int)(start - samplesOffset), count = (int)Math.Min(size, samplesReceived - start);
            Array.Clear(window);
            AudioKernels.WindowFrame(received.Slice(local, count), start > 0 ? received[local - 1] : 0, size, options.PreEmphasis, window);
            rows.Add(SpeechFeatures.Frames(window, options, filters));
            framesMade++;
        }

        long keep = Math.Clamp(((long)framesMade * hop) - 1, 0, samplesReceived); // the next frame's first sample and the one before it
        Drop(samples, ref samplesOffset, keep);
        EmitRows(frames, final);
    }

    /// <summary>Each frame whose deltas can be computed (two frames after it, or the end): features, deltas, normalisation.</summary>
    private void EmitRows(List<float[]> frames, bool final)
    {
        long total = rowsOffset + rows.Count;
        int width = options.Dimensions;
        while (rowsMade < total && (final || !options.Deltas || rowsMade + 2 < total))
        {
            var frame = new double[width]; // (D)
            ReadOnlySpan<double> Row(long index) => rows[(int)(Math.Clamp(index, 0, total - 1) - rowsOffset)];
            Row(rowsMade).CopyTo(frame);
            if (options.Deltas)
            {
                AudioKernels.Delta(Row(rowsMade - 2), Row(rowsMade - 1), Row(rowsMade + 1), Row(rowsMade + 2), frame.AsSpan(width / 2));
            }

            rowsMade++;
            if (options.Normalization == SpeechNormalization.Running)
            {
                AudioKernels.NormalizeRunning(frame, means, squares, rowsMade);
            }

            frames.Add([.. frame.Select(v => (float)v)]);
        }

        Drop(rows, ref rowsOffset, Math.Max(0, rowsMade - 2));
    }

    /// <summary>Drops the items of <paramref name="items"/> (which starts at index <paramref name="offset"/>) before <paramref name="keep"/>.</summary>
    private static void Drop<TItem>(List<TItem> items, ref long offset, long keep)
    {
        int count = (int)(keep - offset);
        if (count > 0)
        {
            items.RemoveRange(0, count);
            offset = keep;
        }
    }

    /// <summary>Band-limited resampling as samples arrive: each output sample once every input it reads is in.</summary>
    private sealed class ResamplingStage(int fromRate, int toRate)
    {
        private readonly AudioKernels.ResamplingFilter filter = new(fromRate, toRate);
        private readonly List<float> input = []; // inputs from offset on
        private long offset, made;

        public void Push(ReadOnlySpan<float> audio, List<float> output, bool final)
        {
            input.AddRange(audio);
            long received = offset + input.Count;
            long total = final ? received * toRate / fromRate : long.MaxValue; // the output length, once the input's is known
            var buffered = CollectionsMarshal.AsSpan(input);
            while (made < total && (final || filter.Last(made) < received))
            {
                output.Add(filter.Sample(buffered, offset, received, made));
                made++;
            }

            Drop(input, ref offset, Math.Clamp(filter.First(made), 0, received));
        }
    }
}
