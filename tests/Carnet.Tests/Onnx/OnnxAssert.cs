namespace Carnet.Tests.Onnx;

/// <summary>The comparison every ONNX test makes: the largest absolute difference within a tolerance (1e-5 unless given).</summary>
internal static class OnnxAssert
{
    public const double Tolerance = 1e-5;

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double tolerance = Tolerance)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
        }

        Assert.True(worst <= tolerance, $"{what}: max |difference| {worst:E3} > {tolerance:E0}");
    }
}
