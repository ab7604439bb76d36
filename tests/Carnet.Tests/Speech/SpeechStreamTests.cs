using Carnet.IO;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Speech;
using Carnet.Tests.Cli;
using Carnet.Tests.Golden;

namespace Carnet.Tests.Speech;

/// <summary>
/// Transcription while audio arrives: the streamed features are bit for bit the whole recording's, however the
/// samples are cut (resampling, deltas, running normalisation and short recordings included); a unidirectional model
/// on a <see cref="SpeechStream"/> gives the transcripts, posteriors and labels of the whole-recording path, and the
/// command line streams such models.
/// </summary>
public sealed class SpeechStreamTests : IDisposable
{
    private static readonly int[] Chunks = [1, 37, 160, 4096, int.MaxValue];

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    /// <summary>The golden signals whose features are causal, each with its options.</summary>
    public static TheoryData<string, string> CausalFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in GoldenFiles.In("speech"))
        {
            var (source, file) = ((string)row[0], (string)row[1]);
            if (GoldenFiles.Read(source, "speech", file).Metadata["normalize"] != "true")
            {
                data.Add(source, file);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CausalFiles))]
    public void StreamedFeaturesAreTheWholeRecordingsBitForBit(string source, string file)
    {
        var golden = GoldenFiles.Read(source, "speech", file);
        var options = SpeechFeatureTests.Options(golden.Metadata);
        var signal = golden["signal"].ToDoubleArray().Select(v => (float)v).ToArray();
        foreach (int rate in new[] { options.SampleRate, 11025, 44100 })
        {
            var whole = SpeechFeatures.Compute(new WaveAudio(signal, rate, 1, 32), options, out _); // (F, D)
            foreach (int chunk in Chunks)
            {
                Assert.Equal(whole, Stream(signal, rate, options, chunk));
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(199)]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(281)]
    public void ShortRecordingsStreamAsTheyAreComputed(int samples)
    {
        var options = new SpeechFeatureOptions { Cepstra = 13, Deltas = true, Normalization = SpeechNormalization.Running };
        var signal = Enumerable.Range(0, samples).Select(i => (float)Math.Sin(i * 0.3)).ToArray();
        var whole = SpeechFeatures.Compute(signal, options, out _);
        Assert.Equal(whole, Stream(signal, options.SampleRate, options, 7));
    }

    [Fact]
    public void PerUtteranceNormalisationCannotStream()
    {
        Assert.Throws<ArgumentException>(() => new SpeechFeatureStream(new SpeechFeatureOptions(), 8000));
        var stream = new SpeechFeatureStream(new SpeechFeatureOptions { Normalization = SpeechNormalization.None }, 8000);
        Assert.Single(stream.Finish());
        Assert.Throws<InvalidOperationException>(() => stream.Push(new float[10]));
    }

    private static float[] Stream(float[] signal, int rate, SpeechFeatureOptions options, int chunk)
    {
        var stream = new SpeechFeatureStream(options, rate);
        var frames = new List<float[]>();
        for (int start = 0; start < signal.Length; start += Math.Min(chunk, signal.Length - start))
        {
            frames.AddRange(stream.Push(signal.AsSpan(start, Math.Min(chunk, signal.Length - start))));
        }

        frames.AddRange(stream.Finish());
        return [.. frames.SelectMany(f => f)];
    }

    /// <summary>A network with random weights (the head scaled up) over MFCCs with deltas, frames stacked by 3.</summary>
    private static SpeechModel Model(SpeechModelKind kind, Pooling pooling, bool bidirectional = false)
    {
        var features = new SpeechFeatureOptions { Cepstra = 13, Deltas = true, Normalization = SpeechNormalization.Running };
        string[] symbols = kind == SpeechModelKind.Ctc ? ["", "a", "b", "c"] : ["yes", "no", "maybe"];
        var recurrent = new RecurrentOptions { InputSize = 3 * features.Dimensions, HiddenSize = 11, NumLayers = 2, Bidirectional = bidirectional };
        var network = new SequenceModel<float>(RecurrentCellKind.Lstm, recurrent, symbols.Length, pooling, new RandomSource(41));
        foreach (ref float weight in network.Head.Weight.Value.Span)
        {
            weight *= 30; // outputs that move with the input: labels and symbols differ from one recording and step to the next
        }

        network.Head.Bias!.Value.Span.Clear();
        return new SpeechModel(network, kind, SpeechTokens.Characters, symbols, features, 3);
    }

    private static float[] Recording(int seed, int samples)
    {
        var random = new RandomSource((ulong)seed);
        double pitch = 0.1 + (0.35 * random.NextDouble()), loudness = 0.1 + (0.5 * random.NextDouble()); // radians per sample
        return [.. Enumerable.Range(0, samples).Select(i => (float)((loudness * Math.Sin(i * (pitch + (0.1 * Math.Sin(i / 900.0))))) + (0.05 * random.NextGaussian())))];
    }

    [Fact]
    public void ACtcStreamTranscribesAsTheWholeRecordingDoes()
    {
        using var stream = new SpeechStream(Model(SpeechModelKind.Ctc, Pooling.None), 8000);
        var model = Model(SpeechModelKind.Ctc, Pooling.None);
        foreach (int samples in new[] { 4000, 4321, 7777 })
        {
            var audio = Recording(samples, samples);
            var input = model.Inputs(new WaveAudio(audio, 8000, 1, 16), out int steps);
            var growing = new List<string>();
            for (int start = 0; start < audio.Length; start += 100)
            {
                growing.Add(stream.Push(audio.AsSpan(start, Math.Min(100, audio.Length - start))));
            }

            string greedy = stream.Finish();
            Assert.Equal(steps, stream.Steps);
            Assert.NotEqual("", greedy);
            Assert.Equal(model.Transcribe([input])[0], greedy);
            Assert.All(growing, partial => Assert.StartsWith(partial, greedy)); // a transcript only grows
            var posteriors = model.Posteriors(input); // (T, C)
            Assert.Equal(posteriors.Length, stream.LogProbabilities.Count);
            for (int i = 0; i < posteriors.Length; i++)
            {
                Assert.Equal(Math.Log(posteriors[i]), stream.LogProbabilities[i], 1e-5);
            }

            stream.Reset();
            stream.Push(audio);
            Assert.Equal(model.Transcribe([input], beamWidth: 4)[0], stream.Finish(beamWidth: 4));
            stream.Reset();
        }
    }

    [Theory]
    [InlineData(Pooling.Last)]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.Attention)]
    public void AWordStreamLabelsAsTheWholeRecordingDoes(Pooling pooling)
    {
        var model = Model(SpeechModelKind.Words, pooling);
        using var stream = new SpeechStream(model, 16000);
        var labels = new HashSet<string>();
        for (int seed = 1; seed <= 12; seed++)
        {
            var audio = new WaveAudio(Recording(seed, 3000 + (700 * seed)), 16000, 1, 16);
            stream.Push(audio.Samples);
            string label = stream.Finish();
            var input = model.Inputs(audio, out int steps);
            Assert.Equal(model.Transcribe([input])[0], label);
            var scores = model.Network.Forward(Tensor<float>.FromValues(input, 1, steps, input.Length / steps)).Prediction.Span.ToArray(); // (1, K)
            Assert.Equal(scores.Length, stream.WordScores!.Length);
            for (int k = 0; k < scores.Length; k++)
            {
                Assert.Equal(scores[k], stream.WordScores[k], 2e-5 * Math.Max(1, Math.Abs(scores[k])));
            }

            labels.Add(label);
            stream.Reset();
        }

        Assert.True(pooling == Pooling.Mean || labels.Count > 1, "every recording got the same label");
    }

    [Fact]
    public void ModelsThatNeedTheWholeRecordingCannotStream()
    {
        var bidirectional = Model(SpeechModelKind.Ctc, Pooling.None, bidirectional: true);
        Assert.False(SpeechStream.CanStream(bidirectional));
        Assert.Contains("backwards", Assert.Throws<ArgumentException>(() => new SpeechStream(bidirectional, 8000)).Message);
    }

    [Fact]
    public void TheCommandLineStreamsUnidirectionalModels()
    {
        var model = Model(SpeechModelKind.Ctc, Pooling.None);
        string path = cli.PathOf("model.safetensors");
        model.Save(path);
        var audio = Recording(5, 9000);
        WaveFile.WritePcm16(cli.PathOf("one.wav"), audio, 8000);
        var heard = WaveFile.Read(cli.PathOf("one.wav"));
        var (code, text, error) = CliRunner.Run("speech", "transcribe", "--model", path, "--input", cli.PathOf("one.wav"));
        Assert.True(code == 0, error);
        Assert.Equal($"one.wav\t{model.Transcribe([model.Inputs(heard, out _)])[0]}\n", text.ReplaceLineEndings("\n"));
        Assert.Equal(SpeechNormalization.Running, SpeechModel.Load(path).Features.Normalization);
    }

    [Fact]
    public void AForwardsOnlyModelTrainsWithRunningNormalisationAndStreams()
    {
        string folder = cli.PathOf("tones");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 12; i++)
        {
            string word = i % 2 == 0 ? "low" : "high";
            double step = word == "low" ? 0.15 : 0.9; // radians per sample at 8 kHz: 190 Hz or 1.1 kHz
            var samples = Enumerable.Range(0, 3000 + (37 * i)).Select(n => (float)(0.3 * Math.Sin(n * step * (1 + (0.01 * i))))).ToArray();
            WaveFile.WritePcm16(Path.Combine(folder, $"{word}_s{i % 3}_{i}.wav"), samples, 8000);
        }

        string output = cli.PathOf("forwards");
        var (code, _, error) = CliRunner.Run("speech", "train", "--data", folder, "--bidirectional", "no", "--hidden-size", "8", "--num-layers", "1",
            "--epochs", "2", "--augment", "no", "--test-speakers", "s2", "--out", output, "--quiet");
        Assert.True(code == 0, error);
        var model = SpeechModel.Load(Path.Combine(output, "model.safetensors"));
        Assert.Equal(SpeechNormalization.Running, model.Features.Normalization); // the default for a forwards-only model
        Assert.True(SpeechStream.CanStream(model));
        string file = Path.Combine(folder, "high_s2_11.wav");
        var (transcribed, text, _) = CliRunner.Run("speech", "transcribe", "--model", Path.Combine(output, "model.safetensors"), "--input", file);
        Assert.Equal(0, transcribed);
        Assert.Equal($"high_s2_11.wav\t{model.Transcribe([model.Inputs(WaveFile.Read(file), out _)])[0]}\n", text.ReplaceLineEndings("\n"));

        var (bidirectional, _, _) = CliRunner.Run("speech", "train", "--data", folder, "--hidden-size", "8", "--num-layers", "1", "--epochs", "1",
            "--augment", "no", "--test-speakers", "s2", "--out", cli.PathOf("both"), "--quiet");
        Assert.Equal(0, bidirectional);
        Assert.Equal(SpeechNormalization.Utterance, SpeechModel.Load(Path.Combine(cli.PathOf("both"), "model.safetensors")).Features.Normalization);
    }
}
