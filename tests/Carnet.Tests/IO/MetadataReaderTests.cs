using Carnet.IO;

namespace Carnet.Tests.IO;

/// <summary>
/// The one reader of safetensors metadata: prefixes and sections, every kind of value, and every error naming the file,
/// the full key and what was expected; the writer's forms read back exactly.
/// </summary>
public sealed class MetadataReaderTests
{
    private const string File = "m.safetensors";

    private static readonly Dictionary<string, string> Metadata = new(StringComparer.Ordinal)
    {
        ["format"] = "carnet-test",
        ["format_version"] = "1",
        ["size"] = "7",
        ["preprocessing.task"] = "forecast",
        ["preprocessing.window"] = "24",
        ["preprocessing.time"] = "",
        ["preprocessing.scaling.mean"] = "2.5",
        ["preprocessing.scaling.deviation"] = "0.5",
        ["trainer.best_epoch"] = "none",
    };

    [Fact]
    public void APrefixIsPutBeforeEveryKeyAndNamedInErrors()
    {
        var reader = new MetadataReader(Metadata, File, "preprocessing.");
        Assert.Equal("preprocessing.", reader.Prefix);
        Assert.Equal(File, reader.Source);
        Assert.Equal("preprocessing.window", reader.Key("window"));
        Assert.Equal(24, reader.Integer("window", 1));
        Assert.Equal("forecast", reader.Text("task"));
        Assert.True(reader.Contains("task"));
        Assert.False(reader.Contains("size")); // a key outside the prefix is not seen
        Assert.Null(reader.OptionalText("size"));
        Assert.Equal("m.safetensors: metadata has no 'preprocessing.size'; this kind of model needs it",
            Assert.Throws<SafeTensorsFormatException>(() => reader.Text("size")).Message);
    }

    [Fact]
    public void ARootReaderReadsWholeKeysAndSaysWhoNeedsAMissingOne()
    {
        var reader = new MetadataReader(Metadata, File, requiredBy: "a Carnet model file");
        Assert.Equal(7, reader.Integer("size", 1));
        Assert.Equal("forecast", reader.Text("preprocessing.task"));
        Assert.Equal("m.safetensors: metadata has no 'rnn.hidden_size'; a Carnet model file needs it",
            Assert.Throws<SafeTensorsFormatException>(() => reader.Integer("rnn.hidden_size", 1)).Message);
    }

    [Fact]
    public void ASectionLengthensThePrefixAndKeepsOrReplacesWhoNeedsIt()
    {
        var root = new MetadataReader(Metadata, File, requiredBy: "a Carnet model file");
        var scaling = root.Section("preprocessing.").Section("scaling.");
        Assert.Equal("preprocessing.scaling.", scaling.Prefix);
        Assert.Equal(2.5, scaling.Number("mean"));
        Assert.Equal("m.safetensors: metadata has no 'preprocessing.scaling.lag'; a Carnet model file needs it",
            Assert.Throws<SafeTensorsFormatException>(() => scaling.Text("lag")).Message);
        var trainer = root.Section("trainer.", "a Carnet checkpoint");
        Assert.Equal("m.safetensors: metadata has no 'trainer.stopped'; a Carnet checkpoint needs it",
            Assert.Throws<SafeTensorsFormatException>(() => trainer.Boolean("stopped")).Message);
    }

    [Fact]
    public void EntriesAlreadyTakenOutOfAFileAreReadWithTheirPrefixNamedInErrors()
    {
        var settings = new MetadataReader(Metadata, File, "preprocessing.").Entries();
        Assert.Equal(["scaling.deviation", "scaling.mean", "task", "time", "window"], settings.Keys.Order(StringComparer.Ordinal));
        var reader = MetadataReader.ForEntries(settings, File, "preprocessing.");
        Assert.Equal("preprocessing.", reader.Prefix);
        Assert.Equal(24, reader.Integer("window", 1));
        Assert.Equal("m.safetensors: metadata 'preprocessing.window' is '24'; expected an integer from 1 to 12",
            Assert.Throws<SafeTensorsFormatException>(() => reader.Integer("window", 1, 12)).Message);
        var scaling = reader.Section("scaling.");
        Assert.Equal(0.5, scaling.PositiveNumber("deviation"));
        Assert.Equal(new Dictionary<string, string> { ["deviation"] = "0.5", ["mean"] = "2.5" }, scaling.Entries());
        Assert.Equal("m.safetensors: metadata has no 'preprocessing.scaling.lag'; a test needs it",
            Assert.Throws<SafeTensorsFormatException>(() => MetadataReader.ForEntries(settings, File, "preprocessing.", "a test").Section("scaling.").Text("lag")).Message);
    }

