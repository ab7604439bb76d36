using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The int8 kernels: quantisation rounds half to even within the symmetric range, and every SIMD path's int32 sums are
/// the scalar reference's, bit for bit, at every length from 0 to 300 (integer sums are exact); the dequantised
/// product stays within the bound the rounding allows of the float product.
/// </summary>
public sealed class Int8KernelTests
{
    private static IEnumerable<int> Paths() => new[] { 128, 256, 512 }.Where(width => width <= Int8Kernels.WidestPath);

    private static sbyte[] Values(RandomSource random, int count)
    {
        var values = new sbyte[count];
        for (int i = 0; i < count; i++)
        {
            int pick = random.NextInt(10);
            values[i] = (sbyte)(pick == 0 ? 127 : pick == 1 ? -127 : random.NextInt(255) - 127); // the extremes often
        }

        return values;
    }

    [Fact]
    public void EverySimdPathGivesTheReferenceSumsAtEveryLength()
    {
        Assert.NotEmpty(Paths()); // x64 always has SSE2
        var random = new RandomSource(3);
        for (int columns = 0; columns <= 300; columns++)
        {
            for (int rows = 1; rows <= 6; rows++) // the 512-bit path takes four rows at a time, then one by one
            {
                sbyte[] weights = Values(random, rows * columns), vector = Values(random, columns);
                var expected = new int[rows];
                Int8Kernels.DotRows(weights, columns, vector, expected, width: 0);
                foreach (int width in Paths())
                {
                    var sums = new int[rows];
                    Int8Kernels.DotRows(weights, columns, vector, sums, width);
                    Assert.True(expected.SequenceEqual(sums), $"{width}-bit path, {rows} × {columns}");
                }
            }
        }
    }

    [Fact]
    public void TheLongestRowOfExtremesSumsWithoutOverflow()
    {
        var weights = Enumerable.Repeat((sbyte)-127, Int8Kernels.MaximumColumns).ToArray();
        var vector = Enumerable.Repeat((sbyte)-127, Int8Kernels.MaximumColumns).ToArray();
        foreach (int width in Paths().Prepend(0))
        {
            var sums = new int[1];
            Int8Kernels.DotRows(weights, Int8Kernels.MaximumColumns, vector, sums, width);
            Assert.Equal(127 * 127 * Int8Kernels.MaximumColumns, sums[0]);
        }

        Assert.Throws<ArgumentException>(() => Int8Kernels.DotRows(new sbyte[4], Int8Kernels.MaximumColumns + 1, new sbyte[4], new int[0]));
    }

    [Fact]
    public void QuantisationRoundsHalfToEvenWithOneScaleARow()
    {
        float[] values = [127f, 0.5f, 1.5f, -2.5f, -127f, 0, 0, 0, 0, 0, 2f, -1f, 0.25f, 0, 0];
        var quantized = new sbyte[values.Length];
        var scales = new float[3];
        Int8Kernels.QuantizeRows(values, 5, quantized, scales);

        Assert.Equal([1f, 0f, 2f / 127], scales);
        Assert.Equal([127, 0, 2, -2, -127, 0, 0, 0, 0, 0, 127, -64, 16, 0, 0], quantized.Select(q => (int)q)); // -1/(2/127) = -63.5 → -64; 0.25·63.5 = 15.875 → 16
    }

    [Fact]
    public void ANonFiniteValueMakesTheOutputNaN()
    {
        var quantized = new sbyte[3];
        float scale = Int8Kernels.Quantize([1f, float.PositiveInfinity, 2f], quantized);
        Assert.True(float.IsNaN(scale));
        Assert.Equal([0, 0, 0], quantized.Select(q => (int)q));
        var output = new float[1];
        Int8Kernels.Dequantize([5], [0.5f], scale, output);
        Assert.True(float.IsNaN(output[0]));
    }

    [Fact]
    public void TheDequantisedProductIsWithinTheRoundingBoundOfTheFloatProduct()
    {
        const int rows = 37, columns = 129;
        var random = new RandomSource(8);
        var weights = new float[rows * columns];
        var vector = new float[columns];
        random.FillGaussian<float>(weights, 0, 0.1);
        random.FillUniform<float>(vector, -1, 1);
        var quantizedWeights = new sbyte[weights.Length];
        var rowScales = new float[rows];
        var quantizedVector = new sbyte[columns];
        Int8Kernels.QuantizeRows(weights, columns, quantizedWeights, rowScales);
        float vectorScale = Int8Kernels.Quantize(vector, quantizedVector);
        var sums = new int[rows];
        var output = new float[rows];
        Int8Kernels.DotRows(quantizedWeights, columns, quantizedVector, sums);
        Int8Kernels.Dequantize(sums, rowScales, vectorScale, output);

        for (int r = 0; r < rows; r++)
        {
            double exact = 0, bound = 0;
            for (int k = 0; k < columns; k++)
            {
                double w = weights[(r * columns) + k], x = vector[k];
                exact += w * x;
                bound += (Math.Abs(w) * vectorScale / 2) + (Math.Abs(x) * rowScales[r] / 2) + (rowScales[r] * vectorScale / 4); // each factor off by at most half its step
            }

            Assert.True(Math.Abs(output[r] - exact) <= (bound * 1.0001) + 1e-6, $"row {r}: {output[r]} against {exact}, bound {bound}");
        }
    }
}
