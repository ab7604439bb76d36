namespace Carnet.Onnx;

/// <summary>
/// One ONNX operator: reads the node's inputs (null where an optional input is omitted) and returns its outputs in
/// order (null for an optional output it does not produce). Errors go through <see cref="OnnxNode.Fail"/>.
/// </summary>
internal delegate OnnxTensor?[] OnnxOperator(OnnxNode node, OnnxTensor?[] inputs);

/// <summary>The registry of the operators Carnet runs, by type, for the default domain, opsets <see cref="MinimumOpset"/> to <see cref="MaximumOpset"/>.</summary>
internal static class OnnxOperators
{
    /// <summary>The oldest default-domain opset Carnet runs.</summary>
    public const int MinimumOpset = 7;

    /// <summary>The newest default-domain opset Carnet runs.</summary>
    public const int MaximumOpset = 21;

    private static readonly Dictionary<string, OnnxOperator> Registered = Build();

    /// <summary>Every operator type Carnet runs, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Registered.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The operator of a type, or null when Carnet does not run it.</summary>
    public static OnnxOperator? Find(string opType) => Registered.GetValueOrDefault(opType);

    private static Dictionary<string, OnnxOperator> Build()
    {
        var operators = new Dictionary<string, OnnxOperator>(StringComparer.Ordinal);
        ElementwiseOperators.Register(operators);
        ShapeOperators.Register(operators);
        ReductionOperators.Register(operators);
        MatrixOperators.Register(operators);
        RecurrentOperators.Register(operators);
        return operators;
    }
}
