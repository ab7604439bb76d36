using System.Text;
using Carnet.IO;

namespace Carnet.Tests.IO;

/// <summary>One test per kind of malformed content; every file here is built by hand from raw bytes.</summary>
public class SafeTensorsMalformedTests
{
    private const string Source = "bad.safetensors";

    private static SafeTensorsFormatException ParseFails(byte[] bytes, params string[] fragments)
    {
        var exception = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Parse(bytes, Source));
        Assert.StartsWith(Source + ": ", exception.Message);
        Assert.Equal(Source, exception.SourceName);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, exception.Message);
        }

        return exception;
    }

    private static SafeTensorsFormatException HeaderFails(string json, int dataLength, params string[] fragments) =>
        ParseFails(SafeTensorsTestBytes.Build(json, dataLength), fragments);

    private static SafeTensorsFormatException TensorFails(string json, int dataLength, string tensor, params string[] fragments)
    {
        SafeTensorsFormatException exception = HeaderFails(json, dataLength, [$"tensor '{tensor}': ", .. fragments]);
        Assert.Equal(tensor, exception.TensorName);
        return exception;
    }

    private static string Entry(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ContentShorterThanTheLengthPrefixIsRejected(int length)
    {
        ParseFails(new byte[length], $"file is {length} bytes long, shorter than the 8-byte header length prefix");
    }

    [Fact]
    public void HeaderLengthZeroIsRejected()
    {
        ParseFails(SafeTensorsTestBytes.WithDeclaredLength(0, Encoding.UTF8.GetBytes("{}")), "header length is 0");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void HeaderLengthAboveTheLimitIsRejected(ulong declared)
    {
        ParseFails(SafeTensorsTestBytes.WithDeclaredLength(declared, new byte[16]), $"header length {declared} is larger than the maximum of 100000000 bytes");
    }

    [Fact]
    public void HeaderLengthBeyondTheEndIsRejected()
    {
        ParseFails(SafeTensorsTestBytes.WithDeclaredLength(40, Encoding.UTF8.GetBytes("{}      ")), "header length 40 is larger than the 8 bytes that follow");
    }

    [Fact]
    public void ReadChecksTheFileLengthBeforeAllocatingForTheHeader()
    {
        string path = Path.Combine(Path.GetTempPath(), $"carnet-huge-header-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, SafeTensorsTestBytes.WithDeclaredLength(99_999_999, Encoding.UTF8.GetBytes("{}      ")));
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var exception = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(path));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.StartsWith(path + ": header length 99999999 is larger than the 8 bytes", exception.Message);
            Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes");
            File.WriteAllBytes(path, [1, 2, 3]);
            var tooShort = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Read(path));
            Assert.Equal(path + ": file is 3 bytes long, shorter than the 8-byte header length prefix", tooShort.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HeaderThatIsNotUtf8IsRejected()
    {
        byte[] header = [.. Encoding.UTF8.GetBytes("{\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\":1}")];
        ParseFails(SafeTensorsTestBytes.Build(header, []), "header is not valid UTF-8", "header byte 3");
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",}}")]
    [InlineData("{} x")]
    [InlineData("{'w':1}")]
    [InlineData("{/* comment */}")]
    public void HeaderThatIsNotJsonIsRejected(string json)
    {
        HeaderFails(json, 0, "header is not valid JSON");
    }

    [Theory]
    [InlineData("[1,2]", "an array")]
    [InlineData("\"text\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    public void HeaderThatIsNotAnObjectIsRejected(string json, string kind)
    {
        HeaderFails(json, 0, $"header must be a JSON object but is {kind}");
    }

    [Fact]
    public void HeaderNestedTooDeeplyIsRejected()
    {
        HeaderFails("{\"__metadata__\":{\"k\":[[[[[[[[1]]]]]]]]}}", 0, "nested more than 8 levels deep");
        HeaderFails(new string('[', 10_000) + new string(']', 10_000), 0, "nested more than 8 levels deep");
    }

    [Fact]
    public void DuplicateTensorKeysAreRejected()
    {
        string entry = Entry("w", "U8", "[1]", "[0,1]");
        HeaderFails("{" + entry + "," + entry + "}", 1, "duplicate key 'w'");
        HeaderFails("{" + entry + ",\"\\u0077\":{}}", 1, "duplicate key 'w'");
        HeaderFails("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "duplicate key '__metadata__'");
    }

    [Fact]
    public void DuplicateFieldsAndMetadataKeysAreRejected()
    {
        TensorFails("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "w", "duplicate field 'dtype'");
        HeaderFails("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "duplicate key 'k' in '__metadata__'");
    }

    [Theory]
    [InlineData("[0,4]", "an array")]
    [InlineData("\"F32\"", "a string")]
    [InlineData("null", "null")]
    [InlineData("true", "a boolean")]
    public void TensorEntryThatIsNotAnObjectIsRejected(string value, string kind)
    {
        TensorFails("{\"w\":" + value + "}", 0, "w", $"entry must be a JSON object but is {kind}");
    }

    [Theory]
    [InlineData("{\"shape\":[1],\"data_offsets\":[0,1]}", "dtype")]
    [InlineData("{\"dtype\":\"U8\",\"data_offsets\":[0,1]}", "shape")]
    [InlineData("{\"dtype\":\"U8\",\"shape\":[1]}", "data_offsets")]
    public void TensorEntryWithAMissingFieldIsRejected(string entry, string field)
    {
        TensorFails("{\"w\":" + entry + "}", 1, "w", $"missing field '{field}'");
    }

    [Fact]
    public void TensorEntryWithAnExtraFieldIsRejected()
    {
        TensorFails("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"stride\":[1]}}", 1, "w", "unexpected field 'stride'");
    }

    [Theory]
    [InlineData("\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,1]", "field 'dtype' must be a string but is a number")]
    [InlineData("\"dtype\":\"U8\",\"shape\":\"1\",\"data_offsets\":[0,1]", "field 'shape' must be an array of integers but is a string")]
    [InlineData("\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":{\"begin\":0}", "field 'data_offsets' must be an array of two integers but is an object")]
    [InlineData("\"dtype\":\"U8\",\"shape\":[[1]],\"data_offsets\":[0,1]", "dimension 0 of field 'shape' must be an integer but is an array")]
    [InlineData("\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[\"0\",1]", "the begin of field 'data_offsets' must be an integer but is a string")]
    public void TensorEntryWithAWronglyTypedFieldIsRejected(string fields, string expected)
    {
        TensorFails("{\"w\":{" + fields + "}}", 1, "w", expected);
    }

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("f32")]
    [InlineData("U64")]
    public void UnknownDTypeIsRejected(string dtype)
    {
        TensorFails("{" + Entry("w", dtype, "[1]", "[0,1]") + "}", 1, "w", $"unknown dtype '{dtype}'");
    }

    [Theory]
    [InlineData("[2,-1]", "dimension 1 of field 'shape' must not be negative but is -1")]
    [InlineData("[2.5]", "dimension 0 of field 'shape' must be an integer but is 2.5")]
    [InlineData("[1e2]", "dimension 0 of field 'shape' must be an integer but is 1e2")]
    [InlineData("[4.0]", "dimension 0 of field 'shape' must be an integer but is 4.0")]
    [InlineData("[2147483648]", "dimension 0 of field 'shape' is 2147483648, larger than the maximum 2147483647")]
    [InlineData("[99999999999999999999999]", "larger than the maximum 2147483647")]
    public void ShapeWithABadDimensionIsRejected(string shape, string expected)
    {
        TensorFails("{" + Entry("w", "F32", shape, "[0,4]") + "}", 4, "w", expected);
    }

    [Fact]
    public void ShapeWhoseElementCountOrByteSizeOverflowsIsRejected()
    {
        TensorFails("{" + Entry("w", "U8", "[2147483647,2147483647,2147483647]", "[0,1]") + "}", 1, "w",
            "the element count of shape [2147483647,2147483647,2147483647] overflows a 64-bit integer");
        TensorFails("{" + Entry("w", "F64", "[2147483647,2147483647]", "[0,8]") + "}", 8, "w",
            "the byte size of shape [2147483647,2147483647] with dtype F64 overflows a 64-bit integer");
    }

    [Theory]
    [InlineData("[0]", "field 'data_offsets' must hold exactly two integers but holds 1")]
    [InlineData("[]", "field 'data_offsets' must hold exactly two integers but holds 0")]
    [InlineData("[0,4,8]", "field 'data_offsets' must hold exactly two integers but holds more")]
    [InlineData("[-4,0]", "the begin of field 'data_offsets' must not be negative but is -4")]
    [InlineData("[0,4.5]", "the end of field 'data_offsets' must be an integer but is 4.5")]
    [InlineData("[0,9223372036854775808]", "the end of field 'data_offsets' is 9223372036854775808, larger than the maximum 9223372036854775807")]
    [InlineData("[8,4]", "data_offsets [8,4] have begin greater than end")]
    public void BadDataOffsetsAreRejected(string offsets, string expected)
    {
        TensorFails("{" + Entry("w", "F32", "[1]", offsets) + "}", 8, "w", expected);
    }

    [Fact]
    public void ByteRangeOfTheWrongSizeIsRejectedWithAPreciseMessage()
    {
        var exception = TensorFails("{" + Entry("weight_ih_l0", "F32", "[20,3]", "[0,200]") + "}", 200, "weight_ih_l0");

        Assert.Equal(
            "bad.safetensors: tensor 'weight_ih_l0': shape [20,3] with dtype F32 needs 240 bytes but data_offsets [0,200] give 200",
            exception.Message);
    }

    [Fact]
    public void ByteRangeOutsideTheDataBufferIsRejected()
    {
        TensorFails("{" + Entry("w", "F32", "[2]", "[0,8]") + "}", 4, "w", "data_offsets [0,8] lie outside the data buffer, which is 4 bytes long");
    }

    [Fact]
    public void OverlappingByteRangesAreRejected()
    {
        string json = "{" + Entry("a", "F32", "[2]", "[0,8]") + "," + Entry("b", "F32", "[2]", "[4,12]") + "}";
        TensorFails(json, 12, "b", "data_offsets [4,12] overlap those of tensor 'a' [0,8]");

        string empty = "{" + Entry("a", "F32", "[2]", "[0,8]") + "," + Entry("z", "F32", "[0]", "[4,4]") + "}";
        TensorFails(empty, 8, "z", "overlap those of tensor 'a'");
    }

    [Fact]
    public void HolesInTheDataBufferAreRejected()
    {
        string json = "{" + Entry("a", "F32", "[1]", "[0,4]") + "," + Entry("b", "F32", "[1]", "[8,12]") + "}";
        TensorFails(json, 12, "b", "the data buffer has a hole: bytes [4,8)");

        TensorFails("{" + Entry("late", "U8", "[2]", "[2,4]") + "}", 4, "late", "the data buffer has a hole: bytes [0,2)");
    }

    [Fact]
    public void TrailingBytesAfterTheLastTensorAreRejected()
    {
        HeaderFails("{" + Entry("a", "F32", "[1]", "[0,4]") + "}", 8, "4 trailing bytes", "[0,4)");
        HeaderFails("{}", 3, "3 trailing bytes");
    }

    [Theory]
    [InlineData("\"LSTM\"", "'__metadata__' must be a JSON object of strings but is a string")]
    [InlineData("[\"a\"]", "'__metadata__' must be a JSON object of strings but is an array")]
    [InlineData("{\"layers\":2}", "'__metadata__' value of key 'layers' must be a string but is a number")]
    [InlineData("{\"bias\":null}", "'__metadata__' value of key 'bias' must be a string but is null")]
    [InlineData("{\"nested\":{\"a\":\"b\"}}", "'__metadata__' value of key 'nested' must be a string but is an object")]
    public void MetadataThatIsNotAnObjectOfStringsIsRejected(string value, string expected)
    {
        HeaderFails("{\"__metadata__\":" + value + "}", 0, expected);
    }

    [Fact]
    public void EmptyTensorNameIsRejected()
    {
        TensorFails("{" + Entry("", "U8", "[1]", "[0,1]") + "}", 1, "", "tensor names must not be empty");
    }

    [Fact]
    public void StringThatCannotBeDecodedIsRejected()
    {
        HeaderFails("{\"__metadata__\":{\"k\":\"\\ud800\"}}", 0, "cannot be decoded");
    }

    [Fact]
    public void RandomCorruptionsOnlyEverGiveFormatExceptions()
    {
        byte[] valid = SafeTensorsWriter.Serialize(
            [SafeTensor.FromSingle("a", [1f, 2f], 2), SafeTensor.FromInt64("b", [3], 1), SafeTensor.FromHalf("c", [], 0, 4)],
            new Dictionary<string, string> { ["k"] = "v" });
        int headerLength = (int)BitConverter.ToUInt64(valid, 0);
        const string JsonCharacters = "{}[]\":,-.0123456789eE \\u";
        var random = new Random(12345);
        int rejected = 0;
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int position = 8 + random.Next(headerLength);
            switch (random.Next(4))
            {
                case 0: bytes[position] = (byte)random.Next(256); break;
                case 1: bytes[position] = (byte)JsonCharacters[random.Next(JsonCharacters.Length)]; break;
                case 2: bytes[random.Next(8)] = (byte)random.Next(256); break;
                default: Array.Resize(ref bytes, random.Next(bytes.Length)); break;
            }

            try
            {
                SafeTensorsFile.Parse(bytes, "fuzz");
            }
            catch (SafeTensorsFormatException exception)
            {
                Assert.StartsWith("fuzz: ", exception.Message);
                rejected++;
            }
        }

        Assert.True(rejected > 4000, $"only {rejected} corruptions were rejected");
    }

    [Fact]
    public void ValidEdgeCasesAreAccepted()
    {
        SafeTensorsFile empty = SafeTensorsFile.Parse(SafeTensorsTestBytes.Build("{}", 0), Source);
        Assert.Empty(empty.Tensors);

        string json = "  {\"__metadata__\":{\"k\":\"v\"}," + Entry("zero", "F32", "[3,0]", "[4,4]") + ","
            + Entry("scalar", "I32", "[]", "[0,4]") + "," + Entry("tail", "BF16", "[0]", "[4,4]") + "}   ";
        byte[] bytes = SafeTensorsTestBytes.Build(Encoding.UTF8.GetBytes(json), [7, 0, 0, 0]);
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes, Source);

        Assert.Equal(new[] { "zero", "scalar", "tail" }, file.Tensors.Select(t => t.Name));
        Assert.Equal("v", file.Metadata["k"]);
        Assert.Equal(0, file["zero"].ElementCount);
        Assert.Equal(new[] { 3, 0 }, file["zero"].Shape);
        Assert.Equal(new[] { 7 }, file["scalar"].ToInt32Array());
        Assert.Empty(file["tail"].ToSingleArray());
    }
}
