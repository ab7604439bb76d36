using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The int8 kernels: quantisation rounds half to even within the symmetric range [−127, 127], and every SIMD path's
/// int32 sums are the scalar reference's, bit for bit, at every length from 0 to 300 (integer sums are exact, and the
/// |a| · w·sign(a) pairs cannot saturate int16); the dequantised product stays within the bound the rounding allows of
/// the float product.
/// </summary>
public sealed class Int8KernelTests
{
    private static IEnumerable<Int8Path> Paths() => Int8Kernels.Paths;

    private static int[] RowSums(sbyte[] weights, int padded)
    {
        var rowSums = new int[weights.Length / Math.Max(padded, 1)];
        Int8Kernels.RowSums(weights, padded, rowSums);
        return rowSums;
    }

    /// <summary>Rows of <paramref name="columns"/> values in [−limit, limit], the extremes often, padded with zeros to Kp.</summary>
    private static sbyte[] Values(RandomSource random, int rows, int columns, int limit)
    {
        int padded = Int8Kernels.PaddedColumns(columns);
        var values = new sbyte[rows * padded];
        for (int i = 0; i < values.Length; i++)
        {
            int pick = random.NextInt(10);
            values[i] = i % padded >= columns ? (sbyte)0 : (sbyte)(pick == 0 ? limit : pick == 1 ? -limit : random.NextInt((2 * limit) + 1) - limit);
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
            for (int rows = 1; rows <= 13; rows += rows < 6 ? 1 : 7) // the 256-bit path takes eight rows at a time, the 512-bit one four, then one by one
            {
                sbyte[] weights = Values(random, rows, columns, Int8Kernels.Limit), vector = Values(random, 1, columns, Int8Kernels.Limit);
                int padded = Int8Kernels.PaddedColumns(columns);
                var expected = new int[rows];
                var rowSums = new int[rows];
                Int8Kernels.RowSums(weights, padded, rowSums);
                Int8Kernels.DotRows(weights, padded, vector, rowSums, expected, Int8Path.Reference);
                Assert.Equal(Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, columns).Sum(k => weights[(r * padded) + k] * vector[k])), expected);
                foreach (var path in Paths())
                {
                    var sums = new int[rows];
                    Int8Kernels.DotRows(weights, padded, vector, rowSums, sums, path);
                    Assert.True(expected.SequenceEqual(sums), $"{path} path, {rows} × {columns}");
                }
            }
        }
    }

    [Theory]
    [InlineData(127, 127)]
    [InlineData(-127, 127)]
    [InlineData(127, -127)]
    [InlineData(-127, -127)]
    public void TheLongestRowOfExtremesSumsWithoutOverflow(int weight, int activation)
    {
        const int columns = Int8Kernels.MaximumColumns;
        var weights = Enumerable.Repeat((sbyte)weight, columns).ToArray();
        var vector = Enumerable.Repeat((sbyte)activation, columns).ToArray();
        foreach (var path in Paths().Prepend(Int8Path.Reference))
        {
            var sums = new int[1];
            Int8Kernels.DotRows(weights, columns, vector, RowSums(weights, columns), sums, path);
            Assert.Equal(weight * activation * columns, sums[0]);
        }

        Assert.Throws<ArgumentException>(() => Int8Kernels.DotRows(new sbyte[4], columns + 64, new sbyte[4], [], new int[0]));
        Assert.Throws<ArgumentException>(() => Int8Kernels.DotRows(new sbyte[40], 40, new sbyte[40], [0], new int[1])); // not padded to 64
    }

    [Fact]
    public void QuantisationRoundsHalfToEvenWithOneScaleARow()
    {
        float[] values = [127f, 0.5f, 1.5f, -2.5f, -127f, 0, 0, 0, 0, 0, 2f, -1f, 0.25f, 0, 0];
        var quantized = Enumerable.Repeat((sbyte)9, 3 * 64).ToArray();
        var scales = new float[3];
        Int8Kernels.QuantizeRows(values, 5, quantized, scales);

        Assert.Equal([1f, 0f, 2f / 127], scales);
        Assert.Equal(
            [127, 0, 2, -2, -127, 0, 0, 0, 0, 0, 127, -64, 16, 0, 0], // -1/(2/127) = -63.5 → -64; 0.25·63.5 = 15.875 → 16
            Enumerable.Range(0, 3).SelectMany(r => quantized.Skip(r * 64).Take(5)).Select(q => (int)q));
        Assert.All(Enumerable.Range(0, 3).SelectMany(r => quantized.Skip((r * 64) + 5).Take(59)), q => Assert.Equal(0, q)); // the padding

        var activations = new sbyte[4];
        Assert.Equal(1f, Int8Kernels.QuantizeActivations([127f, -31.5f, 0.5f, 15.75f], activations));
        Assert.Equal([127, -32, 0, 16], activations.Select(q => (int)q)); // -31.5 → -32 and 0.5 → 0 (half to even), 15.75 → 16
    }

    [Fact]
    public void ANonFiniteValueMakesTheOutputNaN()
    {
        var quantized = new sbyte[3];
        float scale = Int8Kernels.QuantizeActivations([1f, float.PositiveInfinity, 2f], quantized);
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
        int padded = Int8Kernels.PaddedColumns(columns);
        var quantizedWeights = new sbyte[rows * padded];
        var rowScales = new float[rows];
        var quantizedVector = new sbyte[padded];
        Int8Kernels.QuantizeRows(weights, columns, quantizedWeights, rowScales);
        float vectorScale = Int8Kernels.QuantizeActivations(vector, quantizedVector);
        var sums = new int[rows];
        var output = new float[rows];
        Int8Kernels.DotRows(quantizedWeights, padded, quantizedVector, RowSums(quantizedWeights, padded), sums);
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

    [Fact]
    public void VectorQuantisationAndDequantisationGiveTheReferencesNumbersAtEveryLength()
    {
        var random = new RandomSource(17);
        for (int length = 0; length <= 300; length++)
        {
            var values = new float[length];
            random.FillGaussian<float>(values, 0, 2);
            for (int k = 0; k < length; k += 7)
            {
                values[k] = (random.NextInt(255) - 127) * 0.5f; // ties at the scale 1 below
            }

            if (length > 40)
            {
                values[length / 3] = 63.5f; // the largest: scale 0.5, so every odd multiple of 0.25 is a tie
            }

            int[] sums = [.. Enumerable.Range(0, length).Select(_ => random.NextInt(2_000_001) - 1_000_000)];
            var scales = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
            var (fast, fastScale, fastOut) = QuantiseAndDequantise(values, sums, scales, KernelMode.Fast);
            var (reference, referenceScale, referenceOut) = QuantiseAndDequantise(values, sums, scales, KernelMode.Reference);
            Assert.Equal(referenceScale, fastScale);
            Assert.True(reference.SequenceEqual(fast), $"length {length}");
            Assert.True(referenceOut.SequenceEqual(fastOut), $"length {length}");
        }

        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            foreach (int at in new[] { 0, 7, 31, 50, 64, 69 }) // in the vector loops and in the tail of 70 values
            {
                var values = Enumerable.Repeat(1f, 70).ToArray();
                values[at] = bad;
                var (levels, scale, _) = QuantiseAndDequantise(values, [], [], KernelMode.Fast);
                Assert.True(float.IsNaN(scale), $"{bad} at {at}");
                Assert.All(levels, q => Assert.Equal(0, q));
            }
        }

        var zeros = QuantiseAndDequantise(new float[96], [], [], KernelMode.Fast);
        Assert.Equal((0f, 96), (zeros.Scale, zeros.Levels.Count(q => q == 0)));
    }

    private static (sbyte[] Levels, float Scale, float[] Output) QuantiseAndDequantise(float[] values, int[] sums, float[] scales, KernelMode mode)
    {
        using var scope = KernelSettings.Use(mode);
        var levels = new sbyte[values.Length];
        float scale = Int8Kernels.QuantizeActivations(values, levels);
        var output = Enumerable.Range(0, sums.Length).Select(i => i * 0.25f).ToArray();
        Int8Kernels.DequantizeInto(sums, scales, 0.37f, output, accumulate: true);
        return (levels, scale, output);
    }
}
