namespace Carnet.Onnx;

/// <summary>
/// An ONNX file Carnet cannot read or run: malformed bytes, an operator or attribute it does not support, a shape it
/// cannot resolve. The message is one line naming the file, the node or tensor, and what was expected.
/// </summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>Creates the exception from its one-line message.</summary>
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception from its one-line message and the error behind it.</summary>
    public OnnxFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
