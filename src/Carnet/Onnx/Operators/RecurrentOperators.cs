// Dimension legend: T = time steps, B = batch, I = input features, H = hidden size, D = directions, G = gate blocks.
// ONNX layout 0 is time-major: X (T, B, I), Y (T, D, B, H), Y_h (D, B, H); layout 1 is X (B, T, I), Y (B, T, D, H), Y_h (B, D, H).
using Carnet.Kernels;

namespace Carnet.Onnx;

/// <summary>
/// ONNX's LSTM, GRU and RNN operators. A node whose attributes match a PyTorch cell (default activations or relu for
/// an RNN, no clip, no peepholes, GRU with linear_before_reset = 1, forward or bidirectional) runs on Carnet's recurrent
/// layers, its weights converted once; any other runs on the scalar ONNX reference, as does every node under
/// <see cref="KernelMode.Reference"/>.
/// </summary>
internal static class RecurrentOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators)
    {
        operators["LSTM"] = (node, inputs) => Run(RecurrentCall.Read(node, inputs, OnnxCellKind.Lstm));
        operators["GRU"] = (node, inputs) => Run(RecurrentCall.Read(node, inputs, OnnxCellKind.Gru));
        operators["RNN"] = (node, inputs) => Run(RecurrentCall.Read(node, inputs, OnnxCellKind.Rnn));
    }

    private static OnnxTensor?[] Run(RecurrentCall call)
    {
        var (y, hidden, cell) = RecurrentLayerPath.Fits(call) && !KernelSettings.UseReferenceKernels
            ? RecurrentLayerPath.Run(call)
            : RunReference(call);
        int t = call.Steps, b = call.Batch, d = call.Directions, h = call.Hidden;
        return call.Layout == 0
            ? [OnnxTensor.FromFloats(y, t, d, b, h), OnnxTensor.FromFloats(hidden, d, b, h), cell is null ? null : OnnxTensor.FromFloats(cell, d, b, h)]
            : [OnnxTensor.FromFloats(ToBatchMajor(y, t, d, b, h), b, t, d, h), OnnxTensor.FromFloats(Swap(hidden, d, b, h), b, d, h),
                cell is null ? null : OnnxTensor.FromFloats(Swap(cell, d, b, h), b, d, h)];
    }

    /// <summary>Runs every direction on <see cref="OnnxRecurrentKernels"/>: Y (T, D, B, H), Y_h and Y_c (D, B, H).</summary>
    private static (float[] Y, float[] Hidden, float[]? Cell) RunReference(RecurrentCall call)
    {
        int t = call.Steps, b = call.Batch, h = call.Hidden, g = call.Spec.GateCount, input = call.InputSize;
        float[] x = call.TimeMajorInput(); // (T, B, I)
        var y = new float[t * call.Directions * b * h]; // (T, D, B, H)
        var hidden = new float[call.Directions * b * h]; // (D, B, H)
        float[]? cell = call.Cell == OnnxCellKind.Lstm ? new float[hidden.Length] : null;
        var direction = new float[t * b * h]; // (T, B, H)
        for (int d = 0; d < call.Directions; d++)
        {
            ReadOnlySpan<float> bias = call.B is null ? [] : call.B.Floats.Slice(d * 2 * g * h, 2 * g * h);
            OnnxRecurrentKernels.Direction(
                call.SpecOf(d), x, t, b, input, call.Lengths,
                call.W.Floats.Slice(d * g * h * input, g * h * input), call.R.Floats.Slice(d * g * h * h, g * h * h),
                bias.IsEmpty ? bias : bias[..(g * h)], bias.IsEmpty ? bias : bias[(g * h)..],
                call.P is null ? [] : call.P.Floats.Slice(d * 3 * h, 3 * h),
                call.InitialState(call.H0, d), call.InitialState(call.C0, d), call.ReverseOnly || d == 1, direction,
                hidden.AsSpan(d * b * h, b * h), cell is null ? [] : cell.AsSpan(d * b * h, b * h));
            for (int step = 0; step < t; step++)
            {
                direction.AsSpan(step * b * h, b * h).CopyTo(y.AsSpan((step * call.Directions + d) * b * h, b * h));
            }
        }

        return (y, hidden, cell);
    }

    // (T, D, B, H) → (B, T, D, H)
    private static float[] ToBatchMajor(float[] y, int t, int d, int b, int h)
    {
        var result = new float[y.Length];
        for (int step = 0; step < t; step++)
        {
            for (int direction = 0; direction < d; direction++)
            {
                for (int row = 0; row < b; row++)
                {
                    y.AsSpan(((step * d + direction) * b + row) * h, h).CopyTo(result.AsSpan(((row * t + step) * d + direction) * h, h));
                }
            }
        }

        return result;
    }

    // (D, B, H) → (B, D, H)
    private static float[] Swap(float[] states, int d, int b, int h)
    {
        var result = new float[states.Length];
        Elementwise.TransposeLeadingAxes<float>(states, d, b, h, result);
        return result;
    }
}
