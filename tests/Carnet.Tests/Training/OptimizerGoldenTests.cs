using System.Numerics;
using Carnet.Training;
using Xunit.Abstractions;

namespace Carnet.Tests.Training;

/// <summary>
/// Parity with torch.optim 1.13 (golden/optimizers/optim_*): SGD, Adam, AdamW and RMSprop under several option sets
/// replay six steps of stored gradients, with the learning rate PyTorch used at each step, from the stored initial
/// parameters (two modules, three tensors of odd sizes). After every step every parameter is compared, after the last
/// every state buffer, read back through <see cref="Optimizer{T}.SaveState"/> under PyTorch's state names.
/// Double within 1e-12 of PyTorch's float64 run and float within 1e-6 (absolute below 1, relative above); float is
/// also compared with PyTorch's own float32 run of the same steps (f32.*, after the last step), which it must equal
/// bit for bit: the kernels round where PyTorch's CPU kernels round, fused multiply-adds included.
/// </summary>
public sealed class OptimizerGoldenTests(ITestOutputHelper output)
{
    public static TheoryData<string> OptimizerFiles => OptimizerGolden.Files("optim_");

    [Theory]
    [MemberData(nameof(OptimizerFiles))]
    public void DoubleReplayMatchesPyTorch(string file) => Replay<double>(file, 1e-12);

    [Theory]
    [MemberData(nameof(OptimizerFiles))]
    public void FloatReplayMatchesPyTorch(string file) => Replay<float>(file, 1e-6);

    [Fact]
    public void EveryReferenceFileBelongsToATest()
    {
        var files = OptimizerGolden.AllFiles();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(
            f.StartsWith("optim_", StringComparison.Ordinal) || f.StartsWith("clip_", StringComparison.Ordinal) || f.StartsWith("schedule_", StringComparison.Ordinal),
            $"{f} is not an optim_, clip_ or schedule_ case"));
        Assert.True(files.Count(f => f.StartsWith("optim_", StringComparison.Ordinal)) >= 14, "the SGD, Adam, AdamW and RMSprop cases are all there");
    }

    private void Replay<T>(string file, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var golden = OptimizerGolden.Read(file);
        var meta = golden.Metadata;
        var modules = OptimizerGolden.Modules<T>(golden, "initial.");
        string[] names = golden.Tensors.Where(t => t.Name.StartsWith("initial.", StringComparison.Ordinal))
            .Select(t => t.Name.Split('.')[1]).Distinct().ToArray();
        Assert.Equal(names.Length, modules.Count);
        var optimizer = OptimizerGolden.CreateOptimizer<T>(meta, modules);
        double[] learningRates = golden["lr"].ToDoubleArray();
        int steps = meta.Integer("steps");
        Assert.Equal(steps, learningRates.Length);
        var parameters = new ErrorTally();
        for (int s = 1; s <= steps; s++)
        {
            optimizer.ZeroGradients();
            for (int m = 0; m < modules.Count; m++)
            {
                OptimizerGolden.Load(OptimizerGolden.Block(golden, $"grad.{s}.", names[m], modules[m]), modules[m].ParameterGradients.Span);
            }

            optimizer.LearningRate = learningRates[s - 1];
            optimizer.Step();
            for (int m = 0; m < modules.Count; m++)
            {
                parameters.Check($"step {s} {names[m]}", OptimizerGolden.Block(golden, $"param.{s}.", names[m], modules[m]),
                    OptimizerGolden.ToDoubles<T>(modules[m].ParameterValues.Span), tolerance);
            }
        }

        var saved = optimizer.SaveState("opt.").ToDictionary(t => t.Name);
        Assert.Equal(steps, saved["opt.step"].ToInt64Array()[0]);
        var expectedBuffers = golden.Tensors.Where(t => t.Name.StartsWith("state.", StringComparison.Ordinal))
            .Select(t => t.Name.Split('.')[1]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var savedBuffers = saved.Keys.Where(k => k != "opt.step").Select(k => k.Split('.')[1]).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedBuffers, savedBuffers);
        var state = new ErrorTally();
        foreach (string buffer in expectedBuffers)
        {
            for (int m = 0; m < modules.Count; m++)
            {
                state.Check($"{buffer} of {names[m]}", OptimizerGolden.Block(golden, $"state.{buffer}.", names[m], modules[m]),
                    saved[$"opt.{buffer}.{m}"].ToDoubleArray(), tolerance);
            }
        }

        output.WriteLine($"{file} {typeof(T).Name}: parameters {parameters}; state [{string.Join(", ", expectedBuffers)}] {state}");
        if (typeof(T) == typeof(float))
        {
            var single = new ErrorTally();
            for (int m = 0; m < modules.Count; m++)
            {
                single.Check($"float32 {names[m]}", OptimizerGolden.Block(golden, "f32.param.", names[m], modules[m]),
                    OptimizerGolden.ToDoubles<T>(modules[m].ParameterValues.Span), tolerance: 0);
                foreach (string buffer in expectedBuffers)
                {
                    single.Check($"float32 {buffer} of {names[m]}", OptimizerGolden.Block(golden, $"f32.state.{buffer}.", names[m], modules[m]),
                        saved[$"opt.{buffer}.{m}"].ToDoubleArray(), tolerance: 0);
                }
            }

            output.WriteLine($"{file} against PyTorch's float32 run: {single}");
        }
    }
}
