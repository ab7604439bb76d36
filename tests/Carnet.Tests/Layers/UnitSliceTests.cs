// Dimension legend: T = time steps, B = batch, H = hidden size, P = size of h (projection size, or H), G = gate blocks
// (LSTM 4, GRU 3, RNN 1), NR = the packed panel width (16 floats on AVX2), the column alignment of a unit slice.
using Carnet.Kernels;
using Carnet.Layers;
using Carnet.Tests.Kernels;
using Carnet.Tests.Support;

namespace Carnet.Tests.Layers;

/// <summary>
/// The recurrent time loop cut between threads (by batch rows from 8 rows a thread, else by hidden units at every
/// step; both happen below, the batches here running from 1 to 40): where the cut
/// happens (<see cref="UnitSlices.Of"/>), and, through the public layers in shapes that are cut (and a few that are
/// not), the output, h_n, c_n, every gradient and the recorded dL/dh_t bit for bit the same at one, two and three
/// threads, and within 1e-5 of the reference kernels (which cut on any unit, and are bit for bit the same at one and
/// two threads too). The kernels and the thread count are chosen by scopes, so these run beside other tests.
/// </summary>
public sealed class UnitSliceTests
{
    private const double ReferenceTolerance = 1e-5; // absolute, or relative where |expected| > 1

