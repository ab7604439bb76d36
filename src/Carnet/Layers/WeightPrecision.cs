namespace Carnet.Layers;

/// <summary>The precision a layer's weight products run in for inference.</summary>
public enum WeightPrecision
{
    /// <summary>Single precision, as the weights are trained (the default).</summary>
    Float,

    /// <summary>
    /// Int8 weights with one scale per output row, and each input row quantised to int8 as it comes (dynamic
    /// quantisation, as PyTorch's <c>quantize_dynamic</c>): a quarter of the weight bytes, int32 sums, floats again
    /// after each product. Approximate: within the rounding of both operands of the float result.
    /// </summary>
    Int8,
}
