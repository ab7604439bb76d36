using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>Bias gradients summed by ranges of columns on several threads: the bits of one thread's scalar reference.</summary>
public sealed class ColumnSumsTests
{
    [Theory]
    [InlineData(300, 1000)] // 300,000 elements: two slices of 496 and 504 columns
    [InlineData(257, 2051)] // a width that is no multiple of a cache line: the last of three slices takes the remainder
    [InlineData(9000, 40)] // two slices of 16 and 24 columns
    public void ThreadsGiveTheBitsOfTheReferenceForOneBiasAndForTwo(int rows, int width)
    {
        var random = new RandomSource(21);
        var matrix = new float[rows * width];
        random.FillGaussian<float>(matrix, 0, 1);
        var start = new float[width];
        random.FillGaussian<float>(start, 0, 1);
        foreach (bool two in new[] { false, true })
        {
            float[] expected = (float[])start.Clone(), expectedSecond = two ? (float[])start.Clone() : [];
            Elementwise.AccumulateColumnSumsReference<float>(matrix, rows, width, width, expected, expectedSecond);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] sums = (float[])start.Clone(), second = two ? (float[])start.Clone() : [];
                using (KernelSettings.Use(maximumThreads: threads))
                {
                    ColumnSums<float>.Accumulate(matrix, rows, width, sums, second, threads);
                }

                Assert.Equal(expected, sums);
                Assert.Equal(expectedSecond, second);
                Assert.NotEqual(start, sums); // something was added
            }
        }
    }
}
