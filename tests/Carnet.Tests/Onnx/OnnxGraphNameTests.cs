using Carnet.Onnx;
using Google.Protobuf;

namespace Carnet.Tests.Onnx;

/// <summary>
/// ONNX graphs name each value once (static single assignment): a graph input declared twice, or a node writing a name
/// an input, initializer or earlier node already defines, makes the model one Carnet will not run, with a line naming
/// the value. (The fuzzer found the first: a repeated input made the runner's feed table throw.)
/// </summary>
public sealed class OnnxGraphNameTests
{
    [Fact]
    public void AGraphInputDeclaredTwiceIsAProblemNamingIt()
    {
        var graph = new OnnxGraphBuilder();
        string x = graph.Input("x", OnnxElementType.Float, 2);
        graph.Input("x", OnnxElementType.Float, 2);
        graph.Node("Relu", [x]);
        graph.NameLastOutput("y");
        graph.Output("y", OnnxElementType.Float, 2);
        var model = OnnxModel.Parse(graph.Build("twice", "x declared twice").ToByteArray(), "twice.onnx");

        Assert.False(model.CanRun);
        Assert.Equal(["twice.onnx: graph input 'x' is declared more than once; ONNX names each value once"], model.Problems);
        var error = Assert.Throws<OnnxFormatException>(() => model.Run(new Dictionary<string, OnnxTensor>()));
        Assert.Equal(model.Problems[0], error.Message);
    }

    [Fact]
    public void ANodeWritingANameAlreadyDefinedIsAProblemNamingNodeAndValue()
    {
        var graph = new OnnxGraphBuilder();
        string x = graph.Input("x", OnnxElementType.Float, 2);
        string first = graph.Node("Relu", [x]);
        graph.Node("Sigmoid", [first]);
        graph.NameLastOutput(first); // the second node writes the first node's output again
        graph.Output(first, OnnxElementType.Float, 2);
        var model = OnnxModel.Parse(graph.Build("again", "a value written twice").ToByteArray(), "again.onnx");

        Assert.Equal(
            ["again.onnx: node 'Sigmoid_1' (Sigmoid): writes 'Relu_0_out0', which an input, initializer or earlier node already defines; ONNX names each value once"],
            model.Problems);
    }

    [Fact]
    public void ADistinctlyNamedGraphRuns()
    {
        var graph = new OnnxGraphBuilder();
        string x = graph.Input("x", OnnxElementType.Float, 2);
        graph.Node("Relu", [x]);
        graph.NameLastOutput("y");
        graph.Output("y", OnnxElementType.Float, 2);
        var model = OnnxModel.Parse(graph.Build("fine", "one input, one node").ToByteArray(), "fine.onnx");

        var outputs = model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.FromFloats([-1f, 2f], 2) });
        Assert.Equal([0f, 2f], outputs["y"].Floats.ToArray());
    }
}