    [Fact]
    public void EntriesOfTheRootAreTheWholeMap()
    {
        var entries = new MetadataReader(Metadata, File).Entries();
        Assert.Equal(Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), entries.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Empty(new MetadataReader(Metadata, File, "note.").Entries());
    }

    [Fact]
    public void TextCanBeOptionalOrStandForNullWhenEmpty()
    {
        var reader = new MetadataReader(Metadata, File, "preprocessing.");
        Assert.Null(reader.NullableText("time"));
        Assert.Equal("forecast", reader.NullableText("task"));
        Assert.Equal("", reader.Text("time"));
        Assert.Throws<SafeTensorsFormatException>(() => reader.NullableText("absent")); // present, even when empty
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void BooleansAreTrueOrFalse(string text, bool expected)
        => Assert.Equal(expected, Read(text).Boolean("k"));

    [Theory]
    [InlineData("0", 0, 0)]
    [InlineData("16777216", 16777216, 0)]
    [InlineData("3", 3, 3)]
    public void IntegersAreDecimalDigitsInRange(string text, int expected, int minimum)
        => Assert.Equal(expected, Read(text).Integer("k", minimum));

    [Theory]
    [InlineData("none", null)]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    public void AnIntegerOrNone(string text, int? expected)
        => Assert.Equal(expected, Read(text).IntegerOrNone("k", 0));

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("-1e-300", -1e-300)]
    [InlineData("1E+3", 1000)]
    public void NumbersAreFiniteInvariantDoubles(string text, double expected)
        => Assert.Equal(expected, Read(text).Number("k"));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.999", 0.999)]
    public void ANumberInAHalfOpenRange(string text, double expected)
        => Assert.Equal(expected, Read(text).Number("k", 0, 1));

    [Fact]
    public void ANumberOrNoneTakesAnyRecordedValue()
    {
        Assert.Null(Read("none").NumberOrNone("k"));
        Assert.Equal(1.5, Read("1.5").NumberOrNone("k"));
        Assert.True(double.IsNaN(Read("NaN").NumberOrNone("k")!.Value));
        Assert.Equal(double.PositiveInfinity, Read("Infinity").NumberOrNone("k"));
    }

    [Fact]
    public void ListsAreSpaceSeparatedAndAnEmptyEntryIsAnEmptyList()
    {
        Assert.Equal([1, -2.5, 3e-7], Read("1 -2.5 3e-7").Numbers("k"));
        Assert.Empty(Read("").Numbers("k"));
        Assert.Equal([0.5, 2], Read("0.5 2").PositiveNumbers("k"));
        Assert.Equal([3, 0, 16777216], Read("3 0 16777216").Integers("k", 0));
        Assert.Empty(Read("").Integers("k", 0));
    }

    [Fact]
    public void StringsAreAJsonArray()
    {
        Assert.Equal(["a", "b \"c\"", "é"], Read("[\"a\",\"b \\\"c\\\"\",\"\\u00e9\"]").Strings("k"));
        Assert.Empty(Read("[]").Strings("k"));
    }

    [Fact]
    public void AChoiceMapsNamesToValues()
    {
        Assert.Equal(DayOfWeek.Monday, Read("mon").Choice("k", ("sun", DayOfWeek.Sunday), ("mon", DayOfWeek.Monday)));
        Assert.Equal(3, Read("c").Choice("k", ("a", 1), ("b", 2), ("c", 3)));
    }

