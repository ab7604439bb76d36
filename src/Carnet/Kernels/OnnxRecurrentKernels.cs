// Dimension legend: T = time steps, B = batch, I = input features, H = hidden size, G = gate blocks (LSTM 4, GRU 3,
// RNN 1). Gate blocks are in ONNX's order: LSTM i, o, f, c; GRU z, r, h; RNN one block. Everything is time-major.
namespace Carnet.Kernels;

/// <summary>The activation functions ONNX's recurrent operators accept in their <c>activations</c> attribute.</summary>
internal enum RecurrentActivationKind
{
    Sigmoid,
    Tanh,
    Relu,
    Affine,
    LeakyRelu,
    ThresholdedRelu,
    ScaledTanh,
    HardSigmoid,
    Elu,
    Softsign,
    Softplus,
}

/// <summary>One activation with its <c>activation_alpha</c> and <c>activation_beta</c>.</summary>
internal readonly record struct RecurrentActivation(RecurrentActivationKind Kind, double Alpha, double Beta)
{
    public double Apply(double x) => Kind switch
    {
        RecurrentActivationKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        RecurrentActivationKind.Tanh => Math.Tanh(x),
        RecurrentActivationKind.Relu => Math.Max(0, x),
        RecurrentActivationKind.Affine => Alpha * x + Beta,
        RecurrentActivationKind.LeakyRelu => x >= 0 ? x : Alpha * x,
        RecurrentActivationKind.ThresholdedRelu => x > Alpha ? x : 0,
        RecurrentActivationKind.ScaledTanh => Alpha * Math.Tanh(Beta * x),
        RecurrentActivationKind.HardSigmoid => Math.Clamp(Alpha * x + Beta, 0, 1),
        RecurrentActivationKind.Elu => x >= 0 ? x : Alpha * (Math.Exp(x) - 1),
        RecurrentActivationKind.Softsign => x / (1 + Math.Abs(x)),
        _ => Math.Log(1 + Math.Exp(x)),
    };
}

/// <summary>The cell of an ONNX recurrent operator.</summary>
internal enum OnnxCellKind
{
    Lstm,
    Gru,
    Rnn,
}

/// <summary>
/// What one direction of an ONNX recurrent operator computes: the cell, the activations (LSTM f, g, h; GRU f, g; RNN f),
/// the clip threshold on activation inputs (0: none), LSTM's coupled input-forget gate, GRU's linear_before_reset.
/// </summary>
internal sealed record OnnxCellSpec(OnnxCellKind Cell, int HiddenSize, RecurrentActivation[] Activations, double Clip, bool InputForget, bool LinearBeforeReset)
{
    /// <summary>G.</summary>
    public int GateCount => Cell switch { OnnxCellKind.Lstm => 4, OnnxCellKind.Gru => 3, _ => 1 };
}

