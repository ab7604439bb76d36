// Dimension legend: rows = the leading (batch-like) dimension, width = elements used in each row,
// stride = elements between the starts of consecutive rows (stride ≥ width; the gap between rows is padding).
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// <see cref="ElementwiseSimd"/> against <see cref="Elementwise"/>'s scalar references, bit for bit, in float and
/// double: every width from 0 to 70 (so every vector tail), rows 0 to 9 (the column sums take four rows per
/// pass), strides beyond the width, padding left untouched, and NaN, ±∞, ±0 and subnormal values among the data.
/// </summary>
public sealed class ElementwiseSimdTests
{
    private const int MaximumWidth = 70;

    [Fact]
    public void AddMultiplyAndScaleMatchTheReferenceBitForBit()
    {
        CheckFlat<float>(1);
        CheckFlat<double>(2);
    }

    [Fact]
    public void ConvertMatchesTheReferenceBitForBit()
    {
        foreach (int length in Lengths())
        {
            var random = new RandomSource((ulong)(3000 + length));
            float[] singles = Values<float>(random, length);
            double[] doubles = Values<double>(random, length);
            if (length > 2)
            {
                doubles[1] = BitConverter.Int64BitsToDouble(0x7FF0_1234_5678_9ABC); // a signalling NaN with a payload
                doubles[2] = 3.4028235677973366e38; // rounds up to +∞ in float
            }

            double[] widened = new double[length], widenedReference = new double[length];
            ElementwiseSimd.Widen(singles, widened);
            Elementwise.ConvertReference<float, double>(singles, widenedReference);
            AssertBitIdentical($"float → double, length {length}", widenedReference, widened);
            Assert.All(widened.Where(double.IsFinite).Zip(singles.Where(float.IsFinite)), p => Assert.Equal((double)p.Second, p.First));

            float[] narrowed = new float[length], narrowedReference = new float[length];
            ElementwiseSimd.Narrow(doubles, narrowed);
            Elementwise.ConvertReference<double, float>(doubles, narrowedReference);
            AssertBitIdentical($"double → float, length {length}", narrowedReference, narrowed);

            float[] dispatched = new float[length];
            Elementwise.Convert<double, float>(doubles, dispatched);
            AssertBitIdentical($"dispatched double → float, length {length}", narrowedReference, dispatched);
            Elementwise.Convert<float, float>(singles, dispatched);
            AssertBitIdentical($"dispatched float → float, length {length}", singles, dispatched);
        }
    }

    [Fact]
    public void BroadcastRowsMatchesTheReferenceBitForBit()
    {
        CheckRows(4, (random, rows, width, stride) =>
        {
            float[] vector = Values<float>(random, width), second = Values<float>(random, width);
            float[] expected = Values<float>(random, rows * width + 3), actual = (float[])expected.Clone();
            foreach (float[] withSecond in new[] { Array.Empty<float>(), second })
            {
                Elementwise.BroadcastRowsReference<float>(vector, withSecond, rows, width, expected);
                ElementwiseSimd.BroadcastRows<float>(vector, withSecond, rows, width, actual);
                AssertBitIdentical($"BroadcastRows, second {withSecond.Length > 0}, {rows}×{width}", expected, actual);
            }
        });
        CheckRows(5, (random, rows, width, stride) =>
        {
            double[] vector = Values<double>(random, width), second = Values<double>(random, width);
            double[] expected = Values<double>(random, rows * width + 3), actual = (double[])expected.Clone();
            Elementwise.BroadcastRowsReference<double>(vector, second, rows, width, expected);
            ElementwiseSimd.BroadcastRows<double>(vector, second, rows, width, actual);
            AssertBitIdentical($"BroadcastRows double, {rows}×{width}", expected, actual);
        });
    }

    [Fact]
    public void AddToRowsMatchesTheReferenceBitForBit()
    {
        CheckRows(6, (random, rows, width, stride) =>
        {
            float[] vector = Values<float>(random, width);
            float[] expected = Values<float>(random, rows * width + 2), actual = (float[])expected.Clone();
            Elementwise.AddToRowsReference<float>(vector, rows, width, expected);
            ElementwiseSimd.AddToRows<float>(vector, rows, width, actual);
            AssertBitIdentical($"AddToRows, {rows}×{width}", expected, actual);
        });
    }