    [Theory]
    [InlineData("boolean", "yes", "'true' or 'false'")]
    [InlineData("boolean", "True", "'true' or 'false'")]
    [InlineData("integer", "-1", "an integer from 1 to 16777216")]
    [InlineData("integer", "+1", "an integer from 1 to 16777216")]
    [InlineData("integer", " 1", "an integer from 1 to 16777216")]
    [InlineData("integer", "0", "an integer from 1 to 16777216")]
    [InlineData("integer", "16777217", "an integer from 1 to 16777216")]
    [InlineData("integer", "2147483648", "an integer from 1 to 16777216")]
    [InlineData("integer or none", "None", "'none' or an integer from 1 to 16777216")]
    [InlineData("number", "abc", "a finite number")]
    [InlineData("number", "1,5", "a finite number")]
    [InlineData("number", "NaN", "a finite number")]
    [InlineData("number", "-Infinity", "a finite number")]
    [InlineData("number in range", "1", "a number in [0, 1)")]
    [InlineData("number in range", "-0.5", "a number in [0, 1)")]
    [InlineData("number in range", "NaN", "a number in [0, 1)")]
    [InlineData("positive number", "0", "a positive number")]
    [InlineData("positive number", "Infinity", "a finite number")]
    [InlineData("number or none", "nothing", "'none' or a number")]
    [InlineData("strings", "[1]", "a JSON array of strings")]
    [InlineData("strings", "[null]", "a JSON array of strings")]
    [InlineData("strings", "\"a\"", "a JSON array of strings")]
    [InlineData("strings", "[\"a\"", "a JSON array of strings")]
    [InlineData("choice of two", "hmm", "crf or softmax")]
    [InlineData("choice of three", "GRU ", "one of LSTM, GRU, RNN")]
    public void AMalformedValueIsNamedWithItsFileKeyAndWhatWasExpected(string kind, string text, string expected)
    {
        var error = Assert.Throws<SafeTensorsFormatException>(() => ReadAs(kind, Read(text, "section.")));
        Assert.Equal($"m.safetensors: metadata 'section.k' is '{text}'; expected {expected}", error.Message);
        Assert.Equal(File, error.SourceName);
    }

    [Theory]
    [InlineData("numbers", "1 x 3", "x", "space-separated finite numbers")]
    [InlineData("numbers", "1 NaN", "NaN", "space-separated finite numbers")]
    [InlineData("positive numbers", "1 0 1", "0", "space-separated positive numbers")]
    [InlineData("positive numbers", "1 -2", "-2", "space-separated positive numbers")]
    [InlineData("integers", "3 -1", "-1", "space-separated integers from 0 to 10")]
    [InlineData("integers", "3 11", "11", "space-separated integers from 0 to 10")]
    public void AMalformedListNamesTheItemThatIsWrong(string kind, string text, string item, string expected)
    {
        var error = Assert.Throws<SafeTensorsFormatException>(() => ReadAs(kind, Read(text, "section.")));
        Assert.Equal($"m.safetensors: metadata 'section.k' is '{item}'; expected {expected}", error.Message);
    }

    [Theory]
    [InlineData("boolean")]
    [InlineData("integer")]
    [InlineData("integer or none")]
    [InlineData("number")]
    [InlineData("number in range")]
    [InlineData("positive number")]
    [InlineData("number or none")]
    [InlineData("numbers")]
    [InlineData("positive numbers")]
    [InlineData("integers")]
    [InlineData("strings")]
    [InlineData("choice of two")]
    [InlineData("text")]
    public void AMissingValueIsNamedWithItsFileAndKey(string kind)
    {
        var reader = new MetadataReader(new Dictionary<string, string>(), File, "section.", "a test file");
        var error = Assert.Throws<SafeTensorsFormatException>(() => ReadAs(kind, reader));
        Assert.Equal("m.safetensors: metadata has no 'section.k'; a test file needs it", error.Message);
    }

    [Fact]
    public void ALongMalformedListIsShortenedInTheError()
    {
        string text = "[" + string.Join(",", Enumerable.Repeat("1", 30)) + "]";
        var error = Assert.Throws<SafeTensorsFormatException>(() => Read(text).Strings("k"));
        Assert.Equal($"m.safetensors: metadata 'k' is '{text[..40]}…'; expected a JSON array of strings", error.Message);
    }

