using System.Numerics;
using Carnet.Layers;
using Carnet.Training;
using Xunit.Abstractions;

namespace Carnet.Tests.Training;

/// <summary>
/// Parity with torch.nn.utils.clip_grad_norm_ (norm types 2, 3 and ∞; clipping and not) and clip_grad_value_
/// (golden/optimizers/clip_*): the clipped gradients and the returned total norm. Double within 1e-12, float 1e-6.
/// </summary>
public sealed class ClippingGoldenTests(ITestOutputHelper output)
{
    public static TheoryData<string> ClippingFiles => OptimizerGolden.Files("clip_");

    [Theory]
    [MemberData(nameof(ClippingFiles))]
    public void DoubleClippingMatchesPyTorch(string file) => Replay<double>(file, 1e-12);

    [Theory]
    [MemberData(nameof(ClippingFiles))]
    public void FloatClippingMatchesPyTorch(string file) => Replay<float>(file, 1e-6);

    [Fact]
    public void NormClippingAlwaysMultipliesSoANaNNormReachesTheGradients()
    {
        var module = new ParameterBlock<float>([("weight", [3])]);
        module.ParameterGradients.Span[0] = 1;
        module.ParameterGradients.Span[1] = float.NaN;
        module.ParameterGradients.Span[2] = -2;
        double norm = GradientClipping.ClipByGlobalNorm([module], 1.0);
        Assert.True(double.IsNaN(norm));
        Assert.All(module.ParameterGradients.ToArray(), g => Assert.True(float.IsNaN(g)));
    }

    [Fact]
    public void ValueClippingKeepsNaNAndRejectsNegativeValues()
    {
        var module = new ParameterBlock<double>([("weight", [4])]);
        double[] gradients = [0.5, double.NaN, -3, 3];
        gradients.CopyTo(module.ParameterGradients.Span);
        GradientClipping.ClipByValue([module], 1.0);
        Assert.Equal([0.5, double.NaN, -1, 1], module.ParameterGradients.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue([module], -1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([module], 1.0, normType: 0));
    }

    private void Replay<T>(string file, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var golden = OptimizerGolden.Read(file);
        var meta = golden.Metadata;
        var modules = OptimizerGolden.Modules<T>(golden, "grad.");
        string[] names = ["m0", "m1"];
        Assert.Equal(names.Length, modules.Count);
        for (int m = 0; m < modules.Count; m++)
        {
            modules[m].ParameterValues.Span.CopyTo(modules[m].ParameterGradients.Span);
        }

        var tally = new ErrorTally();
        if (meta["method"] == "norm")
        {
            double normType = meta["norm_type"] == "inf" ? double.PositiveInfinity : meta.Real("norm_type");
            double total = GradientClipping.ClipByGlobalNorm<T>(modules.Cast<Module<T>>(), meta.Real("max_norm"), normType);
            tally.Check("total_norm", golden["total_norm"].ToDoubleArray(), [total], tolerance);
        }
        else
        {
            GradientClipping.ClipByValue<T>(modules.Cast<Module<T>>(), meta.Real("clip_value"));
        }

        for (int m = 0; m < modules.Count; m++)
        {
            tally.Check("clipped " + names[m], OptimizerGolden.Block(golden, "clipped.", names[m], modules[m]),
                OptimizerGolden.ToDoubles<T>(modules[m].ParameterGradients.Span), tolerance);
        }

        output.WriteLine($"{file} {typeof(T).Name}: {tally}");
    }
}
