// Dimension legend: T = time steps of the batch, V = valid steps of the traced sequence, B = batch, H = hidden size,
// P = size of h (projection size, or H), G = gate blocks (LSTM 4, GRU 3, RNN 1), L = layers, D = directions.
using System.Numerics;
using Carnet.Kernels;

namespace Carnet.Layers;

/// <summary>
/// What a recurrent stack computed for one sequence of a batch, read from a forward result: for every layer and
/// direction, its gates and states at each of the sequence's valid steps (see <see cref="DirectionTrace"/>). Nothing is
/// run again; the values are the ones the forward pass used.
/// </summary>
public sealed class RecurrentTrace
{
    private readonly DirectionTrace[] directions; // (L·D), index l·D + d

    private RecurrentTrace(RecurrentCellKind cell, int sequence, int steps, int layerCount, int directionCount, DirectionTrace[] directions)
    {
        Cell = cell;
        Sequence = sequence;
        Steps = steps;
        LayerCount = layerCount;
        DirectionCount = directionCount;
        this.directions = directions;
    }

    /// <summary>The cell kind, which decides the signals recorded.</summary>
    public RecurrentCellKind Cell { get; }

    /// <summary>The sequence's index in the batch.</summary>
    public int Sequence { get; }

    /// <summary>V: the sequence's valid steps (its length, or all T steps of the batch).</summary>
    public int Steps { get; }

    /// <summary>L.</summary>
    public int LayerCount { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int DirectionCount { get; }

    /// <summary>Every layer's and direction's record, index l·D + d (d = 1 is the reverse direction).</summary>
    public IReadOnlyList<DirectionTrace> Directions => directions;

    /// <summary>The record of one layer (0 at the bottom) and direction (0 forward, 1 reverse).</summary>
    public DirectionTrace this[int layer, int direction]
        => directions[TraceSignal.InRange(layer, LayerCount) * DirectionCount + TraceSignal.InRange(direction, DirectionCount)];

    /// <summary>
    /// Reads sequence <paramref name="sequence"/> out of a forward result of a recurrent stack: per layer and direction,
    /// LSTM input gate, forget gate, candidate, output gate, cell state and hidden state; GRU reset gate, update gate,
    /// candidate and hidden state; RNN hidden state. Each is (V, H) (the hidden state (V, P)), row t being time step t.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch has no sequence <paramref name="sequence"/>.</exception>
    public static RecurrentTrace Record<T>(RecurrentResult<T> result, int sequence)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(result);
        var cache = result.Cache;
        var layer = (RecurrentLayer<T>)cache.Layer;
        TraceSignal.InRange(sequence, cache.Batch);
        int steps = cache.Steps, batch = cache.Batch, valid = cache.Lengths?[sequence] ?? steps;
        int size = layer.StateSize, hidden = layer.Options.HiddenSize;
        var records = new DirectionTrace[layer.Options.NumLayers * layer.Directions]; // (L·D)
        for (int index = 0; index < records.Length; index++)
        {
            var source = new TraceSource<T>(
                layer.SpecOf(index / layer.Directions), cache.Directions[index]!,
                result.HiddenState.Span.Slice(index * batch * size, batch * size).ToArray(), // (B, P)
                result.CellState?.Span.Slice(index * batch * hidden, batch * hidden).ToArray(), // (B, H)
                steps, batch, sequence, valid);
            records[index] = Read(source, index / layer.Directions, index % layer.Directions);
        }

        return new RecurrentTrace(layer.Kind, sequence, valid, layer.Options.NumLayers, layer.Directions, records);
    }

