// Dimension legend: B = batch rows of one step, H = hidden size, G = gate blocks of a row (LSTM 4: i, f, g, o; GRU 3:
// r, z, n); [a, b) = one range of units. A buffer of G blocks is (B, G·H), unit j of block g at column g·H + j.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Tests.Kernels;

/// <summary>
/// The gate kernels over a range of units, as the recurrent layers run them when threads share a step: the three
/// ranges [0, a), [a, b), [b, H), run in any order, give bit for bit the whole-row call (SIMD at every vector width,
/// the dispatching entry points, the scalar references in float and double), and one range writes nothing outside
/// its units (in every gate block and every (B, H) buffer). Cuts on vector boundaries and off them, empty ranges.
/// </summary>
public sealed class UnitRangeKernelTests
{
    private static readonly int[] Hiddens = [1, 5, 16, 37, 48, 61, 96];

    public static TheoryData<int> Widths => new() { 0, 16, 8, 4 };

    /// <summary>A kernel call over units [start, start + count) of buffers laid out as <see cref="KernelCase{T}.Blocks"/> says.</summary>
    private delegate void RangeCall<T>(T[][] buffers, int batch, int hidden, int start, int count);

    [Theory]
    [MemberData(nameof(Widths))]
    public void LstmForwardRanges(int width) => Lstm<float>(forward: true, (x, batch, hidden, start, count)
        => LstmKernelsSimd.Forward(x[0], batch, hidden, x[1], x[2], x[3], x[4], start, count, width));

