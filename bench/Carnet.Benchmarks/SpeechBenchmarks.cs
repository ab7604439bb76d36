// Dimension legend: F = feature frames (100 per second of audio), D = 40 log-mel features, k = frames stacked per step.
using BenchmarkDotNet.Attributes;
using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Speech;

namespace Carnet.Benchmarks;

/// <summary>
/// The real-time factor of <c>carnet speech transcribe</c> on one thread: each benchmark transcribes ten seconds of
/// 8 kHz audio (ten one-second recordings of tones in noise), so the mean time in seconds divided by 10 is the
/// seconds of compute per second of audio. The networks are the CLI's defaults with untrained weights (the work per
/// step does not depend on the weights): a bidirectional LSTM of 2 × 128 over 40 log-mel features, mean-pooled into
/// 10 words, or emitting 12 CTC symbols per step over frames stacked by 3; and the streaming path, a unidirectional
/// LSTM of 2 × 128 (running normalisation) fed 100 ms pushes through a <see cref="SpeechStream"/>.
/// </summary>
[MemoryDiagnoser]
public class SpeechBenchmarks
{
    private const int Recordings = 10, SampleRate = 8000;
    private readonly List<WaveAudio> audio = [];
    private SpeechModel words = null!, ctc = null!, streaming = null!;

    /// <summary>Draws the recordings and builds the two models.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new RandomSource(19);
        for (int r = 0; r < Recordings; r++)
        {
            var samples = new float[SampleRate];
            for (int n = 0; n < samples.Length; n++)
            {
                double tone = 300 + (150 * r) + (400 * n / (double)SampleRate);
                samples[n] = (float)((0.4 * Math.Sin(2 * Math.PI * tone * n / SampleRate)) + (0.02 * random.NextGaussian()));
            }

            audio.Add(new WaveAudio(samples, SampleRate, 1, 16));
        }

        words = Model(SpeechModelKind.Words, [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))], 1);
        string[] symbols = ["", .. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)), " "];
        ctc = Model(SpeechModelKind.Ctc, symbols, 3);
        streaming = Model(SpeechModelKind.Ctc, symbols, 3, bidirectional: false);
    }

    private static SpeechModel Model(SpeechModelKind kind, string[] symbols, int stack, bool bidirectional = true)
    {
        var features = new SpeechFeatureOptions
        {
            SampleRate = SampleRate, Normalization = bidirectional ? SpeechNormalization.Utterance : SpeechNormalization.Running,
        };
        var network = new SequenceModel<float>(new SequenceModelOptions
        {
            Recurrent = new RecurrentOptions { InputSize = features.Dimensions * stack, HiddenSize = 128, NumLayers = 2, Bidirectional = bidirectional },
            Pooling = kind == SpeechModelKind.Words ? Pooling.Mean : Pooling.None,
            OutputSize = symbols.Length,
        }, new RandomSource(3));
        return new SpeechModel(network, kind, SpeechTokens.Characters, symbols, features, stack);
    }

    /// <summary>Log-mel features of the ten seconds.</summary>
    [Benchmark]
    public int Features() => OneThread(() => audio.Sum(a => SpeechFeatures.Compute(a, words.Features, out _).Length));

    /// <summary>Features and the word model, one recording at a time.</summary>
    [Benchmark]
    public int TranscribeWords() => OneThread(() => audio.Sum(a => words.Transcribe([words.Inputs(a, out _)])[0].Length));

    /// <summary>Features and the CTC model with greedy decoding, one recording at a time.</summary>
    [Benchmark]
    public int TranscribeCtcGreedy() => OneThread(() => audio.Sum(a => ctc.Transcribe([ctc.Inputs(a, out _)])[0].Length));

    /// <summary>Features and the CTC model with prefix beam search of width 8, one recording at a time.</summary>
    [Benchmark]
    public int TranscribeCtcBeam() => OneThread(() => audio.Sum(a => ctc.Transcribe([ctc.Inputs(a, out _)], beamWidth: 8)[0].Length));

    /// <summary>The unidirectional CTC model on a stream, ten 100 ms pushes a recording, greedy decoding.</summary>
    [Benchmark]
    public int StreamCtcGreedy() => OneThread(() =>
    {
        using var stream = new SpeechStream(streaming, SampleRate);
        int length = 0;
        foreach (var recording in audio)
        {
            for (int start = 0; start < recording.Samples.Length; start += SampleRate / 10)
            {
                stream.Push(recording.Samples.AsSpan(start, SampleRate / 10));
            }

            length += stream.Finish().Length;
            stream.Reset();
        }

        return length;
    });

    private static int OneThread(Func<int> work)
    {
        using (KernelSettings.Use(maximumThreads: 1))
        {
            return work();
        }
    }
}
