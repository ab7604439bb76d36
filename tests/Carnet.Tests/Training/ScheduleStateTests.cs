using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>
/// Schedule checkpoints: for every golden schedule, N steps, <see cref="LearningRateSchedule.GetState"/>, a new optimizer
/// and schedule built with the same options, <see cref="LearningRateSchedule.SetState"/>, M more steps must give the
/// learning rates of N + M uninterrupted steps bit for bit, and the same state. Plus the schedules' argument checks.
/// </summary>
public sealed class ScheduleStateTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string file in OptimizerGolden.Files("schedule_"))
        {
            data.Add(file, 0);
            data.Add(file, 7);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResumingFromTheStateEqualsNotStopping(string file, int stepsBefore)
    {
        const int StepsAfter = 15;
        var golden = OptimizerGolden.Read(file);
        double[] metric = golden.Contains("metric") ? golden["metric"].ToDoubleArray() : new double[stepsBefore + StepsAfter];
        double? Metric(int s) => golden.Contains("metric") ? metric[s] : null;

        var (straightOptimizer, straight) = ScheduleGoldenTests.Build(golden.Metadata);
        var expected = new List<double>();
        for (int s = 0; s < stepsBefore + StepsAfter; s++)
        {
            straight.Step(Metric(s));
            expected.Add(straightOptimizer.LearningRate);
        }

        var (_, first) = ScheduleGoldenTests.Build(golden.Metadata);
        for (int s = 0; s < stepsBefore; s++)
        {
            first.Step(Metric(s));
        }

        double[] state = first.GetState();
        var (resumedOptimizer, resumed) = ScheduleGoldenTests.Build(golden.Metadata);
        resumed.SetState(state);
        Assert.Equal(state, resumed.GetState());
        for (int s = stepsBefore; s < stepsBefore + StepsAfter; s++)
        {
            resumed.Step(Metric(s));
            Assert.Equal(expected[s], resumedOptimizer.LearningRate);
        }

        Assert.Equal(straight.GetState(), resumed.GetState());
    }

    [Fact]
    public void AStateOfAnotherKindOfScheduleIsRejected()
    {
        var optimizer = new Sgd<float>([new ParameterBlock<float>([("weight", [1])])], 0.1);
        var step = new StepSchedule(optimizer, 3);
        var plateau = new ReduceOnPlateauSchedule(optimizer);
        var sequence = new SequentialSchedule(optimizer, [new LinearSchedule(optimizer), new StepSchedule(optimizer, 2)], [5]);
        Assert.Throws<ArgumentException>(() => sequence.SetState(step.GetState()));
        Assert.Throws<ArgumentException>(() => plateau.SetState(sequence.GetState()));
        Assert.Throws<ArgumentException>(() => step.SetState([0.5, 1, 0.1, 0.1, 0.1, 0.1]));
        Assert.Throws<ArgumentNullException>(() => plateau.Step());
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        var optimizer = new Sgd<float>([new ParameterBlock<float>([("weight", [1])])], 0.1);
        var other = new Sgd<float>([new ParameterBlock<float>([("weight", [1])])], 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(optimizer, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(optimizer, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearSchedule(optimizer, startFactor: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateauSchedule(optimizer, new PlateauOptions { Factor = 1 }));
        Assert.Throws<ArgumentException>(() => new SequentialSchedule(optimizer, [new StepSchedule(optimizer, 2)], [3]));
        Assert.Throws<ArgumentException>(() => new SequentialSchedule(optimizer, [new StepSchedule(optimizer, 2), new StepSchedule(other, 2)], [3]));
        Assert.Throws<ArgumentException>(() => new SequentialSchedule(optimizer, [new StepSchedule(optimizer, 2), new StepSchedule(optimizer, 2)], [0]));
    }

    [Fact]
    public void TheFirstScheduleSetsTheBaseLearningRateOfEveryLaterOne()
    {
        var optimizer = new Sgd<float>([new ParameterBlock<float>([("weight", [1])])], 0.2);
        var warmup = new LinearSchedule(optimizer, startFactor: 0.5);
        Assert.Equal(0.1, optimizer.LearningRate);
        var cosine = new CosineAnnealingSchedule(optimizer, 10);
        Assert.Equal(0.2, optimizer.InitialLearningRate);
        Assert.Equal(0.2, warmup.BaseLearningRate);
        Assert.Equal(0.2, cosine.BaseLearningRate);
    }
}
