// Dimension legend: N = samples, F = frames (one every hop), D = feature dimensions per frame.
using Carnet.IO;
using Carnet.Kernels;

namespace Carnet.Tasks.Speech;

/// <summary>How each feature dimension is brought to mean 0 and deviation 1.</summary>
public enum SpeechNormalization
{
    /// <summary>The features as computed.</summary>
    None,

    /// <summary>Over the whole utterance (needs all of it first, so only for models that read the whole recording).</summary>
    Utterance,

    /// <summary>Over the frames so far, causally: what a model that transcribes while audio arrives needs.</summary>
    Running,
}

/// <summary>How speech audio becomes frames of features. The defaults are the usual ones: 25 ms Hamming windows every 10 ms, 40 mel bands.</summary>
public sealed record SpeechFeatureOptions
{
    /// <summary>The rate audio is resampled to before anything else, in Hz.</summary>
    public int SampleRate { get; init; } = 8000;

    /// <summary>The analysis window, in milliseconds.</summary>
    public double WindowMilliseconds { get; init; } = 25;

    /// <summary>The step between windows, in milliseconds.</summary>
    public double HopMilliseconds { get; init; } = 10;

    /// <summary>Triangular mel filters between 0 Hz and half the sample rate.</summary>
    public int MelBands { get; init; } = 40;

    /// <summary>0 for log-mel energies; otherwise this many MFCCs (the first cepstra of the log-mel energies, c0 included).</summary>
    public int Cepstra { get; init; }

    /// <summary>k of the pre-emphasis y[n] = x[n] − k·x[n − 1] (0 for none).</summary>
    public double PreEmphasis { get; init; } = 0.97;

    /// <summary>Whether the regression deltas (±2 frames) of each feature follow the features.</summary>
    public bool Deltas { get; init; }

    /// <summary>How each dimension is brought to mean 0 and deviation 1: over the utterance, or over the frames so far.</summary>
    public SpeechNormalization Normalization { get; init; } = SpeechNormalization.Utterance;

    /// <summary>Samples per window at <see cref="SampleRate"/>.</summary>
    public int WindowSamples => (int)Math.Round(SampleRate * WindowMilliseconds / 1000);

    /// <summary>Samples per hop at <see cref="SampleRate"/>.</summary>
    public int HopSamples => (int)Math.Round(SampleRate * HopMilliseconds / 1000);

    /// <summary>The FFT size: the power of two at or above the window.</summary>
    public int FftSize => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)WindowSamples);

    /// <summary>D: the features per frame.</summary>
    public int Dimensions => (Cepstra > 0 ? Cepstra : MelBands) * (Deltas ? 2 : 1);

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the one out of range.</summary>
    public void Validate()
    {
        Require(SampleRate is >= 1000 and <= 192_000, $"the sample rate {SampleRate} Hz is outside 1,000 to 192,000");
        Require(WindowSamples >= 16 && HopSamples >= 1, $"a window of {WindowSamples} samples and a hop of {HopSamples}: at least 16 and 1");
        Require(MelBands is >= 1 and <= 256 && MelBands < FftSize / 2, $"{MelBands} mel bands for {FftSize / 2 + 1} spectrum bins");
        Require(Cepstra >= 0 && Cepstra <= MelBands, $"{Cepstra} cepstra from {MelBands} mel bands");
        Require(PreEmphasis is >= 0 and < 1, $"a pre-emphasis of {PreEmphasis}: in [0, 1)");
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Speech features: {problem}.");
        }
    }
}

/// <summary>Speech features: log-mel filterbank energies or MFCCs, with optional deltas and per-utterance normalisation.</summary>
public static class SpeechFeatures
{
    /// <summary>Energies below this (the power of a silent band) are raised to it before the logarithm.</summary>
    public const double EnergyFloor = 1e-10;

    /// <summary>The features (F, D) of an audio file's samples, resampled to the options' rate first.</summary>
    public static float[] Compute(WaveAudio audio, SpeechFeatureOptions options, out int frames)
        => Compute(AudioKernels.Resample(audio.Samples, audio.SampleRate, options.SampleRate), options, out frames);

    /// <summary>The features (F, D) of samples at <see cref="SpeechFeatureOptions.SampleRate"/>.</summary>
    public static float[] Compute(ReadOnlySpan<float> samples, SpeechFeatureOptions options, out int frames)
    {
        var values = ComputeDouble(samples, options, out frames);
        return [.. values.Select(v => (float)v)];
    }

    /// <summary><see cref="Compute(ReadOnlySpan{float}, SpeechFeatureOptions, out int)"/> in double precision, as computed.</summary>
    internal static double[] ComputeDouble(ReadOnlySpan<float> samples, SpeechFeatureOptions options, out int frames)
    {
        options.Validate();
        var windows = AudioKernels.WindowedFrames(samples, options.WindowSamples, options.HopSamples, options.FftSize, options.PreEmphasis, out frames); // (F, Nfft)
        var features = Frames(windows, options, Filterbank(options)); // (F, D0)
        int width = options.Cepstra > 0 ? options.Cepstra : options.MelBands;
        if (options.Deltas)
        {
            var deltas = AudioKernels.Deltas(features, width);
            var joined = new double[features.Length * 2]; // (F, 2D): each frame's features, then their deltas
            for (int f = 0; f < frames; f++)
            {
                features.AsSpan(f * width, width).CopyTo(joined.AsSpan(2 * f * width));
                deltas.AsSpan(f * width, width).CopyTo(joined.AsSpan(((2 * f) + 1) * width));
            }

            (features, width) = (joined, 2 * width);
        }

        if (options.Normalization == SpeechNormalization.Utterance)
        {
            AudioKernels.NormalizeColumns(features, width);
        }
        else if (options.Normalization == SpeechNormalization.Running)
        {
            var means = new double[width];
            var squares = new double[width];
            for (int f = 0; f < frames; f++)
            {
                AudioKernels.NormalizeRunning(features.AsSpan(f * width, width), means, squares, f + 1);
            }
        }

        return features;
    }

    /// <summary>The mel filters (M, Nb) of the options.</summary>
    internal static double[] Filterbank(SpeechFeatureOptions options)
        => AudioKernels.MelFilterbank(options.MelBands, options.FftSize, options.SampleRate, 0, options.SampleRate / 2.0);

    /// <summary>Windowed frames (F, Nfft) to log-mel energies or MFCCs (F, D0), before deltas and normalisation.</summary>
    internal static double[] Frames(ReadOnlySpan<double> windows, SpeechFeatureOptions options, ReadOnlySpan<double> filters)
    {
        int fftSize = options.FftSize;
        var power = AudioKernels.PowerSpectra(windows, fftSize); // (F, Nb)
        var features = AudioKernels.LogFilterbankEnergies(power, filters, (fftSize / 2) + 1, EnergyFloor); // (F, M)
        return options.Cepstra > 0 ? AudioKernels.Dct(features, options.MelBands, options.Cepstra) : features; // (F, D0)
    }
}
