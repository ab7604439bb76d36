using System.Text.Json;
using Carnet.IO;
using Carnet.Tasks.Speech;
using Carnet.Tests.Cli;

namespace Carnet.Tests.Speech;

/// <summary>
/// Speech models end to end on synthetic recordings written as WAV files: "words" are tone patterns (a rising pair,
/// a falling pair, a steady tone) and "speakers" differ in pitch, loudness, speed and noise. A word model must label
/// a held-out speaker's recordings, a CTC model must transcribe sequences of beeps it never heard in that order; the
/// saved model gives the same transcripts; the same seed gives the same weights; bad input is one line and exit 2.
/// </summary>
public sealed class SpeechTaskTests : IDisposable
{
    private static readonly Dictionary<string, double[]> Words = new()
    {
        ["up"] = [500, 1500], ["down"] = [1500, 500], ["flat"] = [1000, 1000],
    };

    internal static readonly string[] Speakers = ["ann", "bob", "cy", "dee"];

    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    /// <summary>Tones of <paramref name="seconds"/> each, shifted and scaled by the speaker, short silences around them, a little noise.</summary>
    internal static float[] Say(IEnumerable<double> tones, int speaker, RandomSource random, double seconds = 0.12)
    {
        double pitch = 1 + (0.06 * (speaker - 1.5)), loudness = 0.3 + (0.1 * speaker), length = seconds * (1 + (0.1 * (speaker - 1.5)));
        var samples = new List<float>(new float[400]);
        foreach (double tone in tones)
        {
            int n = (int)(8000 * length);
            for (int i = 0; i < n; i++)
            {
                double envelope = Math.Sin(Math.PI * i / n);
                samples.Add((float)((loudness * envelope * Math.Sin(2 * Math.PI * tone * pitch * i / 8000)) + (0.01 * random.NextGaussian())));
            }

            samples.AddRange(new float[(int)(8000 * 0.05)]);
        }

        samples.AddRange(new float[400]);
        return [.. samples];
    }

    /// <summary>A folder of word recordings named WORD_SPEAKER_INDEX.wav.</summary>
    private string WordFolder(int perSpeaker)
    {
        string folder = cli.PathOf("words");
        Directory.CreateDirectory(folder);
        var random = new RandomSource(4);
        for (int s = 0; s < Speakers.Length; s++)
        {
            foreach (var (word, tones) in Words)
            {
                for (int i = 0; i < perSpeaker; i++)
                {
                    WaveFile.WritePcm16(Path.Combine(folder, $"{word}_{Speakers[s]}_{i}.wav"), Say(tones, s, random), 8000);
                }
            }
        }

        return folder;
    }

    [Fact]
    public void AWordModelLabelsAHeldOutSpeaker()
    {
        var corpus = SpeechCorpus.Load(WordFolder(perSpeaker: 6));
        Assert.Equal(("up", "dee"), (corpus.Utterances[^1].Text, corpus.Utterances[^1].Speaker));
        var options = new SpeechTrainingOptions
        {
            HiddenSize = 16, NumLayers = 1, Epochs = 25, BatchSize = 8, LearningRate = 0.01, TestSpeakers = ["dee"], Patience = 25,
            Augment = SpecAugmentOptions.None, // a tone fills one or two mel bands: a frequency mask could erase a word
        };
        var outcome = SpeechRecognizer.Fit(corpus, options);
        Assert.Equal(18, outcome.Scores.Count);
        Assert.Equal(1.0, outcome.Scores.Accuracy);

        string path = cli.PathOf("words.safetensors");
        outcome.Model.Save(path);
        var loaded = SpeechModel.Load(path);
        var (scores, transcripts) = SpeechRecognizer.Evaluate(loaded, outcome.Test);
        Assert.Equal(outcome.Transcripts, transcripts);
        Assert.Equal(1.0, scores.Accuracy);

        var forwards = SpeechRecognizer.Fit(corpus, options with { Bidirectional = false, Epochs = 2 });
        Assert.False(forwards.Model.Network.Options.Recurrent.Bidirectional);
        Assert.False(SpeechModel.Load(Save(forwards.Model, "forwards.safetensors")).Network.Options.Recurrent.Bidirectional);

        var again = SpeechRecognizer.Fit(corpus, options with { Epochs = 2 });
        var twice = SpeechRecognizer.Fit(corpus, options with { Epochs = 2 });
        Assert.Equal(again.Model.Network.Modules.SelectMany(m => m.Module.Parameters.SelectMany(p => p.Value.Span.ToArray())),
            twice.Model.Network.Modules.SelectMany(m => m.Module.Parameters.SelectMany(p => p.Value.Span.ToArray())));
    }

