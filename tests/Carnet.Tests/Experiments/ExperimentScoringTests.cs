using Carnet.Layers;
using Carnet.Tasks.Experiments;

namespace Carnet.Tests.Experiments;

/// <summary>What counts as correct, the best constant answer, and the experiment loop's stopping, determinism and gradient flow.</summary>
public sealed class ExperimentScoringTests
{
    private const double Exact = 1e-12;

    [Fact]
    public void AValueIsCorrectWithinTheTolerance()
    {
        var task = new MarkedPairsTask(20, multiply: false);
        var batch = new TaskBatch([], 4, 1, 2, [20, 20, 20, 20], [0.5f, 0.5f, 0.25f, 0.75f], null);
        var errors = new double[4];
        var correct = new bool[4];
        task.Judge([0.539f, 0.4605f, 0.3f, 0.75f], batch, errors, correct);
        Assert.Equal([true, true, false, true], correct);
        Assert.Equal(((double)0.539f - 0.5) * ((double)0.539f - 0.5), errors[0], Exact);
        Assert.Equal(((double)0.3f - 0.25) * ((double)0.3f - 0.25), errors[2], Exact);
        Assert.Equal(0, errors[3]);
    }

    [Fact]
    public void TheBestConstantValueIsTheMean()
    {
        // mean 0.5: squared errors 0.16, 0, 0.0009, 0.16 → 0.3209 / 4; |error| ≥ 0.04 for 0.1 and 0.9 only (0.53 is within)
        var task = new MarkedPairsTask(20, multiply: false);
        var batch = new TaskBatch([], 4, 1, 2, [20, 20, 20, 20], [0.1f, 0.5f, 0.47f, 0.93f], null);
        var (error, wrong) = task.Baseline(batch);
        double mean = (0.1f + 0.5f + 0.47f + 0.93f) / 4.0;
        double expected = new[] { 0.1f, 0.5f, 0.47f, 0.93f }.Sum(y => (y - mean) * (y - mean)) / 4;
        Assert.Equal(expected, error, Exact);
        Assert.Equal(0.5, wrong);
    }

    [Fact]
    public void AClassIsCorrectWhenEveryOutputIsWithin03OfItsTarget()
    {
        var task = new TemporalOrderTask(100, 4);
        // softmax of [ln 8, 0, 0, 0] gives p = 8/11 ≈ 0.727 (correct); of [ln 6, 0, 0, 0] 6/9 ≈ 0.667 (wrong)
        float[] logits = [MathF.Log(8), 0, 0, 0, MathF.Log(6), 0, 0, 0, 0, 0, 0, 5];
        var batch = new TaskBatch([], 3, 1, 8, [100, 100, 100], null, [0, 0, 3]);
        var errors = new double[3];
        var correct = new bool[3];
        task.Judge(logits, batch, errors, correct);
        Assert.Equal([true, false, true], correct);
        Assert.Equal(-Math.Log(8.0 / 11), errors[0], 1e-6);
        Assert.Equal(-Math.Log(6.0 / 9), errors[1], 1e-6);
    }

    [Fact]
    public void TheBestConstantClassAnswerIsTheFrequencies()
    {
        // classes 0, 0, 0, 1: frequencies 3/4 and 1/4; cross-entropy (3·ln(4/3) + ln 4) / 4; with the 0.3 rule the
        // constant answer (0.75, 0.25, 0, 0) is right for the class-0 sequences only
        var task = new TemporalOrderTask(100, 4);
        var batch = new TaskBatch([], 4, 1, 8, [100, 100, 100, 100], null, [0, 0, 0, 1]);
        var (error, wrong) = task.Baseline(batch);
        Assert.Equal((3 * Math.Log(4.0 / 3) + Math.Log(4)) / 4, error, Exact);
        Assert.Equal(0.25, wrong);
    }

    [Fact]
    public void CopyIsCorrectOnlyWhenEveryStepIsRight()
    {
        var task = new CopyTask(20);
        var batch = task.Generate(2, new RandomSource(5));
        int steps = batch.Steps;
        var logits = new float[2 * steps * 9]; // (B, T, C)
        for (int row = 0; row < 2 * steps; row++)
        {
            logits[row * 9 + batch.Classes![row]] = 10;
        }

        logits[(steps + steps - 1) * 9 + (batch.Classes![2 * steps - 1] % 8) + 1] = 20; // the second sequence's last step goes wrong
        var errors = new double[2];
        var correct = new bool[2];
        task.Judge(logits, batch, errors, correct);
        Assert.Equal([true, false], correct);
        double perStep = -(10 - Math.Log(Math.Exp(10) + 8));
        Assert.Equal(perStep, errors[0], 1e-9);
    }