    private static DirectionTrace Read<T>(TraceSource<T> source, int layer, int direction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var spec = source.Spec;
        int hidden = spec.HiddenSize, valid = source.Valid;
        var gateNames = spec.Cell.TracedGates;
        var signals = new List<TraceSignal>();
        for (int g = 0; g < gateNames.Count; g++)
        {
            var gate = new double[valid * hidden]; // (V, H)
            TraceKernels.GatherSteps<T>(source.Cache.Gates.Span, source.Batch, spec.GateWidth, source.Sequence, g * hidden, valid, hidden, gate);
            signals.Add(new TraceSignal(layer, direction, gateNames[g], gateNames[g] != TraceSignal.Candidate, valid, hidden, gate));
        }

        bool reverse = direction == 1;
        if (spec.Cell.HasCellState)
        {
            var cell = new double[valid * hidden]; // (V, H)
            TraceKernels.StatesAfterSteps<T>(source.Cache.CellPrevious.Span, source.FinalCell, source.Steps, source.Batch, hidden, source.Sequence, valid, reverse, cell);
            signals.Add(new TraceSignal(layer, direction, TraceSignal.CellState, false, valid, hidden, cell));
        }

        var state = new double[valid * spec.OutputSize]; // (V, P)
        TraceKernels.StatesAfterSteps<T>(source.Cache.HiddenPrevious.Span, source.FinalHidden, source.Steps, source.Batch, spec.OutputSize, source.Sequence, valid, reverse, state);
        var hiddenState = new TraceSignal(layer, direction, TraceSignal.HiddenState, false, valid, spec.OutputSize, state);
        signals.Add(hiddenState);

        // with a projection, h has P units; the H cell units are ranked by what each contributes before it: o ⊙ tanh(c_t)
        var activity = hiddenState;
        if (spec.HasProjection)
        {
            var unprojected = new double[valid * hidden]; // (V, H)
            TraceKernels.GatherSteps<T>(source.Cache.Unprojected.Span, source.Batch, hidden, source.Sequence, 0, valid, hidden, unprojected);
            activity = new TraceSignal(layer, direction, "unprojected output", false, valid, hidden, unprojected);
        }

        return new DirectionTrace(layer, direction, signals, activity.MeanAbsolute());
    }

    /// <summary>One direction's cache and final states, with the traced sequence's position in the batch.</summary>
    private sealed record TraceSource<T>(
        CellSpec Spec, DirectionCache<T> Cache, T[] FinalHidden, T[]? FinalCell, int Steps, int Batch, int Sequence, int Valid)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The record of one direction of one recurrent layer over a sequence: its named signals, each (Steps, Units), and its
/// units ranked by activity so that every signal can be shown with the same, most active first, row order.
/// </summary>
public sealed class DirectionTrace
{
    private readonly TraceSignal[] signals;
    private readonly double[] activity; // (H)
    private readonly int[] order; // (H)

    internal DirectionTrace(int layer, int direction, IEnumerable<TraceSignal> signals, double[] activity)
    {
        Layer = layer;
        Direction = direction;
        this.signals = [.. signals];
        this.activity = activity;
        order = TraceSignal.RankDescending(activity);
    }

    /// <summary>The layer, 0 at the bottom of the stack.</summary>
    public int Layer { get; }

    /// <summary>The direction: 0 forward, 1 reverse.</summary>
    public int Direction { get; }

    /// <summary>The signals in the cell's order: gates (LSTM i, f, g, o; GRU r, z, n), then the states (cell, hidden).</summary>
    public IReadOnlyList<TraceSignal> Signals => signals;

    /// <summary>
    /// Each of the H units' activity: its mean |h_t| over the steps (for an LSTM with a projection, its mean
    /// |o_t ⊙ tanh(c_t)|, the unit's output before the projection).
    /// </summary>
    public IReadOnlyList<double> UnitActivity => activity;

    /// <summary>The H units from the most to the least active (ties by unit index).</summary>
    public IReadOnlyList<int> UnitOrder => order;

    /// <summary>The signal called <paramref name="name"/> (see the constants of <see cref="TraceSignal"/>).</summary>
    /// <exception cref="KeyNotFoundException">This cell records no such signal; the message lists those it does.</exception>
    public TraceSignal Signal(string name)
        => Array.Find(signals, s => s.Name == name)
            ?? throw new KeyNotFoundException($"no signal '{name}'; this layer records {string.Join(", ", signals.Select(s => s.Name))}");
}