    private string Save(SpeechModel model, string name)
    {
        string path = cli.PathOf(name);
        model.Save(path);
        return path;
    }

    [Fact]
    public void ACtcModelTranscribesBeepSequencesOfAHeldOutSpeaker()
    {
        var random = new RandomSource(6);
        double[] beeps = [600, 1800]; // "a" and "b"
        var lines = new List<string> { "audio,text,speaker" };
        for (int s = 0; s < Speakers.Length; s++)
        {
            for (int i = 0; i < 24; i++)
            {
                string said = new([.. Enumerable.Range(0, 1 + random.NextInt(3)).Select(_ => random.NextInt(2) == 0 ? 'a' : 'b')]);
                string name = $"{Speakers[s]}-{i}.wav";
                WaveFile.WritePcm16(cli.PathOf(name), Say(said.Select(c => beeps[c - 'a']), s, random), 8000);
                lines.Add($"{name},{said},{Speakers[s]}");
            }
        }

        string manifest = cli.Write("beeps.csv", string.Join("\n", lines) + "\n");
        string output = cli.PathOf("ctc");
        var (code, printed, error) = CliRunner.Run("speech", "train", "--data", manifest, "--ctc", "--test-speakers", "cy", "--hidden-size", "24", "--num-layers", "1",
            "--frame-stack", "2", "--augment", "no", "--epochs", "100", "--batch-size", "8", "--learning-rate", "0.01", "--patience", "100", "--out", output, "--quiet");
        Assert.True(code == 0, error);
        Assert.Equal("", printed);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        string report = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("CTC posteriors per step", report);
        Assert.Contains("Log-mel energies (normalised)", report);
        Assert.Contains("token error rate", report);
        Assert.Equal("ctc", metrics.RootElement.GetProperty("kind").GetString());
        double errorRate = metrics.RootElement.GetProperty("token_error_rate").GetDouble();
        Assert.True(errorRate <= 0.05, $"token error rate {errorRate}");

        var (evaluated, shown, _) = CliRunner.Run("speech", "evaluate", "--model", Path.Combine(output, "model.safetensors"), "--data", manifest, "--beam", "4");
        Assert.Equal(0, evaluated);
        Assert.Contains("token error rate", shown);
        var (transcribed, text, _) = CliRunner.Run("speech", "transcribe", "--model", Path.Combine(output, "model.safetensors"), "--input", cli.PathOf("cy-0.wav"));
        Assert.Equal(0, transcribed);
        Assert.Equal($"cy-0.wav\t{lines[49].Split(',')[1]}\n", text.ReplaceLineEndings("\n"));

        string unspellable = cli.Write("abc.csv", "audio,text\ncy-0.wav,abc\n");
        var (refused, nothing, message) = CliRunner.Run("speech", "evaluate", "--model", Path.Combine(output, "model.safetensors"), "--data", unspellable);
        Assert.Equal((2, ""), (refused, nothing));
        string expected = $"carnet speech: {cli.PathOf("cy-0.wav")}: the transcript 'abc' holds the symbol 'c', which is not in the model's alphabet\n";
        Assert.Equal(expected, message.ReplaceLineEndings("\n"));

        string int8 = cli.PathOf("int8.safetensors");
        Assert.Equal(0, CliRunner.Run("quantize", "--model", Path.Combine(output, "model.safetensors"), "--out", int8).Code);
        var (quantized, heard, _) = CliRunner.Run("speech", "transcribe", "--model", int8, "--input", cli.PathOf("cy-0.wav"));
        Assert.Equal(0, quantized);
        Assert.Equal(text, heard); // int8 weights hear the same beeps
    }

    [Fact]
    public void BadInputIsOneLineAndExitCodeTwo()
    {
        string folder = cli.PathOf("out");
        string missing = cli.Write("missing.csv", "audio,text\nnowhere.wav,ab\n");
        CliRunner.AssertBadInput(["speech", "train", "--data", missing, "--out", folder, "--quiet"], $"{missing}:2:1: the audio file 'nowhere.wav' does not exist", folder);

        cli.Write("noise.wav", "not audio at all");
        string manifest = cli.Write("bad.csv", "audio,text\nnoise.wav,ab\nnoise.wav,cd\n");
        CliRunner.AssertBadInput(["speech", "train", "--data", manifest, "--out", folder, "--quiet"],
            $"{cli.PathOf("noise.wav")}: not a WAV file (expected a RIFF header with the form type WAVE)", folder);

        var (code, _, error) = CliRunner.Run("speech", "transcribe", "--model", manifest, "--input", cli.PathOf("noise.wav"));
        Assert.Equal(2, code);
        Assert.StartsWith($"carnet speech: {manifest}", error);
        Assert.DoesNotContain("   at ", error);
    }
}
