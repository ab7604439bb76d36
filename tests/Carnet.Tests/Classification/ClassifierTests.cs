using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;
using Carnet.Tasks.Evaluation;

namespace Carnet.Tests.Classification;

/// <summary>A tiny classifier learns clearly separable tasks, reproducibly; its saved form, vocabulary and errors.</summary>
public sealed class ClassifierTests
{
    private static readonly SequenceColumns NumericColumns = new() { Label = "label", FeaturesPerStep = 3 };
    private static readonly SequenceColumns TokenColumns = new() { Label = "label" };

    private static readonly ClassifierOptions Tiny = new()
    {
        HiddenSize = 8, EmbeddingSize = 4, Epochs = 20, BatchSize = 16, LearningRate = 0.02, Seed = 1,
    };

    private static readonly Lazy<(LabelledSequences Data, ClassificationOutcome Outcome)> NumericRun = new(() =>
    {
        var data = Numeric(120, new RandomSource(9));
        return (data, Classifier.Fit(data, NumericColumns, Tiny));
    });

    private static readonly Lazy<(LabelledSequences Data, ClassificationOutcome Outcome)> TokenRun = new(() =>
    {
        var data = Dna(120, new RandomSource(8));
        return (data, Classifier.Fit(data, TokenColumns, Tiny));
    });

    /// <summary>
    /// Wide format, 3 features per step, 4 to 6 steps (shorter ones end in empty cells): standard normal features
    /// with 2 added to feature c at every step, and the label "c{c}". Rows cycle through the classes.
    /// </summary>
    private static LabelledSequences Numeric(int count, RandomSource random, int[]? classOf = null)
    {
        var text = new StringBuilder(string.Join(",", Enumerable.Range(0, 18).Select(i => $"f{i}")) + ",label\n");
        for (int n = 0; n < count; n++)
        {
            int c = classOf?[n] ?? n % 3, steps = 4 + random.NextInt(3);
            for (int i = 0; i < 18; i++)
            {
                string cell = i / 3 < steps ? (random.NextGaussian() + (i % 3 == c ? 2.0 : 0)).ToString("R", CultureInfo.InvariantCulture) : "";
                text.Append(cell).Append(',');
            }

            text.Append(CultureInfo.InvariantCulture, $"c{c}\n");
        }

        return LabelledSequences.FromTable(CsvTable.Parse(text.ToString(), "numeric.csv"), NumericColumns);
    }

    /// <summary>8 random letters of ACGT; the label is "purine" when the letter at position 6 is A or G, else "pyrimidine".</summary>
    private static LabelledSequences Dna(int count, RandomSource random)
    {
        var text = new StringBuilder("sequence,label\n");
        for (int n = 0; n < count; n++)
        {
            var letters = Enumerable.Range(0, 8).Select(_ => "ACGT"[random.NextInt(4)]).ToArray();
            letters[6] = "ACGT"[n % 4];
            text.Append(new string(letters)).Append(',').Append(letters[6] is 'A' or 'G' ? "purine" : "pyrimidine").Append('\n');
        }

        return LabelledSequences.FromTable(CsvTable.Parse(text.ToString(), "dna.csv"), TokenColumns);
    }

    private static LabelledSequences Parse(string text, SequenceColumns columns, string name = "p.csv")
        => LabelledSequences.FromTable(CsvTable.Parse(text, name), columns);

    private static byte[] Bytes(SequenceClassifier model) => ModelFile.Serialize(model.Network, model.Preprocessing());

    [Fact]
    public void LearnsWhichFeatureIsLarger()
    {
        var (data, outcome) = NumericRun.Value;
        Assert.Equal(["c0", "c1", "c2"], outcome.Model.Classes);
        Assert.Equal(data.Count, outcome.TrainingCount + outcome.ValidationCount + outcome.TestIndices.Length);
        Assert.Equal(outcome.TestIndices.Select(i => int.Parse(data.Labels[i]![1..], CultureInfo.InvariantCulture)), outcome.Actual);
        Assert.True(outcome.Metrics.Accuracy >= 0.9, $"test accuracy {outcome.Metrics.Accuracy}");
        Assert.Equal(outcome.Actual.Zip(outcome.Predicted).Count(p => p.First == p.Second) / (double)outcome.Actual.Length, outcome.Metrics.Accuracy);
    }

