using System.Runtime.CompilerServices;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// One named signal of one direction of one recurrent layer over a sequence's valid steps, such as the forget gate
/// or the cell state: a (Steps, Units) matrix whose row t is real time step t of the sequence (also for the reverse
/// direction, which processes the steps last to first).
/// </summary>
public sealed class TraceSignal
{
    /// <summary>LSTM input gate i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi), between 0 and 1.</summary>
    public const string InputGate = "input gate";

    /// <summary>LSTM forget gate f_t, between 0 and 1.</summary>
    public const string ForgetGate = "forget gate";

    /// <summary>The candidate: LSTM g_t = tanh(…), GRU n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)), between −1 and 1.</summary>
    public const string Candidate = "candidate";

    /// <summary>LSTM output gate o_t, between 0 and 1.</summary>
    public const string OutputGate = "output gate";

    /// <summary>LSTM cell state c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t.</summary>
    public const string CellState = "cell state";

    /// <summary>
    /// The hidden state h_t after step t: LSTM o_t ⊙ tanh(c_t) (projected when the layer has a projection), GRU
    /// (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}, RNN tanh or relu(…).
    /// </summary>
    public const string HiddenState = "hidden state";

    /// <summary>GRU reset gate r_t, between 0 and 1.</summary>
    public const string ResetGate = "reset gate";

    /// <summary>GRU update gate z_t, between 0 and 1.</summary>
    public const string UpdateGate = "update gate";

    private readonly double[] values; // (Steps, Units)

    internal TraceSignal(int layer, int direction, string name, bool isGate, int steps, int units, double[] values)
    {
        Layer = layer;
        Direction = direction;
        Name = name;
        IsGate = isGate;
        Steps = steps;
        Units = units;
        this.values = values;
    }

    /// <summary>The layer, 0 at the bottom of the stack.</summary>
    public int Layer { get; }

    /// <summary>The direction: 0 forward, 1 reverse.</summary>
    public int Direction { get; }

    /// <summary>The signal's name, one of the constants of this class.</summary>
    public string Name { get; }

    /// <summary>Whether the signal is a sigmoid gate (values between 0 and 1); otherwise it is centred on zero.</summary>
    public bool IsGate { get; }

    /// <summary>The sequence's valid steps.</summary>
    public int Steps { get; }

    /// <summary>The units: H, or P for the hidden state of an LSTM with a projection.</summary>
    public int Units { get; }

    /// <summary>The values (Steps, Units), row-major: element [t, u] at t · Units + u.</summary>
    public ReadOnlySpan<double> Values => values;

    /// <summary>The value of unit <paramref name="unit"/> after (for gates: at) step <paramref name="step"/>.</summary>
    public double this[int step, int unit] => values[InRange(step, Steps) * Units + InRange(unit, Units)];

    /// <summary>Each unit's mean |value| over the steps: (Units).</summary>
    public double[] MeanAbsolute()
    {
        var means = new double[Units]; // (U)
        TraceKernels.MeanAbsoluteColumns(values, Steps, Units, means);
        return means;
    }

    /// <summary>The units ordered by mean |value| over the steps, largest first (ties by unit index).</summary>
    public int[] UnitsByActivity() => RankDescending(MeanAbsolute());

    /// <summary>Returns <paramref name="index"/>, or throws <see cref="ArgumentOutOfRangeException"/> unless 0 ≤ index &lt; count.</summary>
    internal static int InRange(int index, int count, [CallerArgumentExpression(nameof(index))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count, name);
        return index;
    }

    /// <summary>Indices of <paramref name="scores"/> from the largest score to the smallest, ties by index.</summary>
    internal static int[] RankDescending(double[] scores)
        => Enumerable.Range(0, scores.Length).OrderByDescending(u => scores[u]).ThenBy(u => u).ToArray();
}
