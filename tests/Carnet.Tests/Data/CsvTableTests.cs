using Carnet.IO;
using Carnet.Tasks.Data;

namespace Carnet.Tests.Data;

/// <summary>The CSV reader: values, quoting, and errors that name file, line and column.</summary>
public sealed class CsvTableTests
{
    [Fact]
    public void ReadsHeaderQuotedFieldsAndNumbers()
    {
        var table = CsvTable.Parse("\uFEFFa,\"b, with comma\",c\r\n1,\"x \"\"y\"\"\",2.5\n\n3,z,-1e3\n".TrimStart('\uFEFF'), "t.csv");
        Assert.Equal(["a", "b, with comma", "c"], table.Header);
        Assert.Equal("x \"y\"", table.Rows[0][1]);
        Assert.Equal([2.5, -1000.0], table.NumericColumn("c"));
        Assert.Equal([2, 4], table.LineNumbers);
    }

    [Fact]
    public void OtherSeparatorsQuoteAsCommasDoExceptTabs()
    {
        var semicolons = CsvTable.Parse("a;b\n\"x; y\";\"\"\"q\"\"\"\n", "t.csv", ';');
        Assert.Equal(["x; y", "\"q\""], semicolons.Rows[0]);
        var tabs = CsvTable.Parse("\n\na\tb\n\"x\ty\"\n", "t.tsv", '\t');
        Assert.Equal(["\"x", "y\""], tabs.Rows[0]);
        Assert.Equal((3, 4), (tabs.HeaderLine, tabs.LineNumbers[0]));
        Assert.Equal('\t', CsvTable.DetectSeparator("\r\n\na\tb,c\n"));
        Assert.Equal(',', CsvTable.DetectSeparator("a,b\n1\t2\n"));
        Assert.Equal(',', CsvTable.DetectSeparator(""));
    }

    [Theory]
    [InlineData("a,b\n1,2\n3\n", "t.csv:3:2: row has 1 fields, the header has 2")]
    [InlineData("a,b\n1,2\n3,x\n", "t.csv:3:2: 'x' in column 'b' is not a finite number")]
    [InlineData("a,b\n1,NaN\n", "t.csv:2:2: 'NaN' in column 'b' is not a finite number")]
    [InlineData("a,b\n1,\"2\n", "t.csv:2:2: a quoted field is not closed")]
    [InlineData("", "t.csv: empty file: expected a header row")]
    [InlineData("a,c\n1,2\n", "t.csv:1: no column 'b'; the columns are a, c")]
    public void BadInputIsNamedByFileLineAndColumn(string text, string message)
    {
        var error = Assert.Throws<DataFormatException>(() => CsvTable.Parse(text, "t.csv").NumericColumn("b"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void InvalidUtf8AndMissingFilesAreReported()
    {
        string path = Path.Combine(Path.GetTempPath(), $"carnet-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, [(byte)'a', (byte)'\n', 0xC3, 0x28]);
        try
        {
            Assert.Equal($"{path}:2:1: not valid UTF-8 text (byte 0xC3 at byte offset 2); save the file as UTF-8",
                Assert.Throws<DataFormatException>(() => CsvTable.Read(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.EndsWith("missing.csv: file not found", Assert.Throws<InputFileException>(() => CsvTable.Read("missing.csv")).Message);
    }
}