    [Fact]
    public void LearnsALetterAtAFixedPosition()
    {
        var (_, outcome) = TokenRun.Value;
        Assert.Equal(["", "<unk>", "A", "C", "G", "T"], outcome.Model.Vocabulary);
        Assert.Equal(["purine", "pyrimidine"], outcome.Model.Classes);
        Assert.True(outcome.Metrics.Accuracy >= 0.9, $"test accuracy {outcome.Metrics.Accuracy}");
    }

    [Fact]
    public void TheScalingIsFittedOnTheValidStepsOfTheTrainingPart()
    {
        var (data, outcome) = NumericRun.Value;
        var model = outcome.Model;
        Assert.Empty(model.Vocabulary);
        Assert.Equal(data.FeatureNames, model.Columns.Features);

        // the split the classifier draws first from its seed
        int[] labels = data.Labels.Select(l => int.Parse(l![1..], CultureInfo.InvariantCulture)).ToArray();
        var (training, validation, test) = StratifiedSplit.Split(labels, Tiny.ValidationFraction, Tiny.TestFraction, new RandomSource(Tiny.Seed).Fork());
        Assert.Equal(test, outcome.TestIndices);
        Assert.Equal((training.Length, validation.Length), (outcome.TrainingCount, outcome.ValidationCount));

        // per feature, the population moments over the valid steps of the training sequences only (padding is 0 and must not count)
        for (int c = 0; c < 3; c++)
        {
            var values = new List<double>();
            foreach (int n in training)
            {
                for (int t = 0; t < data.Lengths[n]; t++)
                {
                    values.Add(data.Features![(n * data.Steps + t) * 3 + c]);
                }
            }

            double mean = values.Average();
            double deviation = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
            Assert.Equal(mean, model.FeatureMeans[c], 1e-12);
            Assert.Equal(deviation, model.FeatureDeviations[c], 1e-12);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelBitForBitAndAnotherSeedDoesNot()
    {
        var (data, outcome) = NumericRun.Value;
        var again = Classifier.Fit(data, NumericColumns, Tiny);
        var other = Classifier.Fit(data, NumericColumns, Tiny with { Seed = 2 });
        Assert.Equal(Bytes(outcome.Model), Bytes(again.Model));
        Assert.Equal(outcome.TestIndices, again.TestIndices);
        Assert.Equal(outcome.Predicted, again.Predicted);
        Assert.NotEqual(Bytes(outcome.Model), Bytes(other.Model));
    }

    [Fact]
    public void ASavedClassifierGivesTheSameProbabilities()
    {
        foreach (var (data, outcome) in new[] { NumericRun.Value, TokenRun.Value })
        {
            string folder = Directory.CreateTempSubdirectory("carnet-").FullName;
            try
            {
                string path = Path.Combine(folder, "classifier.safetensors");
                outcome.Model.Save(path);
                var loaded = SequenceClassifier.FromLoaded(ModelFile.Load<float>(path), path);
                double[] probabilities = outcome.Model.Probabilities(data);
                Assert.Equal(probabilities, loaded.Probabilities(data));
                Assert.Equal(outcome.Model.Classes, loaded.Classes);
                Assert.Equal(outcome.Model.Vocabulary, loaded.Vocabulary);
                Assert.Equal(outcome.Model.FeatureMeans, loaded.FeatureMeans);
                Assert.Equal(outcome.Model.FeatureDeviations, loaded.FeatureDeviations);
                Assert.Equal(outcome.Model.Columns.Label, loaded.Columns.Label);
                Assert.Equal(outcome.Model.Columns.FeaturesPerStep, loaded.Columns.FeaturesPerStep);
                Assert.Equal(File.ReadAllBytes(path), Bytes(loaded));

                int classes = outcome.Model.Classes.Count;
                for (int n = 0; n < data.Count; n++)
                {
                    Assert.Equal(1.0, probabilities.AsSpan(n * classes, classes).ToArray().Sum(), 1e-12);
                }
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void TheTestPredictionsAreTheArgmaxOfTheProbabilities()
    {
        var (data, outcome) = NumericRun.Value;
        var model = outcome.Model;
        double[] probabilities = model.Probabilities(data);
        int[] predicted = model.Predict(probabilities);
        Assert.Equal(outcome.Predicted, outcome.TestIndices.Select(i => predicted[i]));
        for (int n = 0; n < data.Count; n++)
        {
            var row = probabilities.AsSpan(n * 3, 3);
            Assert.Equal(row.ToArray().Max(), row[predicted[n]]);
        }
    }

    [Fact]
    public void AnUnseenTokenIsUnknownAndStillPredicted()
    {
        var model = TokenRun.Value.Outcome.Model;
        var data = Parse("sequence,label\nACGNTA,purine\nGA,pyrimidine\n", TokenColumns);
        var encoded = model.Encode(data, requireLabels: true);
        var batch = encoded.InOrder(8).Single();
        // A C G T are ids 2 3 4 5; N was never seen; the shorter sequence is padded with 0
        Assert.Equal([2, 3, 4, SequenceClassifier.UnknownToken, 5, 2, 4, 2, 0, 0, 0, 0], batch.Inputs.Tokens!);
        Assert.Equal([6, 2], batch.Inputs.Lengths!);
        Assert.Equal([0, 1], batch.Targets.Classes!);

        double[] probabilities = model.Probabilities(data);
        Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
        Assert.Equal(1.0, probabilities[0] + probabilities[1], 1e-12);
        Assert.Equal(2, model.Predict(probabilities).Length);
    }

    [Fact]
    public void PaddingDoesNotChangeTheProbabilities()
    {
        var tokens = TokenRun.Value.Outcome.Model;
        double[] alone = tokens.Probabilities(Parse("sequence\nGATC\n", new SequenceColumns()));
        double[] padded = tokens.Probabilities(Parse("sequence\nGATC\nTTGACCAGTA\n", new SequenceColumns()));
        Assert.Equal(alone, padded[..2]);

        var numeric = NumericRun.Value.Outcome.Model;
        string header = string.Join(",", Enumerable.Range(0, 18).Select(i => $"f{i}")) + "\n";
        string shortRow = "1,-1,0.5,2,0,0,-1,3,1" + new string(',', 9) + "\n";
        double[] single = numeric.Probabilities(Parse(header + shortRow, NumericColumns with { Label = null }));
        double[] beside = numeric.Probabilities(Parse(header + shortRow + string.Join(",", Enumerable.Range(0, 18)) + "\n", NumericColumns with { Label = null }));
        Assert.Equal(single, beside[..3]);
    }

    [Fact]
    public void ALabelTheModelDoesNotKnowNamesItsLine()
    {
        var model = TokenRun.Value.Outcome.Model;
        var data = Parse("sequence,label\nACGT,purine\nCCCC,other\n", TokenColumns, "new.csv");
        var error = Assert.Throws<DataFormatException>(() => model.ClassIds(data));
        Assert.Equal("new.csv:3: label 'other' is not one of the model's classes (purine, pyrimidine)", error.Message);
        Assert.Throws<DataFormatException>(() => model.Encode(data, requireLabels: true));
        Assert.Equal(2, model.Encode(data, requireLabels: false).Count);

        var unlabelled = Parse("sequence\nACGT\n", new SequenceColumns());
        var missing = Assert.Throws<ArgumentException>(() => model.ClassIds(unlabelled));
        Assert.Equal("p.csv: no label column 'label'.", missing.Message);
    }

    [Fact]
    public void AModelReadsOnlyTheKindOfSequenceItWasTrainedOn()
    {
        var tokens = TokenRun.Value.Outcome.Model;
        var numeric = Parse("a,b,label\n1,2,purine\n", TokenColumns, "numbers.csv");
        var error = Assert.Throws<ArgumentException>(() => tokens.Encode(numeric, requireLabels: false));
        Assert.Equal("numbers.csv: this model reads text tokens, but the file gives 1 per step.", error.Message);

        var features = NumericRun.Value.Outcome.Model;
        var text = Assert.Throws<ArgumentException>(() => features.Encode(Parse("s,label\nabc,c0\n", TokenColumns, "text.csv"), requireLabels: false));
        Assert.Equal("text.csv: this model reads 3 numeric feature(s) per step, but the file holds text tokens.", text.Message);
        var width = Assert.Throws<ArgumentException>(() => features.Encode(Parse("a,b,label\n1,2,c0\n", TokenColumns, "two.csv"), requireLabels: false));
        Assert.Equal("two.csv: this model reads 3 numeric feature(s) per step, but the file gives 1 per step.", width.Message);
    }

    [Fact]
    public void BalancedClassWeightsChangeTheTraining()
    {
        // 100 sequences, 84 of class 0, 8 each of classes 1 and 2
        int[] classOf = Enumerable.Range(0, 100).Select(n => n < 84 ? 0 : n < 92 ? 1 : 2).ToArray();
        var data = Numeric(100, new RandomSource(9), classOf);
        var options = Tiny with { Epochs = 2 };
        var none = Classifier.Fit(data, NumericColumns, options);
        var balanced = Classifier.Fit(data, NumericColumns, options with { ClassWeighting = ClassWeighting.Balanced });
        Assert.Equal(none.TestIndices, balanced.TestIndices);
        Assert.NotEqual(ModelFile.Serialize(none.Model.Network), ModelFile.Serialize(balanced.Model.Network));
        Assert.NotEqual(none.Training.Epochs[0].TrainingLoss, balanced.Training.Epochs[0].TrainingLoss);
    }

    [Fact]
    public void OneClassOrNoLabelsCannotBeTrained()
    {
        var single = Parse("a,label\n1,A\n2,A\n", new SequenceColumns { Label = "label" }, "one.csv");
        var error = Assert.Throws<ArgumentException>(() => Classifier.Fit(single, new SequenceColumns { Label = "label" }, Tiny));
        Assert.Equal("one.csv: the label column 'label' has one class ('A'); a classifier needs at least two.", error.Message);

        var unlabelled = Parse("a\n1\n2\n", new SequenceColumns(), "none.csv");
        var none = Assert.Throws<ArgumentException>(() => Classifier.Fit(unlabelled, new SequenceColumns(), Tiny));
        Assert.Equal("none.csv: sequences need labels to train on.", none.Message);
    }

    [Fact]
    public void AFileWithBrokenScalingIsRefused()
    {
        var model = NumericRun.Value.Outcome.Model;
        var preprocessing = model.Preprocessing();
        preprocessing["features.deviation"] = "1 0 1";
        var file = SafeTensorsFile.Parse(ModelFile.Serialize(model.Network, preprocessing), "c.safetensors");
        var error = Assert.Throws<SafeTensorsFormatException>(() => SequenceClassifier.FromLoaded(ModelFile.Load<float>(file), "c.safetensors"));
        Assert.Equal("c.safetensors: metadata 'preprocessing.features.deviation' is '0'; expected space-separated positive numbers", error.Message);

        preprocessing = model.Preprocessing();
        preprocessing["classes"] = "[\"c0\",\"c1\"]";
        file = SafeTensorsFile.Parse(ModelFile.Serialize(model.Network, preprocessing), "c.safetensors");
        var classes = Assert.Throws<SafeTensorsFormatException>(() => SequenceClassifier.FromLoaded(ModelFile.Load<float>(file), "c.safetensors"));
        Assert.Equal("c.safetensors: the network (3 outputs, vocabulary 0, input size 3) does not fit the preprocessing (2 classes, 0 tokens, 3 feature scale(s))",
            classes.Message);
    }
}
