// Dimension legend: B = batch rows of one step, H = hidden size. LSTM gate rows are (B, 4H) in the order
// i, f, g, o; GRU gate rows are (B, 3H) in the order r, z, n.
using System.Globalization;
using Carnet.Kernels;
using Xunit.Abstractions;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The SIMD gate kernels against the scalar reference at every H from 0 to 256 and B of 1, 2 and 3, at every
/// vector width (0 = the widths this machine accelerates; 16, 8 and 4 forced, emulated where not accelerated),
/// with NaN and ±∞ inputs, and with the buffers shared as the reference allows.
/// </summary>
public sealed class GateKernelSimdTests(ITestOutputHelper output)
{
    private const double Tolerance = 2e-6; // absolute, or relative where |expected| > 1

    public static TheoryData<int> Widths => new() { 0, 16, 8, 4 };

    [Theory]
    [MemberData(nameof(Widths))]
    public void LstmForwardMatchesTheReference(int width)
    {
        double worst = 0;
        ForEachShape(1, (batch, hidden, random) =>
        {
            float[] cPrevious = Gaussian(random, batch * hidden, 2); // (B, H)
            float[] expected = Gaussian(random, batch * 4 * hidden, 4), actual = (float[])expected.Clone(); // (B, 4H)
            var (cell, tanhCell, h) = (new float[batch * hidden], new float[batch * hidden], new float[batch * hidden]);
            var (cell2, tanhCell2, h2) = (new float[batch * hidden], new float[batch * hidden], new float[batch * hidden]);
            LstmKernels.ForwardReference<float>(cPrevious, batch, hidden, expected, cell, tanhCell, h);
            LstmKernelsSimd.Forward(cPrevious, batch, hidden, actual, cell2, tanhCell2, h2, width);
            worst = Max(worst, Compare("gates", expected, actual), Compare("c", cell, cell2),
                Compare("tanh(c)", tanhCell, tanhCell2), Compare("h", h, h2));
        });
        output.WriteLine($"LSTM forward, width {width}: worst error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LstmBackwardMatchesTheReference(int width)
    {
        double worst = 0;
        ForEachShape(2, (batch, hidden, random) =>
        {
            var (gates, cPrevious, tanhCell) = LstmForwardState(random, batch, hidden);
            float[] dOutput = Gaussian(random, batch * hidden, 1); // (B, H)
            float[] dCell = Gaussian(random, batch * hidden, 1), dCell2 = (float[])dCell.Clone(); // (B, H)
            float[] dGates = new float[batch * 4 * hidden], dGates2 = new float[batch * 4 * hidden]; // (B, 4H)
            LstmKernels.BackwardReference<float>(gates, cPrevious, tanhCell, dOutput, batch, hidden, dCell, dGates);
            LstmKernelsSimd.Backward(gates, cPrevious, tanhCell, dOutput, batch, hidden, dCell2, dGates2, width);
            worst = Max(worst, Compare("dGates", dGates, dGates2), Compare("dCell", dCell, dCell2));
        });
        output.WriteLine($"LSTM backward, width {width}: worst error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void GruForwardMatchesTheReference(int width)
    {
        double worst = 0;
        ForEachShape(3, (batch, hidden, random) =>
        {
            float[] gh = Gaussian(random, batch * 3 * hidden, 3); // (B, 3H)
            float[] hPrevious = Gaussian(random, batch * hidden, 1); // (B, H)
            float[] expected = Gaussian(random, batch * 3 * hidden, 3), actual = (float[])expected.Clone(); // (B, 3H)
            float[] h = new float[batch * hidden], h2 = new float[batch * hidden]; // (B, H)
            GruKernels.ForwardReference<float>(gh, hPrevious, batch, hidden, expected, h);
            GruKernelsSimd.Forward(gh, hPrevious, batch, hidden, actual, h2, width);
            worst = Max(worst, Compare("r, z, n", expected, actual), Compare("h", h, h2));
        });
        output.WriteLine($"GRU forward, width {width}: worst error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void GruBackwardMatchesTheReference(int width)
    {
        double worst = 0;
        ForEachShape(4, (batch, hidden, random) =>
        {
            var (activations, gh, hPrevious) = GruForwardState(random, batch, hidden);
            float[] dOutput = Gaussian(random, batch * hidden, 1); // (B, H)
            float[] dGx = new float[batch * 3 * hidden], dGh = new float[batch * 3 * hidden], dH = new float[batch * hidden];
            float[] dGx2 = new float[batch * 3 * hidden], dGh2 = new float[batch * 3 * hidden], dH2 = new float[batch * hidden];
            GruKernels.BackwardReference<float>(activations, gh, hPrevious, dOutput, batch, hidden, dGx, dGh, dH);
            GruKernelsSimd.Backward(activations, gh, hPrevious, dOutput, batch, hidden, dGx2, dGh2, dH2, width);
            worst = Max(worst, Compare("dGx", dGx, dGx2), Compare("dGh", dGh, dGh2), Compare("dHPrevious", dH, dH2));
        });
        output.WriteLine($"GRU backward, width {width}: worst error {worst:E2}");
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 16)]
    [InlineData(false, 8)]
    [InlineData(false, 4)]
    [InlineData(true, 0)]
    [InlineData(true, 4)]
    public void RnnForwardAndBackwardMatchTheReference(bool relu, int width)
    {
        double worst = 0;
        ForEachShape(5, (batch, hidden, random) =>
        {
            float[] expected = Gaussian(random, batch * hidden, 3), actual = (float[])expected.Clone(); // (B, H)
            RnnKernels.ForwardReference<float>(relu, expected);
            RnnKernelsSimd.Forward(relu, actual, width);
            worst = Max(worst, Compare("h", expected, actual));

            float[] dOutput = Gaussian(random, batch * hidden, 1);
            float[] dPre = new float[batch * hidden], dPre2 = new float[batch * hidden];
            RnnKernels.BackwardReference<float>(relu, expected, dOutput, dPre);
            RnnKernelsSimd.Backward(relu, expected, dOutput, dPre2, width);
            worst = Max(worst, Compare("dPre", dPre, dPre2));
        });
        output.WriteLine($"RNN {(relu ? "relu" : "tanh")}, width {width}: worst error {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void NaNAndInfinitiesPropagateAsInTheReference(int width)
    {
        foreach (int hidden in new[] { 1, 7, 19, 64, 131 })
        {
            const int batch = 2;
            var random = new RandomSource((ulong)(100 + hidden));
            float[] cPrevious = WithSpecials(random, Gaussian(random, batch * hidden, 2));
            float[] lstmGates = WithSpecials(random, Gaussian(random, batch * 4 * hidden, 4)), lstmGates2 = (float[])lstmGates.Clone();
            var lstm = Enumerable.Range(0, 6).Select(_ => new float[batch * hidden]).ToArray();
            LstmKernels.ForwardReference<float>(cPrevious, batch, hidden, lstmGates, lstm[0], lstm[1], lstm[2]);
            LstmKernelsSimd.Forward(cPrevious, batch, hidden, lstmGates2, lstm[3], lstm[4], lstm[5], width);
            Compare("LSTM gates", lstmGates, lstmGates2);
            Compare("LSTM c", lstm[0], lstm[3]);
            Compare("LSTM h", lstm[2], lstm[5]);

            float[] dOutput = WithSpecials(random, Gaussian(random, batch * hidden, 1));
            float[] dCell = WithSpecials(random, Gaussian(random, batch * hidden, 1)), dCell2 = (float[])dCell.Clone();
            float[] dGates = new float[batch * 4 * hidden], dGates2 = new float[batch * 4 * hidden];
            LstmKernels.BackwardReference<float>(lstmGates, cPrevious, lstm[1], dOutput, batch, hidden, dCell, dGates);
            LstmKernelsSimd.Backward(lstmGates, cPrevious, lstm[1], dOutput, batch, hidden, dCell2, dGates2, width);
            Compare("LSTM dGates", dGates, dGates2);
            Compare("LSTM dCell", dCell, dCell2);

            float[] gh = WithSpecials(random, Gaussian(random, batch * 3 * hidden, 3));
            float[] gx = WithSpecials(random, Gaussian(random, batch * 3 * hidden, 3)), gx2 = (float[])gx.Clone();
            float[] h = new float[batch * hidden], h2 = new float[batch * hidden];
            GruKernels.ForwardReference<float>(gh, cPrevious, batch, hidden, gx, h);
            GruKernelsSimd.Forward(gh, cPrevious, batch, hidden, gx2, h2, width);
            Compare("GRU r, z, n", gx, gx2);
            Compare("GRU h", h, h2);

            float[] dGx = new float[batch * 3 * hidden], dGh = new float[batch * 3 * hidden], dH = new float[batch * hidden];
            float[] dGx2 = new float[batch * 3 * hidden], dGh2 = new float[batch * 3 * hidden], dH2 = new float[batch * hidden];
            GruKernels.BackwardReference<float>(gx, gh, cPrevious, dOutput, batch, hidden, dGx, dGh, dH);
            GruKernelsSimd.Backward(gx, gh, cPrevious, dOutput, batch, hidden, dGx2, dGh2, dH2, width);
            Compare("GRU dGx", dGx, dGx2);
            Compare("GRU dGh", dGh, dGh2);
            Compare("GRU dHPrevious", dH, dH2);

            foreach (bool relu in new[] { false, true })
            {
                float[] values = (float[])lstmGates.Clone(), values2 = (float[])lstmGates.Clone();
                float[] dPre = new float[values.Length], dPre2 = new float[values.Length];
                RnnKernels.ForwardReference<float>(relu, values);
                RnnKernelsSimd.Forward(relu, values2, width);
                Compare("RNN h", values, values2);
                RnnKernels.BackwardReference<float>(relu, values, dGates, dPre);
                RnnKernelsSimd.Backward(relu, values, dGates, dPre2, width);
                Compare("RNN dPre", dPre, dPre2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SharedBuffersGiveTheReferenceResults(int width)
    {
        const int batch = 3, hidden = 37;
        var random = new RandomSource(11);

        // LSTM forward with c_t written over c_{t−1}; backward with dL/d(gates) written over the gates
        float[] pre = Gaussian(random, batch * 4 * hidden, 4), cStart = Gaussian(random, batch * hidden, 2);
        var (gates, cell, tanhCell, h) = ((float[])pre.Clone(), (float[])cStart.Clone(), new float[batch * hidden], new float[batch * hidden]);
        var (gates2, cell2, tanhCell2, h2) = ((float[])pre.Clone(), (float[])cStart.Clone(), new float[batch * hidden], new float[batch * hidden]);
        LstmKernels.ForwardReference<float>(cell, batch, hidden, gates, cell, tanhCell, h);
        LstmKernelsSimd.Forward(cell2, batch, hidden, gates2, cell2, tanhCell2, h2, width);
        Compare("LSTM c in place", cell, cell2);
        Compare("LSTM h", h, h2);
        float[] dOutput = Gaussian(random, batch * hidden, 1), dCell = Gaussian(random, batch * hidden, 1), dCell2 = (float[])dCell.Clone();
        LstmKernels.BackwardReference<float>(gates, cStart, tanhCell, dOutput, batch, hidden, dCell, gates);
        LstmKernelsSimd.Backward(gates2, cStart, tanhCell2, dOutput, batch, hidden, dCell2, gates2, width);
        Compare("LSTM dGates over gates", gates, gates2);
        Compare("LSTM dCell", dCell, dCell2);

        // GRU forward with h_t written over h_{t−1}; backward with every output over an input of its shape
        var (activations, gh, hPrevious) = GruForwardState(random, batch, hidden);
        var (gx, gx2, hOut, hOut2) = ((float[])pre[..(batch * 3 * hidden)].Clone(), pre[..(batch * 3 * hidden)], (float[])hPrevious.Clone(), (float[])hPrevious.Clone());
        GruKernels.ForwardReference<float>(gh, hOut, batch, hidden, gx, hOut);
        GruKernelsSimd.Forward(gh, hOut2, batch, hidden, gx2, hOut2, width);
        Compare("GRU h in place", hOut, hOut2);
        var (a, ghCopy, d) = ((float[])activations.Clone(), (float[])gh.Clone(), Gaussian(random, batch * hidden, 1));
        var (a2, ghCopy2, d2) = ((float[])activations.Clone(), (float[])gh.Clone(), (float[])d.Clone());
        GruKernels.BackwardReference<float>(a, ghCopy, hPrevious, d, batch, hidden, a, ghCopy, d);
        GruKernelsSimd.Backward(a2, ghCopy2, hPrevious, d2, batch, hidden, a2, ghCopy2, d2, width);
        Compare("GRU dGx over activations", a, a2);
        Compare("GRU dGh over gh", ghCopy, ghCopy2);
        Compare("GRU dHPrevious over dOutput", d, d2);

        // RNN backward with dL/d(pre-activation) written over dL/dh_t
        float[] y = Gaussian(random, batch * hidden, 1), dy = Gaussian(random, batch * hidden, 1), dy2 = (float[])dy.Clone();
        RnnKernels.ForwardReference<float>(false, y);
        RnnKernels.BackwardReference<float>(false, y, dy, dy);
        RnnKernelsSimd.Backward(false, y, dy2, dy2, width);
        Compare("RNN dPre over dOutput", dy, dy2);
    }

    [Fact]
    public void DispatchersRunTheSimdKernelForFloatAndTheReferenceForDouble()
    {
        const int batch = 2, hidden = 45;
        var random = new RandomSource(21);
        float[] pre = Gaussian(random, batch * 4 * hidden, 4), cPrevious = Gaussian(random, batch * hidden, 2);
        float[] viaDispatch = (float[])pre.Clone(), viaSimd = (float[])pre.Clone(), viaReference = (float[])pre.Clone();
        var buffers = Enumerable.Range(0, 9).Select(_ => new float[batch * hidden]).ToArray();
        LstmKernels.Forward<float>(cPrevious, batch, hidden, viaDispatch, buffers[0], buffers[1], buffers[2]);
        LstmKernelsSimd.Forward(cPrevious, batch, hidden, viaSimd, buffers[3], buffers[4], buffers[5]);
        LstmKernels.ForwardReference<float>(cPrevious, batch, hidden, viaReference, buffers[6], buffers[7], buffers[8]);

        // the kernel choice is scoped, so no other test can change it under this one: the default runs SIMD, a scope the reference
        float[] viaReferenceScope = (float[])pre.Clone();
        using (KernelSettings.Use(KernelMode.Reference))
        {
            LstmKernels.Forward<float>(cPrevious, batch, hidden, viaReferenceScope, buffers[0], buffers[1], buffers[2]);
        }

        Assert.Equal(viaSimd, viaDispatch);
        Assert.Equal(viaReference, viaReferenceScope);
        Assert.False(viaSimd.AsSpan().SequenceEqual(viaReference)); // the two really differ in the last bits

        double[] preDouble = pre.Select(v => (double)v).ToArray(), cDouble = cPrevious.Select(v => (double)v).ToArray();
        double[] dispatched = (double[])preDouble.Clone(), reference = (double[])preDouble.Clone();
        var doubles = Enumerable.Range(0, 6).Select(_ => new double[batch * hidden]).ToArray();
        LstmKernels.Forward<double>(cDouble, batch, hidden, dispatched, doubles[0], doubles[1], doubles[2]);
        LstmKernels.ForwardReference<double>(cDouble, batch, hidden, reference, doubles[3], doubles[4], doubles[5]);
        Assert.Equal(reference, dispatched);
        Assert.Equal(doubles[5], doubles[2]);
    }

    [Fact]
    public void ShortBuffersAreRejectedBeforeAnythingIsWritten()
    {
        var gates = new float[4 * 8];
        Assert.Throws<ArgumentOutOfRangeException>(() => LstmKernelsSimd.Forward(new float[8], 1, 8, gates, new float[8], new float[7], new float[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GruKernelsSimd.Forward(new float[24], new float[8], 1, 8, new float[23], new float[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GruKernelsSimd.Backward(new float[24], new float[24], new float[8], new float[8],
            1, 8, new float[24], new float[24], new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RnnKernelsSimd.Backward(false, new float[8], new float[7], new float[8]));
        Assert.All(gates, v => Assert.Equal(0f, v));
    }

    /// <summary>Runs <paramref name="test"/> at B = 1, 2, 3 and every H in [0, 256], each with its own seed.</summary>
    private static void ForEachShape(int seed, Action<int, int, RandomSource> test)
    {
        for (int batch = 1; batch <= 3; batch++)
        {
            for (int hidden = 0; hidden <= 256; hidden++)
            {
                test(batch, hidden, new RandomSource((ulong)(seed * 100_000 + batch * 1000 + hidden)));
            }
        }
    }

    /// <summary>Gate activations (B, 4H), c_{t−1} (B, H) and tanh(c_t) (B, H) as a reference forward step leaves them.</summary>
    private static (float[] Gates, float[] CPrevious, float[] TanhCell) LstmForwardState(RandomSource random, int batch, int hidden)
    {
        float[] gates = Gaussian(random, batch * 4 * hidden, 4), cPrevious = Gaussian(random, batch * hidden, 2);
        float[] tanhCell = new float[batch * hidden];
        LstmKernels.ForwardReference<float>(cPrevious, batch, hidden, gates, new float[batch * hidden], tanhCell, new float[batch * hidden]);
        return (gates, cPrevious, tanhCell);
    }

    /// <summary>r, z, n (B, 3H), gh (B, 3H) and h_{t−1} (B, H) as a reference forward step leaves them.</summary>
    private static (float[] Activations, float[] Gh, float[] HPrevious) GruForwardState(RandomSource random, int batch, int hidden)
    {
        float[] activations = Gaussian(random, batch * 3 * hidden, 3), gh = Gaussian(random, batch * 3 * hidden, 3);
        float[] hPrevious = Gaussian(random, batch * hidden, 1);
        GruKernels.ForwardReference<float>(gh, hPrevious, batch, hidden, activations, new float[batch * hidden]);
        return (activations, gh, hPrevious);
    }

    private static float[] Gaussian(RandomSource random, int length, double standardDeviation)
    {
        var values = new float[length];
        random.FillGaussian<float>(values, 0, standardDeviation);
        return values;
    }

    /// <summary>Sets about one value in five to NaN, ±∞, ±0 or ±1e30.</summary>
    private static float[] WithSpecials(RandomSource random, float[] values)
    {
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e30f, -1e30f];
        for (int i = 0; i < values.Length; i++)
        {
            double u = random.NextDouble();
            if (u < 0.2)
            {
                values[i] = specials[(int)(u * 35) % specials.Length];
            }
        }

        return values;
    }

    /// <summary>
    /// Asserts that NaN and ±∞ sit where the reference has them and every other value is within
    /// <see cref="Tolerance"/> (absolute, or relative where |expected| &gt; 1); returns the largest error.
    /// </summary>
    private static double Compare(string name, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            bool special = float.IsNaN(e) ? float.IsNaN(a) : !float.IsInfinity(e) || e == a;
            double error = float.IsFinite(e) ? Math.Abs((double)a - e) / Math.Max(1.0, Math.Abs(e)) : 0;
            if (!special || !(error <= Tolerance))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]: got {a:R}, reference {e:R} (error {error:E2})."));
            }

            worst = Math.Max(worst, error);
        }

        return worst;
    }

    private static double Max(double first, params double[] others) => Math.Max(first, others.Max());
}
