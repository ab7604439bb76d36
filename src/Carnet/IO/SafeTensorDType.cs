namespace Carnet.IO;

/// <summary>
/// The element types a safetensors file can hold (the subset Carnet reads and writes).
/// </summary>
public enum SafeTensorDType
{
    /// <summary>64-bit IEEE 754 floating point (JSON name <c>F64</c>).</summary>
    F64,

    /// <summary>32-bit IEEE 754 floating point (JSON name <c>F32</c>).</summary>
    F32,

    /// <summary>16-bit IEEE 754 half-precision floating point (JSON name <c>F16</c>).</summary>
    F16,

    /// <summary>16-bit brain floating point: the upper 16 bits of a float32 (JSON name <c>BF16</c>).</summary>
    BF16,

    /// <summary>64-bit signed integer (JSON name <c>I64</c>).</summary>
    I64,

    /// <summary>32-bit signed integer (JSON name <c>I32</c>).</summary>
    I32,

    /// <summary>16-bit signed integer (JSON name <c>I16</c>).</summary>
    I16,

    /// <summary>8-bit signed integer (JSON name <c>I8</c>).</summary>
    I8,

    /// <summary>8-bit unsigned integer (JSON name <c>U8</c>).</summary>
    U8,

    /// <summary>Boolean stored as one byte, 0 for false and 1 for true (JSON name <c>BOOL</c>).</summary>
    Bool,
}

/// <summary>
/// Helpers for <see cref="SafeTensorDType"/>: element sizes and the names used in safetensors headers.
/// </summary>
public static class SafeTensorDTypeExtensions
{
    /// <summary>Returns the size in bytes of one element of the given type.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>1, 2, 4 or 8.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="SafeTensorDType"/>.</exception>
    public static int GetElementSize(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F64 or SafeTensorDType.I64 => 8,
        SafeTensorDType.F32 or SafeTensorDType.I32 => 4,
        SafeTensorDType.F16 or SafeTensorDType.BF16 or SafeTensorDType.I16 => 2,
        SafeTensorDType.I8 or SafeTensorDType.U8 or SafeTensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Returns the name of the type as written in a safetensors header, for example <c>"F32"</c> or <c>"BOOL"</c>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The header name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="SafeTensorDType"/>.</exception>
    public static string GetJsonName(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F64 => "F64",
        SafeTensorDType.F32 => "F32",
        SafeTensorDType.F16 => "F16",
        SafeTensorDType.BF16 => "BF16",
        SafeTensorDType.I64 => "I64",
        SafeTensorDType.I32 => "I32",
        SafeTensorDType.I16 => "I16",
        SafeTensorDType.I8 => "I8",
        SafeTensorDType.U8 => "U8",
        SafeTensorDType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Returns whether the type is a floating-point type (F64, F32, F16 or BF16).</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns><see langword="true"/> for floating-point types.</returns>
    public static bool IsFloatingPoint(this SafeTensorDType dtype) =>
        dtype is SafeTensorDType.F64 or SafeTensorDType.F32 or SafeTensorDType.F16 or SafeTensorDType.BF16;

    /// <summary>Parses a header dtype name (case-sensitive, as the format requires).</summary>
    /// <param name="jsonName">The name from the header, for example <c>"BF16"</c>.</param>
    /// <param name="dtype">The parsed type, when the name is known.</param>
    /// <returns><see langword="true"/> when the name is one of the supported types.</returns>
    public static bool TryParseJsonName(string? jsonName, out SafeTensorDType dtype)
    {
        SafeTensorDType? parsed = jsonName switch
        {
            "F64" => SafeTensorDType.F64,
            "F32" => SafeTensorDType.F32,
            "F16" => SafeTensorDType.F16,
            "BF16" => SafeTensorDType.BF16,
            "I64" => SafeTensorDType.I64,
            "I32" => SafeTensorDType.I32,
            "I16" => SafeTensorDType.I16,
            "I8" => SafeTensorDType.I8,
            "U8" => SafeTensorDType.U8,
            "BOOL" => SafeTensorDType.Bool,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