    [Theory]
    [MemberData(nameof(Widths))]
    public void LstmBackwardRanges(int width) => Lstm<float>(forward: false, (x, batch, hidden, start, count)
        => LstmKernelsSimd.Backward(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], start, count, width));

    [Theory]
    [MemberData(nameof(Widths))]
    public void GruForwardRanges(int width) => Gru<float>(forward: true, (x, batch, hidden, start, count)
        => GruKernelsSimd.Forward(x[0], x[1], batch, hidden, x[2], x[3], start, count, width));

    [Theory]
    [MemberData(nameof(Widths))]
    public void GruBackwardRanges(int width) => Gru<float>(forward: false, (x, batch, hidden, start, count)
        => GruKernelsSimd.Backward(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], x[6], start, count, width));

    [Fact]
    public void DispatchingEntryPointsRanges()
    {
        // float: the SIMD kernels (or the reference while another test has switched to it; either way per range as whole)
        Lstm<float>(true, (x, batch, hidden, start, count) => LstmKernels.Forward<float>(x[0], batch, hidden, x[1], x[2], x[3], x[4], start, count));
        Lstm<float>(false, (x, batch, hidden, start, count) => LstmKernels.Backward<float>(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], start, count));
        Gru<float>(true, (x, batch, hidden, start, count) => GruKernels.Forward<float>(x[0], x[1], batch, hidden, x[2], x[3], start, count));
        Gru<float>(false, (x, batch, hidden, start, count) => GruKernels.Backward<float>(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], x[6], start, count));

        // double: the reference
        Lstm<double>(true, (x, batch, hidden, start, count) => LstmKernels.Forward<double>(x[0], batch, hidden, x[1], x[2], x[3], x[4], start, count));
        Lstm<double>(false, (x, batch, hidden, start, count) => LstmKernels.Backward<double>(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], start, count));
        Gru<double>(true, (x, batch, hidden, start, count) => GruKernels.Forward<double>(x[0], x[1], batch, hidden, x[2], x[3], start, count));
        Gru<double>(false, (x, batch, hidden, start, count) => GruKernels.Backward<double>(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], x[6], start, count));
    }

    [Fact]
    public void ReferenceRanges()
    {
        Lstm<float>(true, (x, batch, hidden, start, count) => LstmKernels.ForwardReference<float>(x[0], batch, hidden, x[1], x[2], x[3], x[4], start, count));
        Lstm<float>(false, (x, batch, hidden, start, count) => LstmKernels.BackwardReference<float>(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], start, count));
        Gru<float>(true, (x, batch, hidden, start, count) => GruKernels.ForwardReference<float>(x[0], x[1], batch, hidden, x[2], x[3], start, count));
        Gru<float>(false, (x, batch, hidden, start, count) => GruKernels.BackwardReference<float>(x[0], x[1], x[2], x[3], batch, hidden, x[4], x[5], x[6], start, count));
    }

    [Fact]
    public void RangesOutsideTheUnitsAreRejectedBeforeAnythingIsWritten()
    {
        const int B = 2, H = 24;
        float[] gates = new float[B * 4 * H], c = new float[B * H], t = new float[B * H], h = new float[B * H], d = new float[B * H];
        float[] gx = new float[B * 3 * H], gh = new float[B * 3 * H], dGh = new float[B * 3 * H];
        foreach (var (start, count) in new[] { (-1, 4), (0, -1), (20, 5), (H, 1), (0, H + 1) })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => LstmKernelsSimd.Forward(c, B, H, gates, c, t, h, start, count));
            Assert.Throws<ArgumentOutOfRangeException>(() => LstmKernelsSimd.Backward(gates, c, t, h, B, H, d, gates, start, count));
            Assert.Throws<ArgumentOutOfRangeException>(() => GruKernelsSimd.Forward(gh, h, B, H, gx, d, start, count));
            Assert.Throws<ArgumentOutOfRangeException>(() => GruKernelsSimd.Backward(gx, gh, h, c, B, H, gx, dGh, d, start, count));
        }

        LstmKernelsSimd.Forward(c, B, H, gates, c, t, h, H, 0); // an empty range at the end is fine
        GruKernelsSimd.Backward(gx, gh, h, c, B, H, gx, dGh, d, 0, 0);
        Assert.All(new[] { gates, c, t, h, d, gx, gh, dGh }.SelectMany(x => x), v => Assert.Equal(0f, v));
    }

    private static void Lstm<T>(bool forward, RangeCall<T> call)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Check(forward
            ? new KernelCase<T>("LSTM forward", [1, 4, 1, 1, 1], call) // c_{t−1}, gates, c_t, tanh(c_t), r_t
            : new KernelCase<T>("LSTM backward", [4, 1, 1, 1, 1, 4], call)); // gates, c_{t−1}, tanh(c_t), dL/dr, dL/dc, dL/dgates

    private static void Gru<T>(bool forward, RangeCall<T> call)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Check(forward
            ? new KernelCase<T>("GRU forward", [3, 1, 3, 1], call) // gh, h_{t−1}, gx, h_t
            : new KernelCase<T>("GRU backward", [3, 3, 1, 1, 3, 3, 1], call)); // r z n, gh, h_{t−1}, dL/dh_t, dgx, dgh, dh_{t−1}

    private static void Check<T>(KernelCase<T> kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int batch in new[] { 1, 3 })
        {
            foreach (int hidden in Hiddens)
            {
                var random = new RandomSource((ulong)(1000 * batch + hidden));
                T[][] initial = kernel.Blocks.Select(g => Gaussian<T>(random, batch * g * hidden)).ToArray();
                T[][] whole = Clone(initial);
                kernel.Call(whole, batch, hidden, 0, hidden);
                foreach (var (a, b) in Cuts(hidden))
                {
                    string what = $"{kernel.Name} {typeof(T).Name} B={batch} H={hidden} cut [0, {a}) [{a}, {b}) [{b}, {hidden})";

                    // the three ranges, the last first: together they are the whole call
                    T[][] pieces = Clone(initial);
                    kernel.Call(pieces, batch, hidden, b, hidden - b);
                    kernel.Call(pieces, batch, hidden, 0, a);
                    kernel.Call(pieces, batch, hidden, a, b - a);
                    for (int x = 0; x < initial.Length; x++)
                    {
                        AssertBits(whole[x], pieces[x], $"{what}: buffer {x}");
                    }

                    // the middle range alone: its units as in the whole call, every other element as it was
                    T[][] middle = Clone(initial);
                    kernel.Call(middle, batch, hidden, a, b - a);
                    for (int x = 0; x < initial.Length; x++)
                    {
                        for (int i = 0; i < initial[x].Length; i++)
                        {
                            int unit = i % (kernel.Blocks[x] * hidden) % hidden;
                            bool inside = unit >= a && unit < b;
                            T expected = inside ? whole[x][i] : initial[x][i];
                            if (!Same(expected, middle[x][i]))
                            {
                                Assert.Fail($"{what}: range [{a}, {b}) alone, buffer {x}[{i}] (unit {unit}, {(inside ? "inside" : "outside")})" +
                                    $" is {middle[x][i]}, expected {expected}.");
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Cuts [a, b) of H units: on vector and panel boundaries, off them, and empty ranges at either end.</summary>
    private static IEnumerable<(int A, int B)> Cuts(int hidden)
    {
        var cuts = new HashSet<(int, int)> { (0, hidden), (0, 0), (hidden, hidden), (hidden / 2, hidden / 2), (hidden / 3, 2 * hidden / 3) };
        if (hidden >= 5)
        {
            cuts.Add((1, hidden - 2));
            cuts.Add((3, 4));
        }

        foreach (int step in new[] { 4, 8, 16, 32 })
        {
            if (hidden >= 2 * step)
            {
                cuts.Add((step, hidden / step * step));
                cuts.Add((step, 2 * step));
            }
        }

        return cuts;
    }

    private static void AssertBits<T>(T[] expected, T[] actual, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!Same(expected[i], actual[i]))
            {
                Assert.Fail($"{what}[{i}]: {actual[i]}, whole call {expected[i]}.");
            }
        }
    }

    /// <summary>Bit equality (so NaN equals the same NaN and 0 differs from −0).</summary>
    private static bool Same<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float)
            ? BitConverter.SingleToInt32Bits((float)(object)x) == BitConverter.SingleToInt32Bits((float)(object)y)
            : BitConverter.DoubleToInt64Bits((double)(object)x) == BitConverter.DoubleToInt64Bits((double)(object)y);

    private static T[][] Clone<T>(T[][] buffers) => buffers.Select(b => (T[])b.Clone()).ToArray();

    private static T[] Gaussian<T>(RandomSource random, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        random.FillGaussian<T>(values, 0, 1.5);
        return values;
    }

    /// <summary>A kernel, the gate blocks of each of its buffers (1 for (B, H)), and the call.</summary>
    private sealed record KernelCase<T>(string Name, int[] Blocks, RangeCall<T> Call);
}
