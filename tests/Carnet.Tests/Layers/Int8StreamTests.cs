using Carnet.Kernels;
using Carnet.Layers;

namespace Carnet.Tests.Layers;

/// <summary>
/// Int8 weights on the streaming path: the products are the int8 kernels' own arithmetic (checked against a hand
/// computation), the same for every slicing and thread count, and the stream's outputs stay close to the float stream's.
/// </summary>
public sealed class Int8StreamTests
{
    public static TheoryData<string, int> Cells => RecurrentStreamTests.Cells;

    private static RecurrentLayer<float> Layer(string cell, int hidden)
    {
        var options = new RecurrentOptions
        {
            InputSize = 5, HiddenSize = hidden, NumLayers = 2, ProjectionSize = cell == "lstm_projection" ? 7 : 0,
            Nonlinearity = cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        var random = new RandomSource(9);
        return cell.StartsWith("lstm", StringComparison.Ordinal) ? new Lstm<float>(options, random)
            : cell == "peephole" ? new PeepholeLstm<float>(options, random)
            : cell == "gru" ? new Gru<float>(options, random) : new Rnn<float>(options, random);
    }

    private static float[][] Run(RecurrentLayer<float> layer, WeightPrecision precision, int threads, float[] input, int steps, int batch)
    {
        using var scope = KernelSettings.Use(maximumThreads: threads);
        using var stream = new RecurrentStream<float>(layer, batch, precision);
        int size = batch * layer.Options.InputSize;
        return [.. Enumerable.Range(0, steps).Select(t =>
        {
            var output = new float[batch * layer.StateSize];
            stream.Step(input.AsSpan(t * size, size), output);
            return output;
        })];
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Int8StepsStayCloseToFloatAndAreTheSameOnOneAndTwoThreads(string cell, int hidden)
    {
        var layer = Layer(cell, hidden);
        const int steps = 12, batch = 2;
        var input = new float[steps * batch * 5];
        new RandomSource(4).FillGaussian<float>(input, 0, 1);

        var exact = Run(layer, WeightPrecision.Float, 2, input, steps, batch);
        var quantized = Run(layer, WeightPrecision.Int8, 2, input, steps, batch);
        var alone = Run(layer, WeightPrecision.Int8, 1, input, steps, batch);

        Assert.Equal(quantized.SelectMany(o => o), alone.SelectMany(o => o)); // bit for bit: a row does not depend on the slicing
        float largest = exact.Zip(quantized).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.InRange(largest, 1e-6f, 0.02f); // really quantised, and within 0.02 of outputs bounded by 1 (tanh) after 12 steps
    }

    [Fact]
    public void TheInt8ProductIsTheKernelsArithmeticForAnySlicingOfColumns()
    {
        const int m = 3, k = 37, n = 40;
        var random = new RandomSource(12);
        var weights = new float[n * k];
        var a = new float[m * k];
        random.FillGaussian<float>(weights, 0, 0.2);
        random.FillGaussian<float>(a, 0, 1);
        using var operand = WeightOperand<float>.Create(true, weights, k, k, n, WeightPrecision.Int8);
        var whole = new float[m * n];
        operand.Multiply(a, m, whole, n, accumulate: false);

        var quantizedWeights = new sbyte[n * 64]; // rows padded to 64
        var scales = new float[n];
        Int8Kernels.QuantizeRows(weights, k, quantizedWeights, scales);
        for (int i = 0; i < m; i++)
        {
            var row = new sbyte[k];
            float rowScale = Int8Kernels.QuantizeActivations(a.AsSpan(i * k, k), row);
            for (int j = 0; j < n; j++)
            {
                int sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += quantizedWeights[(j * 64) + p] * row[p];
                }

                Assert.Equal(sum * (scales[j] * rowScale), whole[(i * n) + j]);
            }
        }

        var sliced = Enumerable.Repeat(1f, m * n).ToArray();
        operand.MultiplyColumns(a, m, sliced, n, accumulate: true, [0, 20], 20);
        Assert.Equal(whole.Select(v => 1f + v), sliced);
        Assert.Equal(WeightPrecision.Int8, operand.Precision);
    }

    [Fact]
    public void Int8NeedsAFloatLayer()
    {
        var layer = new Lstm<double>(3, 4);
        var error = Assert.Throws<ArgumentException>(() => new RecurrentStream<double>(layer, 1, WeightPrecision.Int8));
        Assert.StartsWith("Int8 weights are quantised from single-precision layers", error.Message);
    }
}
