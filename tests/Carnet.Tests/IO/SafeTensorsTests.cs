using System.Buffers.Binary;
using Carnet.IO;

namespace Carnet.Tests.IO;

public class SafeTensorsTests
{
    private static SafeTensor RoundTrip(SafeTensor tensor)
    {
        byte[] bytes = SafeTensorsWriter.Serialize([tensor]);
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes, "roundtrip");
        SafeTensor read = Assert.Single(file.Tensors);
        Assert.Equal(tensor.Name, read.Name);
        Assert.Equal(tensor.DType, read.DType);
        Assert.Equal(tensor.Shape, read.Shape);
        Assert.Equal(tensor.ElementCount, read.ElementCount);
        Assert.Equal(tensor.Data.ToArray(), read.Data.ToArray());
        return read;
    }

    [Fact]
    public void F32RoundTripKeepsEveryBitIncludingNaNAndInfinities()
    {
        float[] values = [1.5f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, -3.25e-20f];
        SafeTensor read = RoundTrip(SafeTensor.FromSingle("w", values, 2, 4));

        Assert.Equal(new[] { 2, 4 }, read.Shape);
        Assert.Equal(new byte[] { 0x00, 0x00, 0xC0, 0x3F }, read.Data[..4].ToArray());
        float[] back = read.ToSingleArray();
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
        double[] widened = read.ToDoubleArray();
        Assert.Equal(1.5, widened[0]);
        Assert.True(double.IsNaN(widened[2]));
        Assert.Equal(double.PositiveInfinity, widened[3]);
        Assert.Equal(double.NegativeInfinity, widened[4]);
        Assert.Equal((double)float.MaxValue, widened[5]);
    }

    [Fact]
    public void F64RoundTripKeepsEveryBitAndNarrowsToSingle()
    {
        double[] values = [Math.PI, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon];
        SafeTensor read = RoundTrip(SafeTensor.FromDouble("d", values, 6));

        Assert.Equal(SafeTensorDType.F64, read.DType);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), read.ToDoubleArray().Select(BitConverter.DoubleToInt64Bits));
        float[] narrowed = read.ToSingleArray();
        Assert.Equal((float)Math.PI, narrowed[0]);
        Assert.True(float.IsNaN(narrowed[1]));
        Assert.Equal(float.PositiveInfinity, narrowed[2]);
        Assert.Equal(float.NegativeInfinity, narrowed[3]);
        Assert.Equal(0f, narrowed[5]);
    }

    [Fact]
    public void F16RoundTripConvertsRepresentableValuesExactly()
    {
        Half[] values = [(Half)1f, (Half)(-2.5f), Half.MaxValue, (Half)6.1035156e-05f, Half.Epsilon, Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity];
        SafeTensor read = RoundTrip(SafeTensor.FromHalf("h", values, 8));

        Assert.Equal(new byte[] { 0x00, 0x3C }, read.Data[..2].ToArray());
        float[] singles = read.ToSingleArray();
        Assert.Equal(new[] { 1f, -2.5f, 65504f, 6.1035156e-05f, 5.9604645e-08f }, singles[..5]);
        Assert.True(float.IsNaN(singles[5]));
        Assert.Equal(float.PositiveInfinity, singles[6]);
        Assert.Equal(float.NegativeInfinity, singles[7]);
        double[] doubles = read.ToDoubleArray();
        Assert.Equal(5.9604644775390625e-08, doubles[4]);
        Assert.Equal(-2.5, doubles[1]);
    }

    [Fact]
    public void BF16RoundTripConvertsRepresentableValuesExactlyAndRoundsTiesToEven()
    {
        float[] values = [1f, -2f, 3.140625f, 0.15625f, -1024f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.00390625f, 1.01171875f];
        SafeTensor read = RoundTrip(SafeTensor.FromBFloat16("b", values, 2, 5));

        Assert.Equal(new byte[] { 0x80, 0x3F }, read.Data[..2].ToArray());
        Assert.Equal((ushort)0x7FC0, BinaryPrimitives.ReadUInt16LittleEndian(read.Data.Span[10..]));
        float[] singles = read.ToSingleArray();
        Assert.Equal(new[] { 1f, -2f, 3.140625f, 0.15625f, -1024f }, singles[..5]);
        Assert.True(float.IsNaN(singles[5]));
        Assert.Equal(float.PositiveInfinity, singles[6]);
        Assert.Equal(float.NegativeInfinity, singles[7]);
        Assert.Equal(1f, singles[8]);
        Assert.Equal(1.015625f, singles[9]);
        Assert.Equal(3.140625, read.ToDoubleArray()[2]);
    }

    [Fact]
    public void I64RoundTripKeepsExtremesAndChecksInt32Range()
    {
        long[] values = [long.MinValue, -1, 0, 42, long.MaxValue, 1L << 40];
        SafeTensor read = RoundTrip(SafeTensor.FromInt64("lengths", values, 3, 2));

        Assert.Equal(values, read.ToInt64Array());
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x80 }, read.Data[..8].ToArray());
        Assert.Equal(42.0, read.ToDoubleArray()[3]);
        Assert.Equal(1099511627776f, read.ToSingleArray()[5]);
        var overflow = Assert.Throws<OverflowException>(read.ToInt32Array);
        Assert.Contains("'lengths'", overflow.Message);
        Assert.Contains("element 0", overflow.Message);

        SafeTensor small = SafeTensor.FromInt64("small", [int.MinValue, -7, int.MaxValue], 3);
        Assert.Equal(new[] { int.MinValue, -7, int.MaxValue }, small.ToInt32Array());
    }

    [Fact]
    public void I32RoundTripKeepsExtremes()
    {
        int[] values = [int.MinValue, -1, 0, 7, int.MaxValue];
        SafeTensor read = RoundTrip(SafeTensor.FromInt32("i", values, 5));

        Assert.Equal(values, read.ToInt32Array());
        Assert.Equal(new long[] { int.MinValue, -1, 0, 7, int.MaxValue }, read.ToInt64Array());
        Assert.Equal(new double[] { int.MinValue, -1, 0, 7, int.MaxValue }, read.ToDoubleArray());
        Assert.Equal(7f, read.ToSingleArray()[3]);
    }

    [Fact]
    public void I16RoundTripSignExtends()
    {
        var data = new byte[8];
        short[] values = [short.MinValue, -1, 5, short.MaxValue];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), values[i]);
        }

        SafeTensor read = RoundTrip(new SafeTensor("s", SafeTensorDType.I16, [2, 2], data));

        Assert.Equal(new long[] { -32768, -1, 5, 32767 }, read.ToInt64Array());
        Assert.Equal(new[] { -32768, -1, 5, 32767 }, read.ToInt32Array());
        Assert.Equal(new[] { -32768f, -1f, 5f, 32767f }, read.ToSingleArray());
    }

    [Fact]
    public void I8RoundTripSignExtends()
    {
        SafeTensor read = RoundTrip(new SafeTensor("c", SafeTensorDType.I8, [4], [0x80, 0x7F, 0xFF, 0x00]));

        Assert.Equal(new long[] { -128, 127, -1, 0 }, read.ToInt64Array());
        Assert.Equal(new[] { -128, 127, -1, 0 }, read.ToInt32Array());
        Assert.Equal(new[] { -128.0, 127.0, -1.0, 0.0 }, read.ToDoubleArray());
    }

    [Fact]
    public void U8RoundTripIsUnsigned()
    {
        SafeTensor read = RoundTrip(new SafeTensor("u", SafeTensorDType.U8, [3], [0, 255, 128]));

        Assert.Equal(new long[] { 0, 255, 128 }, read.ToInt64Array());
        Assert.Equal(new[] { 0, 255, 128 }, read.ToInt32Array());
        Assert.Equal(new[] { 0f, 255f, 128f }, read.ToSingleArray());
    }

    [Fact]
    public void BoolRoundTripGivesZeroAndOne()
    {
        SafeTensor read = RoundTrip(new SafeTensor("mask", SafeTensorDType.Bool, [2, 2], [1, 0, 0, 1]));

        Assert.Equal(new long[] { 1, 0, 0, 1 }, read.ToInt64Array());
        Assert.Equal(new[] { 1f, 0f, 0f, 1f }, read.ToSingleArray());
    }

    [Fact]
    public void ScalarAndZeroSizedTensorsRoundTrip()
    {
        SafeTensor scalar = RoundTrip(SafeTensor.FromDouble("scalar", [2.75]));
        Assert.Empty(scalar.Shape);
        Assert.Equal(1, scalar.ElementCount);
        Assert.Equal(new[] { 2.75 }, scalar.ToDoubleArray());

        SafeTensor empty = RoundTrip(SafeTensor.FromSingle("empty", [], 3, 0, 2));
        Assert.Equal(new[] { 3, 0, 2 }, empty.Shape);
        Assert.Equal(0, empty.ElementCount);
        Assert.Empty(empty.ToSingleArray());
    }

    [Fact]
    public void SerializeParseSerializeIsByteIdentical()
    {
        var metadata = new Dictionary<string, string>
        {
            ["zeta"] = "last",
            ["Alpha"] = "quote \" backslash \\ newline \n tab \t bell \u0007",
            ["module"] = "LSTM",
            ["unicode"] = "é → 😀",
        };
        SafeTensor[] tensors =
        [
            SafeTensor.FromSingle("weight_ih_l0", [1f, 2f, 3f, 4f, 5f, 6f], 3, 2),
            SafeTensor.FromInt64("lengths", [3, 1], 2),
            SafeTensor.FromHalf("half", [(Half)0.5f], 1),
            SafeTensor.FromSingle("nothing", [], 0),
            new SafeTensor("flags", SafeTensorDType.Bool, [3], [1, 0, 1]),
            SafeTensor.FromDouble("name with \"quotes\" and é", [-1.0, 1.0], 2),
        ];

        byte[] first = SafeTensorsWriter.Serialize(tensors, metadata);
        SafeTensorsFile parsed = SafeTensorsFile.Parse(first, "first");
        byte[] second = SafeTensorsWriter.Serialize(parsed.Tensors, parsed.Metadata);

        Assert.Equal(first, second);
        Assert.Equal(tensors.Select(t => t.Name), parsed.Tensors.Select(t => t.Name));
        Assert.Equal(metadata.OrderBy(p => p.Key, StringComparer.Ordinal), parsed.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(new[] { -1.0, 1.0 }, parsed["name with \"quotes\" and é"].ToDoubleArray());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, parsed["weight_ih_l0"].ToSingleArray());
    }

    [Fact]
    public void LookupMembersFindTensorsAndNameTheMissingOne()
    {
        byte[] bytes = SafeTensorsWriter.Serialize([SafeTensor.FromInt32("a", [1, 2], 2), SafeTensor.FromInt32("b", [3], 1)]);
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes, "lookup.safetensors");

        Assert.Equal("lookup.safetensors", file.Source);
        Assert.Empty(file.Metadata);
        Assert.True(file.Contains("a"));
        Assert.False(file.Contains("A"));
        Assert.True(file.TryGetTensor("b", out SafeTensor? b));
        Assert.Equal(new[] { 3 }, b.ToInt32Array());
        Assert.False(file.TryGetTensor("c", out SafeTensor? missing));
        Assert.Null(missing);
        var exception = Assert.Throws<KeyNotFoundException>(() => file["c"]);
        Assert.StartsWith("lookup.safetensors: ", exception.Message);
        Assert.Contains("'c'", exception.Message);
        Assert.Contains("'a', 'b'", exception.Message);
    }

    [Fact]
    public void IntegerConversionsRejectFloatingPointTensorsByName()
    {
        SafeTensor weights = SafeTensor.FromSingle("weights", [1f], 1);

        var toInt64 = Assert.Throws<InvalidOperationException>(weights.ToInt64Array);
        Assert.Contains("'weights'", toInt64.Message);
        Assert.Contains("F32", toInt64.Message);
        var toInt32 = Assert.Throws<InvalidOperationException>(SafeTensor.FromBFloat16("bf", [1f], 1).ToInt32Array);
        Assert.Contains("'bf'", toInt32.Message);
        Assert.Contains("BF16", toInt32.Message);
    }

    [Fact]
    public void ConstructorValidatesLengthAndCopiesItsInputs()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => new SafeTensor("w", SafeTensorDType.F32, [2, 3], new byte[20]));
        Assert.Contains("shape [2,3] with dtype F32 needs 24 bytes but 20 were given", mismatch.Message);
        var negative = Assert.Throws<ArgumentException>(() => new SafeTensor("w", SafeTensorDType.U8, [2, -1], []));
        Assert.Contains("negative", negative.Message);
        var count = Assert.Throws<ArgumentException>(() => SafeTensor.FromSingle("w", [1f, 2f, 3f], 2, 2));
        Assert.Contains("shape [2,2] has 4 elements but 3 values were given", count.Message);

        byte[] data = [1, 2];
        int[] shape = [2];
        var tensor = new SafeTensor("u", SafeTensorDType.U8, shape, data);
        data[0] = 99;
        shape[0] = 5;
        Assert.Equal(new byte[] { 1, 2 }, tensor.Data.ToArray());
        Assert.Equal(new[] { 2 }, tensor.Shape);
        Assert.Equal("u U8 [2]", tensor.ToString());
    }

    [Fact]
    public void DTypeHelpersGiveSizesAndHeaderNames()
    {
        var expected = new (SafeTensorDType DType, int Size, string Name)[]
        {
            (SafeTensorDType.F64, 8, "F64"), (SafeTensorDType.F32, 4, "F32"), (SafeTensorDType.F16, 2, "F16"),
            (SafeTensorDType.BF16, 2, "BF16"), (SafeTensorDType.I64, 8, "I64"), (SafeTensorDType.I32, 4, "I32"),
            (SafeTensorDType.I16, 2, "I16"), (SafeTensorDType.I8, 1, "I8"), (SafeTensorDType.U8, 1, "U8"),
            (SafeTensorDType.Bool, 1, "BOOL"),
        };
        Assert.Equal(Enum.GetValues<SafeTensorDType>().Length, expected.Length);
        foreach (var (dtype, size, name) in expected)
        {
            Assert.Equal(size, dtype.GetElementSize());
            Assert.Equal(name, dtype.GetJsonName());
            Assert.True(SafeTensorDTypeExtensions.TryParseJsonName(name, out SafeTensorDType parsed));
            Assert.Equal(dtype, parsed);
        }

        Assert.False(SafeTensorDTypeExtensions.TryParseJsonName("f32", out _));
        Assert.False(SafeTensorDTypeExtensions.TryParseJsonName("Bool", out _));
    }
}
