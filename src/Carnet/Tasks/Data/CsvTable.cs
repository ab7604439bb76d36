using System.Globalization;
using System.Text;

namespace Carnet.Tasks.Data;

/// <summary>A CSV or user-data problem, with the file, line and column it concerns, for one clear message.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the error; the message reads <c>file:line:column: problem</c>.</summary>
    public DataFormatException(string file, int line, int column, string problem)
        : base(column > 0 ? $"{file}:{line}:{column}: {problem}" : line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>The file.</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 for the whole file.</summary>
    public int Line { get; }

    /// <summary>The 1-based column (field number), or 0.</summary>
    public int Column { get; }
}

/// <summary>
/// A CSV file with a header row, read strictly: UTF-8 (a BOM is allowed), comma-separated unless another separator is
/// given, double-quoted fields may hold the separator and doubled quotes (RFC 4180), every row has the header's field
/// count. Tab-separated text has no quoting (a quote is an ordinary character there, as in IANA's
/// <c>text/tab-separated-values</c>). Errors name file, line and column.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string source, string[] header, int headerLine, List<string[]> rows, List<int> lineNumbers)
    {
        Source = source;
        Header = header;
        HeaderLine = headerLine;
        Rows = rows;
        LineNumbers = lineNumbers;
    }

    /// <summary>The file path.</summary>
    public string Source { get; }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The file line of the header (1-based): the first line that is not empty.</summary>
    public int HeaderLine { get; }

    /// <summary>The data rows, each with one field per column.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>The file line of each data row (1-based), for messages.</summary>
    public IReadOnlyList<int> LineNumbers { get; }

    /// <summary>Reads and checks a file whose fields <paramref name="separator"/> separates.</summary>
    public static CsvTable Read(string path, char separator = ',') => Parse(Utf8File.Read(path), path, separator);

    /// <summary>Reads and checks a file, tab-separated if its header line has a tab, else comma-separated (<see cref="DetectSeparator"/>).</summary>
    public static CsvTable ReadDetectingSeparator(string path)
    {
        string text = Utf8File.Read(path);
        return Parse(text, path, DetectSeparator(text));
    }

    /// <summary>A tab when the first line that is not empty (the header) has one, else a comma.</summary>
    public static char DetectSeparator(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (!line.IsEmpty)
            {
                return line.Contains('\t') ? '\t' : ',';
            }
        }

        return ',';
    }

    /// <summary>Parses text whose fields <paramref name="separator"/> separates; <paramref name="source"/> names it in messages.</summary>
    public static CsvTable Parse(string text, string source, char separator = ',')
    {
        var lines = text.Split('\n');
        string[]? header = null;
        int headerLine = 0;
        var rows = new List<string[]>();
        var numbers = new List<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = SplitLine(line, source, i + 1, separator);
            if (header is null)
            {
                header = fields.Select(f => f.Trim()).ToArray();
                headerLine = i + 1;
                continue;
            }

            if (fields.Length != header.Length)
            {
                throw new DataFormatException(source, i + 1, Math.Min(fields.Length, header.Length) + 1,
                    $"row has {fields.Length} fields, the header has {header.Length}");
            }

            rows.Add(fields);
            numbers.Add(i + 1);
        }

        if (header is null)
        {
            throw new DataFormatException(source, 0, 0, "empty file: expected a header row");
        }

        return new CsvTable(source, header, headerLine, rows, numbers);
    }

    /// <summary>The 0-based index of a column, or a clear error listing the columns there are.</summary>
    public int ColumnIndex(string name)
    {
        int index = Array.IndexOf((string[])Header, name);
        if (index >= 0)
        {
            return index;
        }

        string hint = Header.Count == 1 && Header[0].IndexOfAny([';', '\t', '|']) is int at and >= 0
            ? $" (one column: is the separator '{(Header[0][at] == '\t' ? "\\t" : Header[0][at].ToString())}'? Carnet reads comma-separated files)"
            : "";
        throw new DataFormatException(Source, HeaderLine, 0, $"no column '{name}'; the columns are {string.Join(", ", Header)}{hint}");
    }

    /// <summary>A column's values as finite numbers (invariant culture), or an error naming the cell.</summary>
    public double[] NumericColumn(string name)
    {
        int column = ColumnIndex(name);
        var values = new double[Rows.Count];
        for (int r = 0; r < Rows.Count; r++)
        {
            string cell = Rows[r][column].Trim();
            if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                throw new DataFormatException(Source, LineNumbers[r], column + 1, $"'{Shorten(cell)}' in column '{name}' is not a finite number");
            }

            values[r] = value;
        }

        return values;
    }

    /// <summary>A cell as messages quote it: at most 40 characters, with the length of a longer one.</summary>
    public static string Shorten(string cell) => cell.Length <= 40 ? cell : $"{cell[..40]}… ({cell.Length} characters)";

    private static string[] SplitLine(string line, string source, int lineNumber, char separator)
    {
        if (separator == '\t')
        {
            return line.Split('\t');
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new DataFormatException(source, lineNumber, fields.Count + 1, "a quoted field is not closed");
        }

        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
