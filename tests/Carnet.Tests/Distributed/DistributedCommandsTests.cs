using Carnet.IO;
using Carnet.Tasks.Speech;
using Carnet.Tests.Cli;
using Carnet.Tests.Speech;
using Carnet.Tests.Tagging;
using Carnet.Tests.Translation;

namespace Carnet.Tests.Distributed;

/// <summary>
/// Every other training command under <c>mpiexec -n 2 … --distributed</c> (classify with class weights, forecast,
/// music train, tag train, translate train, speech train) trains the model one process trains, within float rounding:
/// each shards its batches its own way (sequences weighted by their classes' weights, windows, sentences weighted by
/// their tokens, sentence pairs weighted by their target tokens, recordings), with batches that do not split evenly.
/// Dropout and other random draws are off: with them each rank draws its own masks.
/// </summary>
[Collection("MPI jobs")]
public sealed class DistributedCommandsTests
{
    public static TheoryData<string> Commands => new() { "classify-weighted", "forecast", "music", "tag", "translate", "speech" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void TwoRanksTrainWhatOneProcessTrains(string command)
    {
        using var cli = new CliRunner();
        string[] arguments = Arguments(command, cli);
        Assert.Equal(0, CliRunner.Run([.. arguments, "--out", cli.PathOf("one")]).Code);
        var (code, _, error) = MpiJob.Run(2, [.. arguments, "--out", cli.PathOf("two"), "--distributed"]);
        Assert.True(code == 0, error);

        foreach (var (tensor, i, x, y) in ModelWeights.Pairs(cli.PathOf("one"), cli.PathOf("two")))
        {
            Assert.True(Math.Abs(x - y) <= 1e-4 * Math.Max(1, Math.Abs(x)), $"{tensor}[{i}]: one process {x}, two ranks {y}"); // observed: 2e-5 at most
        }
    }

    private static string[] Arguments(string command, CliRunner cli) => command switch
    {
        "classify-weighted" => ["classify", "--data", cli.Write("skewed.csv", Skewed()), "--label", "shape", "--features-per-step", "2", "--hidden-size", "8",
            "--class-weights", "balanced", "--epochs", "6", "--batch-size", "11", "--learning-rate", "0.02", "--quiet"],
        "forecast" => ["forecast", "--data", Training.SeriesDemoTests.AirPassengers, "--epochs", "20", "--hidden-size", "12", "--batch-size", "15", "--quiet"],
        "music" => ["music", "train", "--data", cli.Write("jigs.abc", Music.TestTunes.Book()), "--embedding-size", "8", "--hidden-size", "24", "--num-layers", "1",
            "--seq-length", "16", "--batch-size", "4", "--learning-rate", "0.01", "--validation", "0.25", "--sample-length", "20", "--epochs", "2",
            "--sample-tunes", "1", "--quiet"],
        "tag" => ["tag", "train", "--data", cli.Write("toy.conll", ToyCorpus.Conll(120, 1)), "--word-embedding-size", "16", "--char-embedding-size", "8",
            "--char-hidden-size", "8", "--hidden-size", "16", "--batch-size", "9", "--learning-rate", "0.02", "--dropout", "0", "--unknown-replacement", "0",
            "--epochs", "3", "--quiet"],
        "translate" => ["translate", "train", "--data", cli.Write("toy.tsv", ToyTranslation.Tsv(ToyTranslation.Pairs(200, 1))), "--embedding-size", "16",
            "--hidden-size", "16", "--num-layers", "1", "--decoder-hidden-size", "16", "--batch-size", "15", "--learning-rate", "0.01", "--dropout", "0",
            "--teacher-forcing", "1", "--epochs", "3", "--beam", "1", "--quiet"],
        _ => ["speech", "train", "--data", Beeps(cli), "--ctc", "--test-speakers", "cy", "--hidden-size", "12", "--num-layers", "1", "--frame-stack", "2",
            "--augment", "no", "--dropout", "0", "--epochs", "3", "--batch-size", "7", "--learning-rate", "0.01", "--quiet"],
    };

    /// <summary>
    /// The shapes of <see cref="ClassifyCommandTests.WideCsv"/> with one "flat" in four kept: balanced class weights then
    /// differ, and each rank's share weighs as the sum of its targets' weights, as the weighted mean of one process does.
    /// </summary>
    private static string Skewed()
    {
        var lines = ClassifyCommandTests.WideCsv(240).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int flats = 0;
        return string.Join('\n', lines.Where(line => !line.EndsWith(",flat", StringComparison.Ordinal) || flats++ % 4 == 0)) + "\n";
    }

    /// <summary>Recordings of one to three beeps ("a" low, "b" high) by four speakers, and their manifest.</summary>
    private static string Beeps(CliRunner cli)
    {
        var random = new RandomSource(6);
        var lines = new List<string> { "audio,text,speaker" };
        for (int s = 0; s < SpeechTaskTests.Speakers.Length; s++)
        {
            for (int i = 0; i < 12; i++)
            {
                string said = new([.. Enumerable.Range(0, 1 + random.NextInt(3)).Select(_ => random.NextInt(2) == 0 ? 'a' : 'b')]);
                string name = $"{SpeechTaskTests.Speakers[s]}-{i}.wav";
                WaveFile.WritePcm16(cli.PathOf(name), SpeechTaskTests.Say(said.Select(c => c == 'a' ? 600.0 : 1800.0), s, random), 8000);
                lines.Add($"{name},{said},{SpeechTaskTests.Speakers[s]}");
            }
        }

        return cli.Write("beeps.csv", string.Join("\n", lines) + "\n");
    }
}