/// <summary>
/// The plain scalar implementation of ONNX's LSTM, GRU and RNN operators exactly as the specification writes them, in
/// double precision: every activation, clip, peepholes, the coupled input-forget gate and both GRU variants. Models
/// whose operators match PyTorch's cells run on Carnet's recurrent layers instead; this runs the rest and checks them.
/// </summary>
internal static class OnnxRecurrentKernels
{
    /// <summary>
    /// One direction over a batch: x (T, B, I); lengths (B) or empty for all T; w (G·H, I), r (G·H, H), biases wb and
    /// rb (G·H) or empty, peepholes p (3H: i, o, f) or empty; h0, c0 (B, H) or empty for zeros. Writes y (T, B, H) at
    /// every step (zero past a sequence's length), the final states hLast and cLast (B, H).
    /// </summary>
    public static void Direction(
        OnnxCellSpec spec, ReadOnlySpan<float> x, int steps, int batch, int inputSize, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> w, ReadOnlySpan<float> r, ReadOnlySpan<float> wb, ReadOnlySpan<float> rb, ReadOnlySpan<float> p,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, bool reverse, Span<float> y, Span<float> hLast, Span<float> cLast)
    {
        int hidden = spec.HiddenSize, width = spec.GateCount * hidden;
        var h = new double[hidden];
        var c = new double[hidden];
        var inputSums = new double[width]; // (G·H) W·x_t + Wb
        var hiddenSums = new double[width]; // (G·H) R·h_{t−1} + Rb
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? steps : lengths[b];
            for (int j = 0; j < hidden; j++)
            {
                h[j] = h0.IsEmpty ? 0 : h0[b * hidden + j];
                c[j] = c0.IsEmpty ? 0 : c0[b * hidden + j];
            }

            for (int step = 0; step < steps; step++)
            {
                int t = reverse ? length - 1 - step : step;
                if (step >= length)
                {
                    y.Slice((step * batch + b) * hidden, hidden).Clear(); // padded steps hold zeros, in either direction
                    continue;
                }

                Affine(w, x.Slice((t * batch + b) * inputSize, inputSize), wb, inputSums);
                Affine(r, h, rb, hiddenSums);
                switch (spec.Cell)
                {
                    case OnnxCellKind.Lstm: LstmStep(spec, inputSums, hiddenSums, p, h, c); break;
                    case OnnxCellKind.Gru: GruStep(spec, inputSums, hiddenSums, r, rb, h); break;
                    default: RnnStep(spec, inputSums, hiddenSums, h); break;
                }

                for (int j = 0; j < hidden; j++)
                {
                    y[(t * batch + b) * hidden + j] = (float)h[j];
                }
            }

            for (int j = 0; j < hidden; j++)
            {
                hLast[b * hidden + j] = (float)h[j];
                if (!cLast.IsEmpty)
                {
                    cLast[b * hidden + j] = (float)c[j];
                }
            }
        }
    }

    // sums = m·v + bias: m (rows, V), v (V), bias (rows) or empty.
    private static void Affine(ReadOnlySpan<float> m, ReadOnlySpan<float> v, ReadOnlySpan<float> bias, Span<double> sums)
    {
        for (int row = 0; row < sums.Length; row++)
        {
            double sum = bias.IsEmpty ? 0 : bias[row];
            for (int k = 0; k < v.Length; k++)
            {
                sum += (double)m[row * v.Length + k] * v[k];
            }

            sums[row] = sum;
        }
    }

    private static void Affine(ReadOnlySpan<float> m, ReadOnlySpan<double> v, ReadOnlySpan<float> bias, Span<double> sums)
    {
        for (int row = 0; row < sums.Length; row++)
        {
            double sum = bias.IsEmpty ? 0 : bias[row];
            for (int k = 0; k < v.Length; k++)
            {
                sum += m[row * v.Length + k] * v[k];
            }

            sums[row] = sum;
        }
    }

    private static double Activate(OnnxCellSpec spec, int index, double x)
        => spec.Activations[index].Apply(spec.Clip > 0 ? Math.Clamp(x, -spec.Clip, spec.Clip) : x);

    // Blocks i, o, f, c; peepholes p_i, p_o, p_f. c_t = f ⊙ c + i ⊙ g(·); h_t = o ⊙ h(c_t).
    private static void LstmStep(OnnxCellSpec spec, ReadOnlySpan<double> x, ReadOnlySpan<double> hs, ReadOnlySpan<float> p, Span<double> h, Span<double> c)
    {
        int n = spec.HiddenSize;
        for (int j = 0; j < n; j++)
        {
            double pi = p.IsEmpty ? 0 : p[j], po = p.IsEmpty ? 0 : p[n + j], pf = p.IsEmpty ? 0 : p[2 * n + j];
            double i = Activate(spec, 0, x[j] + hs[j] + pi * c[j]);
            double f = spec.InputForget ? 1 - i : Activate(spec, 0, x[2 * n + j] + hs[2 * n + j] + pf * c[j]);
            double g = Activate(spec, 1, x[3 * n + j] + hs[3 * n + j]);
            c[j] = f * c[j] + i * g;
            double o = Activate(spec, 0, x[n + j] + hs[n + j] + po * c[j]);
            h[j] = o * spec.Activations[2].Apply(c[j]);
        }
    }

    // Blocks z, r, h. Without linear_before_reset the candidate reads R_h·(r ⊙ h_{t−1}) + Rb_h.
    private static void GruStep(OnnxCellSpec spec, ReadOnlySpan<double> x, Span<double> hs, ReadOnlySpan<float> r, ReadOnlySpan<float> rb, Span<double> h)
    {
        int n = spec.HiddenSize;
        var candidate = new double[n];
        var reset = new double[n];
        for (int j = 0; j < n; j++)
        {
            reset[j] = Activate(spec, 0, x[n + j] + hs[n + j]);
        }

        if (!spec.LinearBeforeReset)
        {
            var gated = new double[n];
            for (int j = 0; j < n; j++)
            {
                gated[j] = reset[j] * h[j];
            }

            Affine(r.Slice(2 * n * n, n * n), gated, rb.IsEmpty ? rb : rb.Slice(2 * n, n), hs.Slice(2 * n, n));
        }

        for (int j = 0; j < n; j++)
        {
            double hidden = spec.LinearBeforeReset ? reset[j] * hs[2 * n + j] : hs[2 * n + j];
            candidate[j] = Activate(spec, 1, x[2 * n + j] + hidden);
        }

        for (int j = 0; j < n; j++)
        {
            double z = Activate(spec, 0, x[j] + hs[j]);
            h[j] = (1 - z) * candidate[j] + z * h[j];
        }
    }

    private static void RnnStep(OnnxCellSpec spec, ReadOnlySpan<double> x, ReadOnlySpan<double> hs, Span<double> h)
    {
        for (int j = 0; j < spec.HiddenSize; j++)
        {
            h[j] = Activate(spec, 0, x[j] + hs[j]);
        }
    }
}
