using Carnet.IO;
using Carnet.Layers;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>
/// Checkpoints of optimizer state (float): N steps, <see cref="Optimizer{T}.SaveState"/> through safetensors bytes, a
/// new optimizer on copies of the modules, <see cref="Optimizer{T}.LoadState"/>, M more steps must equal N + M
/// uninterrupted steps bit for bit, for every optimizer and option that keeps state. Plus the option checks PyTorch makes.
/// </summary>
public sealed class OptimizerCheckpointTests
{
    public static TheoryData<string, int> Configurations()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Factories.Keys)
        {
            data.Add(name, 3);
        }

        data.Add("sgd momentum nesterov", 0); // saved before the first step: the momentum buffer is still empty
        data.Add("rmsprop centered momentum", 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ResumingFromACheckpointEqualsNotStopping(string configuration, int stepsBefore)
    {
        const int StepsAfter = 4;
        var factory = Factories[configuration];
        var (straightModules, straight) = Start(factory);
        var (firstModules, first) = Start(factory);
        var gradients = new RandomSource(7);
        var sequence = Enumerable.Range(0, stepsBefore + StepsAfter).Select(_ => Draw(straightModules, gradients)).ToList();

        for (int s = 0; s < stepsBefore + StepsAfter; s++)
        {
            TakeStep(straight, straightModules, sequence[s], learningRate: 0.03 * (1 + s));
        }

        for (int s = 0; s < stepsBefore; s++)
        {
            TakeStep(first, firstModules, sequence[s], learningRate: 0.03 * (1 + s));
        }

        byte[] checkpoint = SafeTensorsWriter.Serialize(first.SaveState("optimizer."));
        var (resumedModules, resumed) = Start(factory);
        for (int m = 0; m < resumedModules.Count; m++)
        {
            firstModules[m].ParameterValues.CopyTo(resumedModules[m].ParameterValues);
        }

        resumed.LoadState(SafeTensorsFile.Parse(checkpoint, "checkpoint"), "optimizer.");
        Assert.Equal(stepsBefore, resumed.StepCount);
        for (int s = stepsBefore; s < stepsBefore + StepsAfter; s++)
        {
            TakeStep(resumed, resumedModules, sequence[s], learningRate: 0.03 * (1 + s));
        }

        for (int m = 0; m < straightModules.Count; m++)
        {
            Assert.Equal(straightModules[m].ParameterValues.ToArray(), resumedModules[m].ParameterValues.ToArray());
        }

        Assert.Equal(SafeTensorsWriter.Serialize(straight.SaveState("optimizer.")), SafeTensorsWriter.Serialize(resumed.SaveState("optimizer.")));
    }

    [Fact]
    public void LoadingAMisSizedBufferFailsNamingIt()
    {
        var small = new Adam<float>([new Linear<float>(2, 3)]);
        var large = new Adam<float>([new Linear<float>(4, 3)]);
        var file = SafeTensorsFile.Parse(SafeTensorsWriter.Serialize(small.SaveState("adam.")), "small");
        var error = Assert.Throws<SafeTensorsFormatException>(() => large.LoadState(file, "adam."));
        Assert.Contains("adam.exp_avg.0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsAreCheckedAsPyTorchChecksThem()
    {
        Module<float>[] modules = [new Linear<float>(2, 2)];
        Assert.Throws<ArgumentException>(() => new Sgd<float>(modules, 0.1, momentum: 0, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd<float>(modules, 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<float>(modules, 0.1, momentum: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<float>(modules, beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW<float>(modules, weightDecay: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp<float>(modules, alpha: -0.5));
        Assert.Equal(0.01, new AdamW<float>(modules).WeightDecay);
    }

    [Fact]
    public void SgdWithoutMomentumKeepsNoState()
    {
        var sgd = new Sgd<float>([new Linear<float>(2, 2)], 0.1);
        sgd.Step();
        Assert.Equal(["sgd.step"], sgd.SaveState("sgd.").Select(t => t.Name));
    }

    private static readonly Dictionary<string, Func<IReadOnlyList<Module<float>>, Optimizer<float>>> Factories = new()
    {
        ["sgd momentum dampening"] = m => new Sgd<float>(m, 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01),
        ["sgd momentum nesterov"] = m => new Sgd<float>(m, 0.1, momentum: 0.8, nesterov: true),
        ["adam weight decay"] = m => new Adam<float>(m, weightDecay: 0.05),
        ["adam amsgrad"] = m => new Adam<float>(m, amsgrad: true),
        ["adamw amsgrad"] = m => new AdamW<float>(m, weightDecay: 0.1, amsgrad: true),
        ["rmsprop"] = m => new RmsProp<float>(m),
        ["rmsprop centered momentum"] = m => new RmsProp<float>(m, momentum: 0.9, centered: true, weightDecay: 0.01),
    };

    private static (List<Module<float>> Modules, Optimizer<float> Optimizer) Start(Func<IReadOnlyList<Module<float>>, Optimizer<float>> factory)
    {
        var random = new RandomSource(3);
        var modules = new List<Module<float>> { new Linear<float>(5, 3, random: random), new Linear<float>(3, 1, random: random) };
        return (modules, factory(modules));
    }

    private static float[][] Draw(IReadOnlyList<Module<float>> modules, RandomSource random)
        => modules.Select(m => Enumerable.Range(0, m.ParameterGradients.Length).Select(_ => (float)random.NextGaussian()).ToArray()).ToArray();

    private static void TakeStep(Optimizer<float> optimizer, IReadOnlyList<Module<float>> modules, float[][] gradients, double learningRate)
    {
        for (int m = 0; m < modules.Count; m++)
        {
            gradients[m].CopyTo(modules[m].ParameterGradients);
        }

        optimizer.LearningRate = learningRate;
        optimizer.Step();
    }
}
