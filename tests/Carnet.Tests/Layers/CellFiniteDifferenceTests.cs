using Carnet.Layers;
using Carnet.Tests.Golden;
using static Carnet.Tests.Support.GradientCheck;

namespace Carnet.Tests.Layers;

/// <summary>Finite differences in double precision for the single-step cells (B = 3, I = 4, H = 5).</summary>
public sealed class CellFiniteDifferenceTests
{
    [Theory]
    [InlineData("lstm", true)]
    [InlineData("lstm", false)]
    [InlineData("gru", true)]
    [InlineData("gru", false)]
    [InlineData("rnn_tanh", true)]
    [InlineData("rnn_relu", false)]
    public void CellGradientsMatchFiniteDifferences(string kind, bool bias)
    {
        var random = new RandomSource(21);
        RecurrentCell<double> cell = kind switch
        {
            "lstm" => new LstmCell<double>(4, 5, bias, random),
            "gru" => new GruCell<double>(4, 5, bias, random),
            _ => new RnnCell<double>(4, 5, bias, kind == "rnn_relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh, random),
        };
        var input = Normal(random, 3, 4);
        var h0 = Normal(random, 3, 5);
        var c0 = kind == "lstm" ? Normal(random, 3, 5) : null;
        var weightHidden = Normal(random, 3, 5);
        var weightCell = c0 is null ? null : Normal(random, 3, 5);
        double Loss()
        {
            var (hidden, cellState, _) = GoldenLayerTests.RunCell(cell, input, h0, c0, null, null);
            return Dot(hidden, weightHidden) + (c0 is null ? 0 : Dot(cellState!, weightCell!));
        }

        cell.ZeroGradients();
        var (_, _, gradients) = GoldenLayerTests.RunCell(cell, input, h0, c0, weightHidden, weightCell);
        Check("input", input, gradients.Input.Span, Loss);
        Check("h0", h0, gradients.Hidden.Span, Loss);
        if (c0 is not null)
        {
            Check("c0", c0, gradients.Cell!.Span, Loss);
        }

        foreach (var parameter in cell.Parameters)
        {
            Check(parameter.Name, parameter.Value, parameter.Gradient.Span.ToArray(), Loss);
        }
    }
}