    [Fact]
    public void TheFormatAndItsVersionAreChecked()
    {
        new MetadataReader(Metadata, File).RequireFormat("carnet-test", 1, "test");
        Assert.Equal("m.safetensors: not a Carnet model file (metadata 'format' is 'carnet-test', expected 'carnet-sequence-model')",
            Assert.Throws<SafeTensorsFormatException>(() => new MetadataReader(Metadata, File).RequireFormat("carnet-sequence-model", 1, "model")).Message);
        Assert.Equal("m.safetensors: not a Carnet tagger file (metadata 'format' is 'absent', expected 'carnet-tagger')",
            Assert.Throws<SafeTensorsFormatException>(() => new MetadataReader(new Dictionary<string, string>(), File).RequireFormat("carnet-tagger", 1, "tagger")).Message);
        Assert.Equal("m.safetensors: format_version '1' is not supported; this Carnet reads version 2",
            Assert.Throws<SafeTensorsFormatException>(() => new MetadataReader(Metadata, File).RequireFormat("carnet-test", 2, "test")).Message);
        var unversioned = new Dictionary<string, string> { ["format"] = "carnet-test" };
        Assert.Equal("m.safetensors: metadata has no 'format_version'; a test file needs it",
            Assert.Throws<SafeTensorsFormatException>(() => new MetadataReader(unversioned, File, requiredBy: "a test file").RequireFormat("carnet-test", 1, "test")).Message);
    }

    [Fact]
    public void WhatTheWriterWritesIsReadBackBitForBit()
    {
        double[] numbers = [1.0 / 3, -0.0, 1e-310, double.MaxValue, 0.1 + 0.2, -7];
        int[] integers = [0, 5, int.MaxValue];
        string[] names = ["a b", "\"quoted\"", "\\", "é\u0001", ""];
        var metadata = new Dictionary<string, string>
        {
            ["flag"] = MetadataWriter.Boolean(true),
            ["off"] = MetadataWriter.Boolean(false),
            ["size"] = MetadataWriter.Integer(42),
            ["rate"] = MetadataWriter.Number(0.1),
            ["numbers"] = MetadataWriter.Numbers(numbers),
            ["integers"] = MetadataWriter.Integers(integers),
            ["names"] = MetadataWriter.Strings(names),
            ["none"] = MetadataWriter.Numbers([]),
        };
        var reader = new MetadataReader(metadata, File);
        Assert.True(reader.Boolean("flag"));
        Assert.False(reader.Boolean("off"));
        Assert.Equal(42, reader.Integer("size", 0));
        Assert.Equal(0.1, reader.Number("rate"));
        Assert.Equal(numbers.Select(BitConverter.DoubleToInt64Bits), reader.Numbers("numbers").Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(integers, reader.Integers("integers", 0, int.MaxValue));
        Assert.Equal(names, reader.Strings("names"));
        Assert.Empty(reader.Numbers("none"));
        Assert.Equal("0.30000000000000004 -7", MetadataWriter.Numbers([0.1 + 0.2, -7]));
        Assert.Equal("[\"a\",\"b\"]", MetadataWriter.Strings(["a", "b"]));
    }

    private static MetadataReader Read(string text, string prefix = "")
        => new(new Dictionary<string, string> { [prefix + "k"] = text }, File, prefix);

    private static object? ReadAs(string kind, MetadataReader reader) => kind switch
    {
        "boolean" => reader.Boolean("k"),
        "integer" => reader.Integer("k", 1),
        "integer or none" => reader.IntegerOrNone("k", 1),
        "number" => reader.Number("k"),
        "number in range" => reader.Number("k", 0, 1),
        "positive number" => reader.PositiveNumber("k"),
        "number or none" => reader.NumberOrNone("k"),
        "numbers" => reader.Numbers("k"),
        "positive numbers" => reader.PositiveNumbers("k"),
        "integers" => reader.Integers("k", 0, 10),
        "strings" => reader.Strings("k"),
        "choice of two" => reader.Choice("k", ("crf", 1), ("softmax", 2)),
        "choice of three" => reader.Choice("k", ("LSTM", 1), ("GRU", 2), ("RNN", 3)),
        "text" => reader.Text("k"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
