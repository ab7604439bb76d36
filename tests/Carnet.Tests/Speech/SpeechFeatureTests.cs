using System.Globalization;
using Carnet.Kernels;
using Carnet.Tasks.Speech;
using Carnet.Tests.Golden;

namespace Carnet.Tests.Speech;

/// <summary>
/// Speech features against reference values computed independently with numpy in double precision
/// (tests/golden/speech, made by tests/golden/generate_speech_features.py): log-mel energies and MFCCs at 8, 16 and
/// 22.05 kHz, with and without deltas, pre-emphasis and normalisation; the FFT against the direct DFT; resampling keeps
/// a tone below the new Nyquist frequency and removes one above it.
/// </summary>
public sealed class SpeechFeatureTests
{
    public static TheoryData<string, string> Files => GoldenFiles.In("speech");

    [Fact]
    public void EverySettingHasAReferenceFile() => Assert.True(Files.Count >= 7, $"only {Files.Count} speech reference files");

    /// <summary>The feature settings a golden file was computed with.</summary>
    internal static SpeechFeatureOptions Options(IReadOnlyDictionary<string, string> meta)
    {
        double Number(string key) => double.Parse(meta[key], CultureInfo.InvariantCulture);
        return new SpeechFeatureOptions
        {
            SampleRate = (int)Number("sample_rate"), WindowMilliseconds = Number("window_ms"), HopMilliseconds = Number("hop_ms"),
            MelBands = (int)Number("mel_bands"), Cepstra = (int)Number("cepstra"), PreEmphasis = Number("pre_emphasis"),
            Deltas = meta["deltas"] == "true",
            Normalization = meta["normalize"] switch
            {
                "true" => SpeechNormalization.Utterance,
                "running" => SpeechNormalization.Running,
                _ => SpeechNormalization.None,
            },
        };
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FeaturesMatchTheNumpyReference(string source, string file)
    {
        var golden = GoldenFiles.Read(source, "speech", file);
        var options = Options(golden.Metadata);
        var signal = golden["signal"].ToDoubleArray().Select(v => (float)v).ToArray();
        var expected = golden["features"].ToDoubleArray();
        var actual = SpeechFeatures.ComputeDouble(signal, options, out int frames);
        Assert.Equal(golden["features"].Shape[0], frames);
        Assert.Equal(golden["features"].Shape[1], options.Dimensions);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])), $"{file}[{i}]: {actual[i]:R} against {expected[i]:R}");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(512)]
    public void TheFftIsTheDirectTransform(int n)
    {
        var random = new RandomSource((ulong)n);
        var real = new double[n];
        var imaginary = new double[n];
        random.FillGaussian<double>(real, 0, 1);
        random.FillGaussian<double>(imaginary, 0, 1);
        var (inputReal, inputImaginary) = (real.ToArray(), imaginary.ToArray());
        AudioKernels.Fft(real, imaginary);
        for (int k = 0; k < n; k++)
        {
            double sumReal = 0, sumImaginary = 0;
            for (int j = 0; j < n; j++)
            {
                double angle = -2 * Math.PI * k * j / n;
                sumReal += (inputReal[j] * Math.Cos(angle)) - (inputImaginary[j] * Math.Sin(angle));
                sumImaginary += (inputReal[j] * Math.Sin(angle)) + (inputImaginary[j] * Math.Cos(angle));
            }

            Assert.Equal(sumReal, real[k], 9);
            Assert.Equal(sumImaginary, imaginary[k], 9);
        }
    }

    /// <summary>The amplitude of <paramref name="hertz"/> in the middle of a signal, by correlation with sine and cosine.</summary>
    private static double Amplitude(float[] signal, int rate, double hertz)
    {
        double sine = 0, cosine = 0;
        int from = signal.Length / 4, to = 3 * signal.Length / 4;
        for (int n = from; n < to; n++)
        {
            sine += signal[n] * Math.Sin(2 * Math.PI * hertz * n / rate);
            cosine += signal[n] * Math.Cos(2 * Math.PI * hertz * n / rate);
        }

        return 2 * Math.Sqrt((sine * sine) + (cosine * cosine)) / (to - from);
    }

    private static float[] Tone(int rate, double hertz, double seconds)
        => [.. Enumerable.Range(0, (int)(rate * seconds)).Select(n => (float)(0.8 * Math.Sin(2 * Math.PI * hertz * n / rate)))];

    [Theory]
    [InlineData(22050, 8000)]
    [InlineData(8000, 16000)]
    [InlineData(44100, 16000)]
    [InlineData(16000, 8000)]
    public void ResamplingKeepsTheBandAndRemovesWhatTheNewRateCannotHold(int from, int to)
    {
        var kept = AudioKernels.Resample(Tone(from, 1000, 0.5), from, to);
        Assert.Equal((int)((long)(from / 2) * to / from), kept.Length);
        Assert.InRange(Amplitude(kept, to, 1000), 0.8 * 0.995, 0.8 * 1.005); // within 0.05 dB in the pass band

        if (to < from)
        {
            double above = (0.55 * to) + 200; // above the new Nyquist frequency: would alias to to − above
            var removed = AudioKernels.Resample(Tone(from, above, 0.5), from, to);
            Assert.True(Amplitude(removed, to, to - above) < 0.8 * 1e-3, "an alias stronger than −60 dB");
        }
    }

    [Fact]
    public void ASignalShorterThanAWindowIsOneFrame()
    {
        var features = SpeechFeatures.Compute(new float[50], new SpeechFeatureOptions { Normalization = SpeechNormalization.None }, out int frames);
        Assert.Equal(1, frames);
        Assert.All(features, v => Assert.Equal((float)Math.Log(SpeechFeatures.EnergyFloor), v)); // silence: every band at the floor
        Assert.Throws<ArgumentException>(() => SpeechFeatures.Compute(new float[500], new SpeechFeatureOptions { MelBands = 200 }, out _));
    }
}