    [Fact]
    public void AccumulateColumnSumsMatchesTheReferenceBitForBit()
    {
        // rows stride apart (a column range of a wider matrix), into one bias gradient or two that get the same sums
        CheckRows(7, (random, rows, width, stride) =>
        {
            float[] matrix = Values<float>(random, rows * stride);
            float[] expected = Values<float>(random, width + 2), actual = (float[])expected.Clone();
            float[] expectedSecond = Values<float>(random, width), actualSecond = (float[])expectedSecond.Clone();
            Elementwise.AccumulateColumnSumsReference<float>(matrix, rows, width, stride, expected, expectedSecond);
            ElementwiseSimd.AccumulateColumnSums<float>(matrix, rows, width, stride, actual, actualSecond);
            AssertBitIdentical($"AccumulateColumnSums, {rows}×{width} stride {stride}", expected, actual);
            AssertBitIdentical($"AccumulateColumnSums second, {rows}×{width} stride {stride}", expectedSecond, actualSecond);
            ElementwiseSimd.AccumulateColumnSums<float>(matrix, rows, width, stride, actual, default);
            Elementwise.AccumulateColumnSumsReference<float>(matrix, rows, width, stride, expected, default);
            AssertBitIdentical($"AccumulateColumnSums alone, {rows}×{width} stride {stride}", expected, actual);
        });
        CheckRows(8, (random, rows, width, stride) =>
        {
            double[] matrix = Values<double>(random, rows * stride);
            double[] expected = Values<double>(random, width), actual = (double[])expected.Clone();
            double[] expectedSecond = Values<double>(random, width), actualSecond = (double[])expectedSecond.Clone();
            Elementwise.AccumulateColumnSumsReference<double>(matrix, rows, width, stride, expected, expectedSecond);
            ElementwiseSimd.AccumulateColumnSums<double>(matrix, rows, width, stride, actual, actualSecond);
            AssertBitIdentical($"AccumulateColumnSums double, {rows}×{width} stride {stride}", expected, actual);
            AssertBitIdentical($"AccumulateColumnSums double second, {rows}×{width} stride {stride}", expectedSecond, actualSecond);
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(33)]
    public void ColumnSumsAddTheRowsInAscendingOrder(int width)
    {
        // Every column is 1e8, then 1, −1e8, 1, 1, 1, 1 (seven rows: one pass of four, three rows after it).
        // In float, 1e8 + 1 rounds back to 1e8, so the ascending sum is 0 + 4 = 4 where the exact sum is 5.
        float[] column = [1e8f, 1, -1e8f, 1, 1, 1, 1];
        float[] matrix = column.SelectMany(v => Enumerable.Repeat(v, width)).ToArray(); // (7, width)
        float[] sums = Enumerable.Repeat(0.5f, width).ToArray();
        ElementwiseSimd.AccumulateColumnSums<float>(matrix, column.Length, width, width, sums, default);
        Assert.All(sums, s => Assert.Equal(4f, s));
        Elementwise.AccumulateColumnSums<float>(matrix, column.Length, width, sums);
        Assert.All(sums, s => Assert.Equal(4f, s)); // 4 + 1e8 is a tie that rounds to even, 1e8: 4 again
    }

    [Fact]
    public void AddRowsMatchesTheReferenceBitForBitAndLeavesThePaddingAlone()
    {
        CheckRows(9, (random, rows, width, stride) =>
        {
            int destinationStride = width + (stride - width) * 2;
            float[] source = Values<float>(random, rows * stride);
            float[] expected = Values<float>(random, rows * destinationStride + 1), actual = (float[])expected.Clone();
            float[] before = (float[])expected.Clone();
            Elementwise.AddRowsReference<float>(source, stride, rows, width, expected, destinationStride);
            ElementwiseSimd.AddRows<float>(source, stride, rows, width, actual, destinationStride);
            AssertBitIdentical($"AddRows, {rows}×{width}, strides {stride} and {destinationStride}", expected, actual);
            for (int i = 0; i < actual.Length; i++)
            {
                bool written = destinationStride > 0 && i / destinationStride < rows && i % destinationStride < width;
                if (!written)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(before[i]), BitConverter.SingleToInt32Bits(actual[i]));
                }
            }
        });
    }

    [Fact]
    public void AddTransposedMatchesTheReferenceBitForBit()
    {
        CheckRows(10, (random, rows, width, stride) =>
        {
            float[] source = Values<float>(random, width * rows); // (width, rows)
            float[] expected = Values<float>(random, rows * width), actual = (float[])expected.Clone();
            Elementwise.AddTransposedReference<float>(source, rows, width, expected);
            ElementwiseSimd.AddTransposed<float>(source, rows, width, actual);
            AssertBitIdentical($"AddTransposed, {rows}×{width}", expected, actual);
        });

        // tiles of 32: a shape larger than one in both directions, with ragged edges
        var random = new RandomSource(11);
        float[] big = Values<float>(random, 75 * 41), into = Values<float>(random, 41 * 75), into2 = (float[])into.Clone();
        Elementwise.AddTransposedReference<float>(big, 41, 75, into);
        Elementwise.AddTransposed<float>(big, 41, 75, into2);
        AssertBitIdentical("AddTransposed 41×75", into, into2);
    }

