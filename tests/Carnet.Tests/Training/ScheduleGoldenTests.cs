using System.Globalization;
using Carnet.Training;
using Xunit.Abstractions;

namespace Carnet.Tests.Training;

/// <summary>
/// Parity with torch.optim.lr_scheduler 1.13 (golden/optimizers/schedule_*): StepLR, CosineAnnealingLR (past T_max,
/// through the (2k+1)·T_max branch), LinearLR up and down, ReduceLROnPlateau (min; max with cooldown and a floor) fed
/// a stored metric sequence, and SequentialLR (warm-up then cosine or step). The learning rate after construction and
/// after each of 30 steps must agree within 1e-12 relative.
/// </summary>
public sealed class ScheduleGoldenTests(ITestOutputHelper output)
{
    public static TheoryData<string> ScheduleFiles => OptimizerGolden.Files("schedule_");

    [Theory]
    [MemberData(nameof(ScheduleFiles))]
    public void LearningRatesMatchPyTorch(string file)
    {
        var golden = OptimizerGolden.Read(file);
        var meta = golden.Metadata;
        double[] expected = golden["lr"].ToDoubleArray();
        double[]? metric = golden.Contains("metric") ? golden["metric"].ToDoubleArray() : null;
        var (optimizer, schedule) = Build(meta);
        var actual = new List<double> { optimizer.LearningRate };
        for (int s = 0; s < expected.Length - 1; s++)
        {
            optimizer.Step();
            schedule.Step(metric?[s]);
            actual.Add(optimizer.LearningRate);
            Assert.Equal(optimizer.LearningRate, schedule.LastLearningRate);
        }

        double worst = 0;
        int identical = 0;
        for (int s = 0; s < expected.Length; s++)
        {
            double error = Math.Abs(actual[s] - expected[s]);
            Assert.True(error <= 1e-12 * Math.Abs(expected[s]), string.Create(CultureInfo.InvariantCulture,
                $"lr after {s} steps: got {actual[s]:R}, PyTorch {expected[s]:R}"));
            worst = Math.Max(worst, expected[s] == 0 ? 0 : error / Math.Abs(expected[s]));
            identical += actual[s].Equals(expected[s]) ? 1 : 0;
        }

        output.WriteLine($"{file}: max relative error {worst:E2}; {identical}/{expected.Length} learning rates bit-identical");
    }

    /// <summary>An SGD optimizer with the file's learning rate and the schedule its metadata describes.</summary>
    internal static (Sgd<double> Optimizer, LearningRateSchedule Schedule) Build(IReadOnlyDictionary<string, string> meta)
    {
        var optimizer = new Sgd<double>([new ParameterBlock<double>([("weight", [2])])], meta.Real("lr"));
        if (meta["schedule"] != "SequentialLR")
        {
            return (optimizer, Schedule(meta["schedule"], meta, string.Empty, optimizer));
        }

        var first = (EpochSchedule)Schedule(meta["first"], meta, "first.", optimizer);
        var second = (EpochSchedule)Schedule(meta["second"], meta, "second.", optimizer);
        return (optimizer, new SequentialSchedule(optimizer, [first, second], [meta.Integer("milestone")]));
    }

    private static LearningRateSchedule Schedule(string kind, IReadOnlyDictionary<string, string> meta, string prefix, IOptimizer optimizer)
        => kind switch
        {
            "StepLR" => new StepSchedule(optimizer, meta.Integer(prefix + "step_size"), meta.Real(prefix + "gamma")),
            "CosineAnnealingLR" => new CosineAnnealingSchedule(optimizer, meta.Integer(prefix + "T_max"), meta.Real(prefix + "eta_min")),
            "LinearLR" => new LinearSchedule(optimizer, meta.Real(prefix + "start_factor"), meta.Real(prefix + "end_factor"), meta.Integer(prefix + "total_iters")),
            "ReduceLROnPlateau" => new ReduceOnPlateauSchedule(optimizer, new PlateauOptions
            {
                Mode = meta[prefix + "mode"] == "max" ? PlateauMode.Max : PlateauMode.Min,
                Factor = meta.Real(prefix + "factor"),
                Patience = meta.Integer(prefix + "patience"),
                Threshold = meta.Real(prefix + "threshold"),
                ThresholdMode = meta[prefix + "threshold_mode"] == "abs" ? ThresholdMode.Absolute : ThresholdMode.Relative,
                Cooldown = meta.Integer(prefix + "cooldown"),
                MinimumLearningRate = meta.Real(prefix + "min_lr"),
            }),
            _ => throw new InvalidOperationException($"Unknown schedule '{kind}'."),
        };
}
