namespace Carnet.Onnx;

/// <summary>ONNX's LSTM, GRU and RNN operators.</summary>
internal static class RecurrentOperators
{
    public static void Register(Dictionary<string, OnnxOperator> operators) => ArgumentNullException.ThrowIfNull(operators);
}