    [Fact]
    public void DispatchersGiveTheReferenceResultsForEveryPrecision()
    {
        // bit-identical whichever path runs
        var random = new RandomSource(12);
        const int rows = 6, width = 45;
        float[] matrix = Values<float>(random, rows * width), vector = Values<float>(random, width);
        float[] expected = new float[width], actual = new float[width];
        Elementwise.AccumulateColumnSumsReference<float>(matrix, rows, width, expected);
        Elementwise.AccumulateColumnSums<float>(matrix, rows, width, actual);
        AssertBitIdentical("AccumulateColumnSums", expected, actual);

        float[] broadcast = new float[rows * width], broadcast2 = new float[rows * width];
        Elementwise.BroadcastRowsReference<float>(vector, vector, rows, width, broadcast);
        Elementwise.BroadcastRows<float>(vector, vector, rows, width, broadcast2);
        AssertBitIdentical("BroadcastRows", broadcast, broadcast2);
        Assert.Equal(2 * vector[7], broadcast2[3 * width + 7]);

        Half[] halves = [(Half)1.5f, (Half)(-2f), Half.NaN], halves2 = new Half[3];
        Elementwise.Convert<Half, Half>(halves, halves2);
        Assert.Equal(halves, halves2);
        double[] fromHalves = new double[3];
        Elementwise.Convert<Half, double>(halves, fromHalves);
        Assert.Equal(-2.0, fromHalves[1]);
    }

    [Fact]
    public void ShortBuffersAreRejectedBeforeAnythingIsWritten()
    {
        var destination = new float[16];
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.Add<float>(new float[17], destination));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.Multiply<float>(new float[16], new float[15], destination));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.BroadcastRows<float>(new float[8], new float[7], 2, 8, destination));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.BroadcastRows<float>(new float[8], [], 3, 8, destination));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.AddRows<float>(new float[16], 9, 2, 8, destination, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.AddRows<float>(new float[16], 8, 2, 8, destination, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.AccumulateColumnSums<float>(new float[16], 2, 8, 8, new float[7], default));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.AccumulateColumnSums<float>(new float[16], 2, 8, 8, new float[8], new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.AccumulateColumnSums<float>(new float[16], 2, 8, 9, new float[8], default));
        Assert.Throws<ArgumentOutOfRangeException>(() => ElementwiseSimd.Narrow(new double[17], destination));
        Assert.All(destination, v => Assert.Equal(0f, v));
    }

    /// <summary>Add, Multiply (also written over its first operand) and Scale at every length.</summary>
    private static void CheckFlat<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int length in Lengths())
        {
            var random = new RandomSource((ulong)(seed * 100_000 + length));
            T[] a = Values<T>(random, length), b = Values<T>(random, length);

            T[] expected = (T[])b.Clone(), actual = (T[])b.Clone();
            Elementwise.AddReference<T>(a, expected);
            ElementwiseSimd.Add<T>(a, actual);
            AssertBitIdentical($"Add, length {length}", expected, actual);
            if (length > 0 && T.IsFinite(a[0]) && T.IsFinite(b[0]))
            {
                Assert.Equal(b[0] + a[0], actual[0]);
            }

            expected = new T[length + 1];
            actual = new T[length + 1];
            Elementwise.MultiplyReference<T>(a, b, expected.AsSpan(0, length));
            ElementwiseSimd.Multiply<T>(a, b, actual.AsSpan(0, length));
            AssertBitIdentical($"Multiply, length {length}", expected, actual);
            expected = (T[])a.Clone();
            actual = (T[])a.Clone();
            Elementwise.MultiplyReference<T>(expected, b, expected);
            ElementwiseSimd.Multiply<T>(actual, b, actual);
            AssertBitIdentical($"Multiply in place, length {length}", expected, actual);

            T factor = T.CreateTruncating(random.NextGaussian());
            expected = (T[])a.Clone();
            actual = (T[])a.Clone();
            Elementwise.ScaleReference(factor, expected.AsSpan());
            ElementwiseSimd.Scale(factor, actual.AsSpan());
            AssertBitIdentical($"Scale, length {length}", expected, actual);
        }
    }

    /// <summary>Runs <paramref name="test"/> at rows 0 to 9, every width 0 to 70 and strides width, width + 1, width + 3.</summary>
    private static void CheckRows(int seed, Action<RandomSource, int, int, int> test)
    {
        for (int rows = 0; rows <= 9; rows++)
        {
            for (int width = 0; width <= MaximumWidth; width++)
            {
                foreach (int pad in new[] { 0, 1, 3 })
                {
                    test(new RandomSource((ulong)(seed * 1_000_000 + rows * 10_000 + width * 10 + pad)), rows, width, width + pad);
                }
            }
        }
    }

    /// <summary>0 to 70, then a few long buffers.</summary>
    private static IEnumerable<int> Lengths() => Enumerable.Range(0, MaximumWidth + 1).Concat([255, 1000, 4099]);

    /// <summary>Gaussian values of varied scale, about one in twelve replaced by NaN, ±∞, ±0, a subnormal or ±1e30.</summary>
    private static T[] Values<T>(RandomSource random, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        random.FillGaussian<T>(values, 0, 1);
        double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0, -0.0, 1e-40, 1e30, -1e30];
        for (int i = 0; i < length; i++)
        {
            double u = random.NextDouble();
            values[i] = u < 0.08 ? T.CreateTruncating(specials[(int)(u * 100) % specials.Length])
                : values[i] * T.CreateTruncating(Math.Pow(10, 6 * u - 3));
        }

        return values;
    }

    /// <summary>Asserts that the two buffers hold the same bits, naming the first element that differs.</summary>
    private static void AssertBitIdentical<T>(string name, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual)
        where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{name}: [{i}] is {actual[i]}, reference {expected[i]}."));
            }
        }
    }
}
