using System.Globalization;
using System.Numerics;
using Carnet;

namespace Carnet.Tests.Support;

/// <summary>Element-wise comparison with a message that names the tensor, the index and both values.</summary>
internal static class Close
{
    /// <summary>
    /// Asserts |actual − expected| ≤ tolerance · max(1, |expected|) for every element: absolute where the values
    /// are small, relative where they are above 1 (the golden README's rule). Returns the largest error seen.
    /// </summary>
    public static double Assert(string name, ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance)
    {
        Xunit.Assert.True(expected.Length == actual.Length, $"{name}: {actual.Length} values, expected {expected.Length}.");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1.0, Math.Abs(expected[i]));
            double error = Math.Abs(actual[i] - expected[i]) / scale;
            if (!(error <= tolerance))
            {
                Xunit.Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{name}[{i}]: got {actual[i]:R}, expected {expected[i]:R} (error {error:E2} > {tolerance:E0})."));
            }

            worst = Math.Max(worst, error);
        }

        return worst;
    }

    /// <summary>Compares two tensors.</summary>
    public static double Assert<T>(string name, Tensor<T> expected, Tensor<T> actual, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Xunit.Assert.Equal(expected.Shape, actual.Shape);
        return Assert(name, expected.ToDoubles(), actual.ToDoubles(), tolerance);
    }
}