    private static readonly Dictionary<string, StackCase> Cases = new()
    {
        ["lstm-64"] = new("lstm", Hidden: 64, Batch: 32, Steps: 6),
        ["lstm-48-lengths"] = new("lstm", Hidden: 48, Batch: 9, Steps: 7, Lengths: [7, 3, 7, 1, 5, 7, 2, 7, 6]),
        ["lstm-96-stack"] = new("lstm", Hidden: 96, Batch: 5, Steps: 5, Layers: 2, Bidirectional: true, BatchFirst: true, Lengths: [5, 2, 5, 4, 1]),
        ["lstm-64-one-row"] = new("lstm", Hidden: 64, Batch: 1, Steps: 4, GradOutput: false),
        ["lstm-projection"] = new("lstm", Hidden: 64, Batch: 16, Steps: 5, Projection: 24, Bidirectional: true, Lengths: [5, 1, 3, 5, 5, 2, 4, 5, 5, 5, 5, 5, 1, 5, 5, 3]),
        ["lstm-40"] = new("lstm", Hidden: 40, Batch: 32, Steps: 4), // not a whole number of panels
        ["gru-64-lengths"] = new("gru", Hidden: 64, Batch: 33, Steps: 6, Lengths: [.. Enumerable.Range(0, 33).Select(b => 1 + b * 7 % 6)]),
        ["gru-48-stack"] = new("gru", Hidden: 48, Batch: 16, Steps: 5, Layers: 2, Bidirectional: true, Bias: false),
        ["gru-96-one-step"] = new("gru", Hidden: 96, Batch: 7, Steps: 1, BatchFirst: true),
        ["rnn-96-tanh"] = new("rnn_tanh", Hidden: 96, Batch: 16, Steps: 7, Lengths: [7, 7, 2, 7, 1, 7, 7, 5, 7, 7, 7, 3, 7, 7, 7, 6]),
        ["rnn-64-relu"] = new("rnn_relu", Hidden: 64, Batch: 32, Steps: 6, Bidirectional: true, BatchFirst: true),
        ["rnn-48-relu-stack"] = new("rnn_relu", Hidden: 48, Batch: 40, Steps: 4, Layers: 2, Dropout: 0.3),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void SlicedStepsGiveTheSameBitsAtEveryThreadCountAndMatchTheReference(string name)
    {
        var shape = Cases[name];
        int alignment = GemmLayout.Current.PanelWidth;
        if (GemmLayout.Hardware is not null)
        {
            // the premise: at two threads these shapes are cut into slices, unless H is not a whole number of panels
            // or the LSTM has a projection
            var spec = shape.Build(1).SpecOf(0);
            bool expectCut = shape.Hidden % alignment == 0 && shape.Projection == 0;
            Assert.Equal(expectCut, UnitSlices.Of(spec, shape.Batch, alignment, 2).Length > 2);
        }

        var one = Run(shape, threads: 1, reference: false);
        var two = Run(shape, threads: 2, reference: false);
        var three = Run(shape, threads: 3, reference: false);
        StackCase.AssertBits(one, two, $"{shape}: two threads against one");
        StackCase.AssertBits(one, three, $"{shape}: three threads against one");

        var referenceOne = Run(shape, threads: 1, reference: true);
        var referenceTwo = Run(shape, threads: 2, reference: true);
        StackCase.AssertBits(referenceOne, referenceTwo, $"{shape}: reference kernels, two threads against one");
        foreach (var (key, expected) in referenceTwo)
        {
            Close.Assert($"{shape}: {key} against the reference", Array.ConvertAll(expected, x => (double)x), Array.ConvertAll(two[key], x => (double)x), ReferenceTolerance);
        }

        if (GemmLayout.Hardware is not null)
        {
            Assert.False(referenceTwo["grad.weight_hh_l0"].AsSpan().SequenceEqual(two["grad.weight_hh_l0"]), "the reference switch changed nothing");
        }

        Assert.Contains(two["output"], x => x != 0);
        Assert.Contains(two["grad.weight_hh_l0"], x => x != 0);
    }

    [Fact]
    public void SlicesStartOnPanelsAndOnlyWhereTheStepIsBigEnough()
    {
        static CellSpec Spec(RecurrentCellKind kind, int hidden, int size = 0) => new(kind, Relu: false, 7, hidden, size == 0 ? hidden : size);

        Assert.Equal([0, 32, 64], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 64), 32, 16, 2));
        Assert.Equal([0, 16, 48], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 48), 9, 16, 2)); // three panels: one and two
        Assert.Equal([0, 16, 32, 48], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 48), 9, 16, 3));
        Assert.Equal([0, 16, 32, 48], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 48), 9, 16, 8)); // no more slices than panels
        Assert.Equal([0, 32, 64, 96], UnitSlices.Of(Spec(RecurrentCellKind.Gru, 96), 16, 16, 3));
        Assert.Equal([0, 20, 40], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 40), 32, 1, 2)); // the reference: any unit

        Assert.Equal([0, 64], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 64), 32, 16, 1)); // one thread
        Assert.Equal([0, 40], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 40), 32, 16, 2)); // not a whole number of panels
        Assert.Equal([0, 64], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 64, 24), 32, 16, 2)); // projection
        Assert.Equal([0, 16], UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 16), 32, 16, 2)); // one panel, and too small

        // 2·max(B, 8)·P·G·H ≥ 1.5e5: LSTM H = 48 needs B ≥ 9, GRU B ≥ 11, RNN B ≥ 33; LSTM H = 64 is cut even at B = 1
        Assert.Equal(2, UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 48), 8, 16, 2).Length);
        Assert.Equal(3, UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 48), 9, 16, 2).Length);
        Assert.Equal(2, UnitSlices.Of(Spec(RecurrentCellKind.Gru, 48), 10, 16, 2).Length);
        Assert.Equal(3, UnitSlices.Of(Spec(RecurrentCellKind.Gru, 48), 11, 16, 2).Length);
        Assert.Equal(2, UnitSlices.Of(Spec(RecurrentCellKind.Rnn, 48), 32, 16, 2).Length);
        Assert.Equal(3, UnitSlices.Of(Spec(RecurrentCellKind.Rnn, 48), 33, 16, 2).Length);
        Assert.Equal(3, UnitSlices.Of(Spec(RecurrentCellKind.Lstm, 64), 1, 16, 2).Length);
    }

    [Fact]
    public void RowsAreCutWhenEveryThreadGetsEightAndTheUnitsOtherwise()
    {
        var spec = new CellSpec(RecurrentCellKind.Lstm, Relu: false, 7, 64, 64);
        Assert.Equal([0, 16, 32], StepSlicing.RowSlices(32, 2));
        Assert.Equal([0, 13, 26, 40], StepSlicing.RowSlices(40, 3));
        Assert.Equal([0, 8, 16], StepSlicing.RowSlices(16, 3)); // no thread below 8 rows
        Assert.Equal([0, 15], StepSlicing.RowSlices(15, 2));
        Assert.Equal([0, 64], StepSlicing.RowSlices(64, 1));

        // by rows (one phase: every thread runs all the steps on its rows, all units) or by units (one phase a step)
        var rows = StepSlicing.Of(spec, 32, 16, 2);
        Assert.True(rows.ByRows);
        Assert.Equal(2, rows.Slices);
        Assert.Equal([0, 64], rows.Units);
        var units = StepSlicing.Of(spec, 9, 16, 2);
        Assert.False(units.ByRows);
        Assert.Equal([0, 9], units.Rows);
        Assert.Equal([0, 32, 64], units.Units);
        Assert.Equal(2, units.Slices);

        // a recurrent matrix over 8 MiB (P·G·H > 2^21) is read by each thread only in part: by units
        var large = StepSlicing.Of(new CellSpec(RecurrentCellKind.Lstm, Relu: false, 7, 1024, 1024), 64, 16, 2);
        Assert.False(large.ByRows);
        Assert.Equal([0, 512, 1024], large.Units);
        Assert.True(StepSlicing.Of(new CellSpec(RecurrentCellKind.Lstm, Relu: false, 7, 512, 512), 64, 16, 2).ByRows); // 4 MiB
        Assert.True(StepSlicing.Of(new CellSpec(RecurrentCellKind.Rnn, Relu: false, 7, 1448, 1448), 64, 8, 2).ByRows); // 1448² ≤ 2^21
        Assert.False(StepSlicing.Of(new CellSpec(RecurrentCellKind.Rnn, Relu: false, 7, 1449, 1449), 64, 1, 2).ByRows); // 1449² > 2^21

        // an LSTM with a projection is cut by rows too (its units never are)
        var projected = StepSlicing.Of(new CellSpec(RecurrentCellKind.Lstm, Relu: false, 7, 64, 24), 16, 16, 2);
        Assert.True(projected.ByRows);
        Assert.Equal(1, StepSlicing.Of(new CellSpec(RecurrentCellKind.Lstm, Relu: false, 7, 64, 24), 15, 16, 2).Slices);
    }

    /// <summary>One fresh stack, one pass, every number it produced; the settings restored.</summary>
    private static Dictionary<string, float[]> Run(StackCase shape, int threads, bool reference)
    {
        using (KernelSettings.Use(reference ? KernelMode.Reference : KernelMode.Fast, threads))
        {
            var layer = shape.Build(17);
            var (result, gradients) = shape.Run(layer, 18);
            var values = StackCase.Capture(layer, result, gradients);
            result.Dispose();
            return values;
        }
    }
}
