using Carnet.Layers;
using Carnet.Models;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>The one training loop's stops: the step budget, the task's rule, the time limit before or after a step, divergence.</summary>
public sealed class TrainingLoopTests
{
    [Fact]
    public void FreshBatchesStopAtTheStepBudget()
    {
        var (loop, steps) = Loop(new TrainingLoopOptions { MaximumSteps = 3 });
        var report = loop.Fit(Fresh(), new RandomSource(1));
        Assert.Equal(TrainingStop.Finished, report.Stop);
        Assert.Equal([1, 2, 3], steps);
        Assert.Single(report.Epochs);
    }

    [Fact]
    public void TheTasksRuleStopsAfterTheStepItHolds()
    {
        var model = Model();
        var loop = new TrainingLoop<float, TrainingBatch<float>>(Trainable(model), Optimizer(model), new TrainingLoopOptions { MaximumSteps = 10 })
        {
            StopAfterStep = p => p.Batch == 2,
        };
        var report = loop.Fit(Fresh(), new RandomSource(1));
        Assert.Equal(TrainingStop.Requested, report.Stop);
    }

    [Fact]
    public void ATimeLimitCheckedBeforeEachStepTakesNoStepPastItAndOneCheckedAfterTakesOne()
    {
        var options = new TrainingLoopOptions { MaximumSteps = 10, TimeLimit = TimeSpan.Zero };
        var (before, stepsBefore) = Loop(options with { TimeLimitCheck = TimeLimitCheck.BeforeEachStep });
        Assert.Equal(TrainingStop.TimeLimit, before.Fit(Fresh(), new RandomSource(1)).Stop);
        Assert.Empty(stepsBefore);

        var (after, stepsAfter) = Loop(options with { TimeLimitCheck = TimeLimitCheck.AfterEachStep });
        Assert.Equal(TrainingStop.TimeLimit, after.Fit(Fresh(), new RandomSource(1)).Stop);
        Assert.Equal([1], stepsAfter);
    }

    [Fact]
    public void ALossThatIsNotFiniteStopsWithTheEpochAndBatch()
    {
        var model = Model();
        var trainable = new SequenceModelTrainable<float>(model, (_, _, _) => double.NaN);
        var loop = new TrainingLoop<float, TrainingBatch<float>>(trainable, Optimizer(model), new TrainingLoopOptions { MaximumSteps = 5 });
        var error = Assert.Throws<TrainingDivergedException>(() => loop.Fit(Fresh(), new RandomSource(1)));
        Assert.Equal((1, 1), (error.Epoch, error.Batch));
    }

    private static (TrainingLoop<float, TrainingBatch<float>> Loop, List<int> Steps) Loop(TrainingLoopOptions options)
    {
        var model = Model();
        var loop = new TrainingLoop<float, TrainingBatch<float>>(Trainable(model), Optimizer(model), options);
        var steps = new List<int>();
        loop.Progress += p =>
        {
            if (!p.EpochEnd)
            {
                steps.Add(p.Batch);
            }
        };
        return (loop, steps);
    }

    private static SequenceModel<float> Model()
        => new(RecurrentCellKind.Gru, new RecurrentOptions { InputSize = 2, HiddenSize = 3 }, 1, Pooling.Last, new RandomSource(4));

    private static SequenceModelTrainable<float> Trainable(SequenceModel<float> model) => new(model, TrainingLosses.MeanSquaredError<float>());

    private static Adam<float> Optimizer(SequenceModel<float> model) => new(model.Modules.Select(m => m.Module), 0.01);

    private static BatchSource<TrainingBatch<float>> Fresh() => BatchSource<TrainingBatch<float>>.Fresh(random =>
    {
        var x = Tensor<float>.Zeros(4, 3, 2); // (B, T, I)
        var y = Tensor<float>.Zeros(4, 1); // (B, 1)
        random.FillGaussian(x.Span, 0, 1);
        random.FillGaussian(y.Span, 0, 1);
        return new TrainingBatch<float>(SequenceBatch<float>.FromFeatures(x), new BatchTargets<float>(y, null));
    });
}