    [Fact]
    public void TheCopyBaselineIsTheMemorylessStrategy()
    {
        // blanks then uniform guesses: 10·ln 8 / (T + 20), up to the sampling of the symbol frequencies
        var task = new CopyTask(80);
        var (error, wrong) = task.Baseline(task.Generate(4000, new RandomSource(6)));
        Assert.InRange(error, 10 * Math.Log(8) / 100 * 0.995, 10 * Math.Log(8) / 100);
        Assert.Equal(1.0, wrong);
    }

    [Fact]
    public void AShortAddingProblemIsLearnedAndTheRuleStopsTraining()
    {
        var result = MemoryExperiment.Run(new ExperimentOptions
        {
            Task = MemoryTaskKind.Adding, SequenceLength = 20, HiddenSize = 16, LearningRate = 0.01, Seed = 3, TestSequences = 512,
            MaximumSequences = 200_000,
        });
        Assert.Equal(ExperimentStop.Learned, result.Stop);
        Assert.True(result.WrongFraction < 0.02, $"{result.WrongFraction:P2} of the test sequences wrong");
        Assert.True(result.TestError < result.Baseline / 20, $"test error {result.TestError}, baseline {result.Baseline}");
        Assert.InRange(result.BaselineWrongFraction, 0.7, 0.95);
        Assert.True(result.SequencesSeen >= 2000 && result.SequencesSeen < 200_000);
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalWeightsAndFigures()
    {
        var options = new ExperimentOptions
        {
            Task = MemoryTaskKind.TemporalOrder, SequenceLength = 30, HiddenSize = 8, Seed = 11, TestSequences = 64, MaximumSequences = 320, Cell = RecurrentCellKind.Gru,
        };
        var first = MemoryExperiment.Run(options);
        var second = MemoryExperiment.Run(options);
        Assert.Equal(320, first.SequencesSeen);
        Assert.Equal(ExperimentStop.SequenceBudget, first.Stop);
        Assert.Equal(first.Model.Recurrent.ParameterValues.ToArray(), second.Model.Recurrent.ParameterValues.ToArray());
        Assert.Equal(first.Model.Head.ParameterValues.ToArray(), second.Model.Head.ParameterValues.ToArray());
        Assert.Equal(first.WrongFraction, second.WrongFraction);
        Assert.Equal(first.TestError, second.TestError);
        Assert.Equal(first.GradientFlowAfter, second.GradientFlowAfter);
    }

    [Fact]
    public void GradientFlowAveragesTheRecordedNormsByDistanceFromEachEnd()
    {
        var task = new MarkedPairsTask(20, multiply: false);
        var model = MemoryExperiment.CreateModel(task, RecurrentCellKind.Rnn, 6, null, null, new RandomSource(7));
        var batch = task.Generate(5, new RandomSource(8));
        double[] norms = GradientFlow.Measure(model, task, batch);
        Assert.Equal(batch.Lengths.Min(), norms.Length);
        Assert.All(model.Recurrent.ParameterGradients.ToArray(), g => Assert.Equal(0f, g));

        // by hand: each sequence's own squared error, dL/dh_t from the recorded states, ‖·‖ at length − 1 − d
        var inputs = MemoryExperiment.ToTrainingBatch(batch);
        var result = model.Forward(inputs.Inputs);
        float[] perSequence = [.. Enumerable.Range(0, 5).Select(b => 2 * (result.Prediction.Span[b] - batch.Values![b]))]; // d(ŷ − y)²/dŷ
        var gradient = new Tensor<float>(perSequence, 5, 1);
        var states = model.Backward(result, gradient, recordStates: true).States!; // (1, B, T, H)
        for (int d = 0; d < norms.Length; d++)
        {
            double expected = 0;
            for (int b = 0; b < 5; b++)
            {
                int t = batch.Lengths[b] - 1 - d;
                expected += Math.Sqrt(Enumerable.Range(0, 6).Sum(h => Math.Pow(states.Span[(b * batch.Steps + t) * 6 + h], 2))) / 5;
            }

            Assert.Equal(expected, norms[d], expected * 1e-6);
        }
    }
}
