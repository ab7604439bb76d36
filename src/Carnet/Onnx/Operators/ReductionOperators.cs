namespace Carnet.Onnx;

/// <summary>ONNX operators (filled in by the operator work of issue 17).</summary>
internal static class ReductionOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators) => ArgumentNullException.ThrowIfNull(operators);
}
