using Carnet.Layers;
using Carnet.Tests.Support;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>
/// The trace of a recurrent stack: every recorded gate and state equals what PyTorch's equations give, recomputed here
/// with plain loops in double precision for each sequence on its own (its valid steps only, the reverse direction from
/// its own last step); and the units are ranked by their mean |h_t|.
/// </summary>
public sealed class RecurrentTraceTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string, bool, int> Stacks => new()
    {
        { "lstm", true, 0 }, { "lstm", false, 0 }, { "lstm", true, 3 }, { "gru", true, 0 }, { "gru", false, 0 }, { "rnn_tanh", true, 0 }, { "rnn_relu", false, 0 },
    };

    [Theory]
    [MemberData(nameof(Stacks))]
    public void RecordedGatesAndStatesEqualThePyTorchEquations(string cell, bool bidirectional, int projection)
    {
        int[] lengths = [5, 3, 2];
        const int steps = 5, batch = 3, inputSize = 4;
        var random = new RandomSource(17);
        var options = new RecurrentOptions
        {
            InputSize = inputSize, HiddenSize = 5, NumLayers = 2, Bidirectional = bidirectional, ProjectionSize = projection,
            Nonlinearity = cell == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
        };
        var layer = FiniteDifferenceTests.Build(cell, options, random);
        var input = Normal(random, steps, batch, inputSize); // (T, B, I)
        var result = layer.ForwardCore(input, null, null, lengths, training: false, random: null);
        string[] names = cell switch
        {
            "lstm" => [TraceSignal.InputGate, TraceSignal.ForgetGate, TraceSignal.Candidate, TraceSignal.OutputGate, TraceSignal.CellState, TraceSignal.HiddenState],
            "gru" => [TraceSignal.ResetGate, TraceSignal.UpdateGate, TraceSignal.Candidate, TraceSignal.HiddenState],
            _ => [TraceSignal.HiddenState],
        };
        for (int b = 0; b < batch; b++)
        {
            var trace = RecurrentTrace.Record(result, b);
            Assert.Equal((b, lengths[b], 2, layer.Directions), (trace.Sequence, trace.Steps, trace.LayerCount, trace.DirectionCount));
            var sequence = new double[lengths[b] * inputSize]; // (V, I)
            for (int t = 0; t < lengths[b]; t++)
            {
                input.Span.Slice((t * batch + b) * inputSize, inputSize).CopyTo(sequence.AsSpan(t * inputSize));
            }

            var expected = Reference(layer, sequence, lengths[b]);
            for (int index = 0; index < expected.Length; index++)
            {
                var record = trace[index / layer.Directions, index % layer.Directions];
                Assert.Equal(names, record.Signals.Select(s => s.Name));
                foreach (var signal in record.Signals)
                {
                    Assert.Equal((index / layer.Directions, index % layer.Directions, lengths[b]), (signal.Layer, signal.Direction, signal.Steps));
                    Assert.Equal(signal.Name.EndsWith("gate", StringComparison.Ordinal), signal.IsGate);
                    Close.Assert($"sequence {b} layer·direction {index} {signal.Name}", expected[index][signal.Name], signal.Values, Tolerance);
                }
            }
        }
    }

    [Fact]
    public void ReverseDirectionIsIndexedByRealTime()
    {
        // one unit, h_t = tanh(x_t + h_{t+1}) read last step first: at the last step h = tanh(x), at the first it has seen everything
        var layer = new Rnn<double>(new RecurrentOptions { InputSize = 1, HiddenSize = 1, Bidirectional = true, Bias = false });
        layer.GetParameter("weight_ih_l0_reverse").Value.Span.Fill(1);
        layer.GetParameter("weight_hh_l0_reverse").Value.Span.Fill(1);
        var input = Tensor<double>.FromValues([0.5, 0.25, 1.0, 0.0], 4, 1, 1); // (T, B, I): the last step is padding
        var trace = RecurrentTrace.Record(layer.Forward(input, lengths: [3]), 0);
        var reverse = trace[0, 1].Signal(TraceSignal.HiddenState);
        double h2 = Math.Tanh(1.0), h1 = Math.Tanh(0.25 + h2), h0 = Math.Tanh(0.5 + h1);
        Assert.Equal(3, reverse.Steps);
        Assert.Equal([h0, h1, h2], reverse.Values.ToArray());
    }

    [Fact]
    public void UnitsAreRankedByMeanAbsoluteHiddenState()
    {
        // no recurrence: h_t = tanh(w_u · x_t), so unit u's mean |h| is the mean of |tanh(w_u · x_t)| over the steps
        double[] weights = [0.1, -2.0, 0.5, 0.0, -0.7];
        var layer = new Rnn<double>(new RecurrentOptions { InputSize = 1, HiddenSize = 5, Bias = false });
        weights.CopyTo(layer.GetParameter("weight_ih_l0").Value.Span);
        layer.GetParameter("weight_hh_l0").Value.Span.Clear();
        double[] x = [1.0, -0.5, 2.0];
        var record = RecurrentTrace.Record(layer.Forward(Tensor<double>.FromValues(x, 3, 1, 1)), 0)[0, 0];
        for (int u = 0; u < weights.Length; u++)
        {
            double mean = x.Sum(v => Math.Abs(Math.Tanh(weights[u] * v))) / x.Length;
            Assert.Equal(mean, record.UnitActivity[u], 15);
        }

        Assert.Equal([1, 4, 2, 0, 3], record.UnitOrder);
        Assert.Equal([1, 4, 2, 0, 3], record.Signal(TraceSignal.HiddenState).UnitsByActivity());
    }

    [Fact]
    public void ProjectedLstmRanksItsCellUnitsBeforeTheProjection()
    {
        var random = new RandomSource(3);
        var layer = new Lstm<double>(new RecurrentOptions { InputSize = 2, HiddenSize = 4, ProjectionSize = 2 }, random);
        var record = RecurrentTrace.Record(layer.Forward(Normal(random, 6, 1, 2)), 0)[0, 0];
        var output = record.Signal(TraceSignal.OutputGate);
        var cellState = record.Signal(TraceSignal.CellState);
        Assert.Equal(2, record.Signal(TraceSignal.HiddenState).Units);
        Assert.Equal(4, record.UnitOrder.Count);
        for (int u = 0; u < 4; u++)
        {
            double mean = Enumerable.Range(0, 6).Sum(t => Math.Abs(output[t, u] * Math.Tanh(cellState[t, u]))) / 6;
            Assert.Equal(mean, record.UnitActivity[u], 14);
        }

        Assert.Equal(Enumerable.Range(0, 4).OrderByDescending(u => record.UnitActivity[u]), record.UnitOrder);
    }

    [Fact]
    public void AMissingSequenceOrSignalIsAClearError()
    {
        var layer = new Gru<double>(new RecurrentOptions { InputSize = 1, HiddenSize = 2 });
        var result = layer.Forward(Tensor<double>.Zeros(3, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentTrace.Record(result, 2));
        var error = Assert.Throws<KeyNotFoundException>(() => RecurrentTrace.Record(result, 1)[0, 0].Signal(TraceSignal.CellState));
        Assert.Equal("no signal 'cell state'; this layer records reset gate, update gate, candidate, hidden state", error.Message);
    }

    /// <summary>Every layer's and direction's signals (V, units) by name, from PyTorch's equations over one sequence x (V, I).</summary>
    internal static Dictionary<string, double[]>[] Reference(RecurrentLayer<double> layer, double[] x, int steps)
    {
        var options = layer.Options;
        var records = new Dictionary<string, double[]>[options.NumLayers * layer.Directions];
        double[] layerInput = x; // (V, I_l)
        for (int l = 0; l < options.NumLayers; l++)
        {
            var next = new double[steps * layer.OutputSize]; // (V, D·P)
            for (int d = 0; d < layer.Directions; d++)
            {
                var record = records[l * layer.Directions + d] = Direction(layer, l, d, layerInput, steps);
                double[] h = record[TraceSignal.HiddenState];
                for (int t = 0; t < steps; t++)
                {
                    Array.Copy(h, t * layer.StateSize, next, t * layer.OutputSize + d * layer.StateSize, layer.StateSize);
                }
            }

            layerInput = next;
        }

        return records;
    }

    private static Dictionary<string, double[]> Direction(RecurrentLayer<double> layer, int l, int d, double[] x, int steps)
    {
        string suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
        double[] wIh = layer.GetParameter("weight_ih" + suffix).Value.Span.ToArray(); // (G·H, I)
        double[] wHh = layer.GetParameter("weight_hh" + suffix).Value.Span.ToArray(); // (G·H, P)
        double[] bIh = layer.GetParameter("bias_ih" + suffix).Value.Span.ToArray(); // (G·H)
        double[] bHh = layer.GetParameter("bias_hh" + suffix).Value.Span.ToArray(); // (G·H)
        double[]? wHr = layer.HasParameter("weight_hr" + suffix) ? layer.GetParameter("weight_hr" + suffix).Value.Span.ToArray() : null; // (P, H)
        int hidden = layer.Options.HiddenSize, size = layer.StateSize, inputSize = wIh.Length / bIh.Length, width = bIh.Length;
        string[] gates = layer.Kind switch
        {
            RecurrentCellKind.Lstm => [TraceSignal.InputGate, TraceSignal.ForgetGate, TraceSignal.Candidate, TraceSignal.OutputGate],
            RecurrentCellKind.Gru => [TraceSignal.ResetGate, TraceSignal.UpdateGate, TraceSignal.Candidate],
            _ => [],
        };
        var record = gates.Append(TraceSignal.CellState).ToDictionary(name => name, _ => new double[steps * hidden]);
        record[TraceSignal.HiddenState] = new double[steps * size];
        var h = new double[size];
        var c = new double[hidden];
        for (int s = 0; s < steps; s++)
        {
            int t = d == 1 ? steps - 1 - s : s;
            var gx = new double[width]; // W_ih x_t + b_ih
            var gh = new double[width]; // W_hh h_{t−1} + b_hh
            for (int k = 0; k < width; k++)
            {
                gx[k] = bIh[k];
                gh[k] = bHh[k];
                for (int i = 0; i < inputSize; i++)
                {
                    gx[k] += wIh[k * inputSize + i] * x[t * inputSize + i];
                }

                for (int j = 0; j < size; j++)
                {
                    gh[k] += wHh[k * size + j] * h[j];
                }
            }

            var r = new double[hidden]; // the new h before any projection
            for (int u = 0; u < hidden; u++)
            {
                switch (layer.Kind)
                {
                    case RecurrentCellKind.Lstm:
                        double input = Sigmoid(gx[u] + gh[u]), forget = Sigmoid(gx[hidden + u] + gh[hidden + u]);
                        double candidate = Math.Tanh(gx[2 * hidden + u] + gh[2 * hidden + u]), output = Sigmoid(gx[3 * hidden + u] + gh[3 * hidden + u]);
                        c[u] = forget * c[u] + input * candidate;
                        r[u] = output * Math.Tanh(c[u]);
                        Store(record, t, hidden, u, (TraceSignal.InputGate, input), (TraceSignal.ForgetGate, forget), (TraceSignal.Candidate, candidate),
                            (TraceSignal.OutputGate, output), (TraceSignal.CellState, c[u]));
                        break;
                    case RecurrentCellKind.Gru:
                        double reset = Sigmoid(gx[u] + gh[u]), update = Sigmoid(gx[hidden + u] + gh[hidden + u]);
                        double n = Math.Tanh(gx[2 * hidden + u] + reset * gh[2 * hidden + u]);
                        r[u] = (1 - update) * n + update * h[u];
                        Store(record, t, hidden, u, (TraceSignal.ResetGate, reset), (TraceSignal.UpdateGate, update), (TraceSignal.Candidate, n));
                        break;
                    default:
                        double a = gx[u] + gh[u];
                        r[u] = layer.Options.Nonlinearity == RnnNonlinearity.Relu ? Math.Max(a, 0) : Math.Tanh(a);
                        break;
                }
            }

            for (int p = 0; p < size; p++)
            {
                h[p] = r[p];
                if (wHr is not null)
                {
                    h[p] = 0;
                    for (int u = 0; u < hidden; u++)
                    {
                        h[p] += wHr[p * hidden + u] * r[u];
                    }
                }

                record[TraceSignal.HiddenState][t * size + p] = h[p];
            }
        }

        return record;
    }

    private static void Store(Dictionary<string, double[]> record, int t, int hidden, int u, params (string Name, double Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            record[name][t * hidden + u] = value;
        }
    }

    private static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));
}
