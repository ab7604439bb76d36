using System.Numerics;
using Carnet.Tests.Golden;
using Carnet.Training;

namespace Carnet.Tests.Training;

/// <summary>
/// Parity with PyTorch's <c>F.ctc_loss</c> for every reference file (tests/golden/ctc/*.safetensors, made by
/// tests/golden/generate_ctc.py): the reduced and unreduced losses, the gradient with respect to the logits before
/// log_softmax, and PyTorch's own gradient with respect to the log-probabilities, which is Carnet's plus exp(log y)
/// times the sample's weight on its frames — within 1e-12 in double and 1e-5 in float (relative above 1).
/// </summary>
public sealed class CtcGoldenTests
{
    public static TheoryData<string, string> Files => GoldenFiles.In("ctc");

    [Fact]
    public void EveryCaseHasAReferenceFile() => Assert.True(Files.Count >= 12, $"only {Files.Count} CTC reference files");

    [Theory]
    [MemberData(nameof(Files))]
    public void DoubleMatchesPyTorch(string source, string file) => Check<double>(source, file, 1e-12);

    [Theory]
    [MemberData(nameof(Files))]
    public void FloatMatchesPyTorch(string source, string file) => Check<float>(source, file, 1e-5);

    private static void Check<T>(string source, string file, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var golden = GoldenFiles.Read(source, "ctc", file);
        var meta = golden.Metadata;
        int[] Ints(string name) => [.. golden[name].ToDoubleArray().Select(v => (int)v)];
        var logProbabilities = Tensor<T>.FromDoubles(golden["log_probs"].ToDoubleArray(), golden["log_probs"].Shape.ToArray());
        int[] shape = logProbabilities.Shape.ToArray();
        var (frames, batch, classes) = (shape[0], shape[1], shape[2]);
        int[] targets = Ints("targets"), inputLengths = Ints("input_lengths"), targetLengths = Ints("target_lengths");
        var reduction = meta["reduction"] == "sum" ? Reduction.Sum : Reduction.Mean;
        bool zeroInfinity = meta["zero_infinity"] == "true";
        var gradient = Tensor<T>.Zeros(shape);
        var unreduced = Tensor<T>.Zeros(batch);
        T loss = Losses.CtcLoss(logProbabilities, targets, inputLengths, targetLengths, gradient, new(int.Parse(meta["blank"]), reduction, zeroInfinity), unreduced);

        Near(file + " loss", golden["loss"].ToDoubleArray(), [double.CreateTruncating(loss)], tolerance);
        Near(file + " loss_none", golden["loss_none"].ToDoubleArray(), [.. unreduced.Span.ToArray().Select(double.CreateTruncating)], tolerance);

        var g = gradient.Span.ToArray().Select(double.CreateTruncating).ToArray();
        var lp = golden["log_probs"].ToDoubleArray();
        var lossNone = golden["loss_none"].ToDoubleArray();
        var throughSoftmax = new double[g.Length]; // g − softmax · Σ_c g, each row
        var pytorchForm = new double[g.Length]; // g + exp(lp) · weight on the sample's frames
        for (int t = 0; t < frames; t++)
        {
            for (int n = 0; n < batch; n++)
            {
                int row = ((t * batch) + n) * classes;
                double sum = g.AsSpan(row, classes).ToArray().Sum();
                bool counted = t < inputLengths[n] && !(zeroInfinity && lossNone[n] == 0); // a zeroed impossible sample has no gradient
                double weight = reduction == Reduction.Sum ? 1 : 1.0 / (Math.Max(targetLengths[n], 1) * batch);
                for (int c = 0; c < classes; c++)
                {
                    throughSoftmax[row + c] = g[row + c] - (Math.Exp(lp[row + c]) * sum);
                    pytorchForm[row + c] = g[row + c] + (counted ? Math.Exp(lp[row + c]) * weight : 0);
                }
            }
        }

        Near(file + " grad.logits", golden["grad.logits"].ToDoubleArray(), throughSoftmax, tolerance);
        Near(file + " grad.log_probs", golden["grad.log_probs"].ToDoubleArray(), pytorchForm, tolerance);
    }

    private static void Near(string name, double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{name}[{i}]: {actual[i]:R} against PyTorch's {expected[i]:R}");
        }
    }
}
