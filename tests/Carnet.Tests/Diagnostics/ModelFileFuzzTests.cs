using Carnet.Cli.Diagnostics;
using Carnet.Layers;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;

namespace Carnet.Tests.Diagnostics;

/// <summary>
/// Thousands of mutations of valid model files (bit flips, header characters, length prefix, truncations, extreme
/// numbers in the header): each is rejected with a clear error naming the file, or loads as a model that runs.
/// </summary>
public sealed class ModelFileFuzzTests
{
    public static TheoryData<string> Kinds => new() { "forecast", "tokens-flatten", "attention-bidirectional-gru" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryMutationIsRejectedCleanlyOrLoadsConsistently(string kind)
    {
        byte[] valid = ValidFile(kind);
        var report = ModelFileFuzzer.Run(valid, iterations: 2500, seed: 11);
        Assert.Empty(report.Failures);
        Assert.Equal(2500, report.Rejected + report.Loaded);
        Assert.True(report.Rejected > 1000, $"only {report.Rejected} rejected");
        Assert.True(report.Loaded > 100, $"only {report.Loaded} loaded"); // flips in weight bytes leave a consistent model
    }

    private static byte[] ValidFile(string kind)
    {
        var random = new RandomSource(3);
        switch (kind)
        {
            case "forecast":
                var series = SeriesData.FromTable(CsvTable.Read(Training.SeriesDemoTests.AirPassengers));
                var outcome = Forecaster.Fit(series, new ForecastOptions { Epochs = 1, HiddenSize = 4 });
                return ModelFile.Serialize(outcome.Model.Network, outcome.Model.Preprocessing());
            case "tokens-flatten":
                var text = new System.Text.StringBuilder("sequence,class\n");
                for (int n = 0; n < 30; n++)
                {
                    text.Append(n % 2 == 0 ? "ACGTA" : "TTGCA").Append(',').Append(n % 2 == 0 ? "a" : "b").Append('\n');
                }

                var data = LabelledSequences.FromTable(CsvTable.Parse(text.ToString(), "dna.csv"), new SequenceColumns { Label = "class" });
                var classifier = Classifier.Fit(data, new SequenceColumns { Label = "class" },
                    new ClassifierOptions { Epochs = 1, HiddenSize = 3, EmbeddingSize = 2, Bidirectional = true, Pooling = Pooling.Flatten });
                return ModelFile.Serialize(classifier.Model.Network, classifier.Model.Preprocessing());
            default:
                var model = new SequenceModel<float>(new SequenceModelOptions
                {
                    Cell = RecurrentCellKind.Gru,
                    Recurrent = new RecurrentOptions { InputSize = 2, HiddenSize = 3, NumLayers = 2, Bidirectional = true },
                    Pooling = Pooling.Attention,
                    OutputSize = 2,
                }, random);
                return ModelFile.Serialize(model);
        }
    }
}
