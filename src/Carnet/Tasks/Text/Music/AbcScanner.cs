using System.Globalization;

namespace Carnet.Tasks.Text.Music;

/// <summary>
/// Cuts a tune's body into <see cref="AbcElement"/>s: notes, rests, chords, bar lines and variant endings, tuplets,
/// broken rhythm and field changes. Chord symbols and annotations in quotes, decorations, slurs, ties, grace notes
/// and line continuations are read past. Anything else is a problem at its line and column.
/// </summary>
internal sealed class AbcScanner
{
    private const string Decorations = "~.HLMOPSTuv";
    private readonly string text;
    private readonly List<AbcElement> elements = [];
    private readonly List<(int Line, int Column, string Message)> problems = [];
    private readonly int firstLine;
    private int position, line, lineStart;

    private AbcScanner(string body, int firstLine)
    {
        text = body;
        this.firstLine = firstLine;
    }

    /// <summary>The elements of a body whose first line is line <paramref name="firstLine"/> of its file, and the problems found.</summary>
    public static (IReadOnlyList<AbcElement> Elements, IReadOnlyList<(int Line, int Column, string Message)> Problems) Scan(string body, int firstLine)
    {
        var scanner = new AbcScanner(body, firstLine);
        scanner.Run();
        return (scanner.elements, scanner.problems);
    }

    private int Line => firstLine + line;

    private int Column => position - lineStart + 1;

    private char Peek(int ahead = 0) => position + ahead < text.Length ? text[position + ahead] : '\0';

    private void Run()
    {
        while (position < text.Length)
        {
            if (Column == 1 && Peek(1) == ':' && char.IsAsciiLetter(Peek()))
            {
                FieldLine();
                continue;
            }

            char c = Peek();
            int column = Column;
            switch (c)
            {
                case '\n':
                    position++;
                    line++;
                    lineStart = position;
                    break;
                case ' ' or '\t' or '\\' or '`' or ')' or '-':
                    position++;
                    break;
                case '"':
                    SkipTo('"', "a chord symbol or annotation in quotes is not closed");
                    break;
                case '!' or '+':
                    SkipTo(c, $"a decoration starting with '{c}' is not closed on its line");
                    break;
                case '{':
                    SkipTo('}', "grace notes in braces are not closed");
                    break;
                case '(':
                    Parenthesis();
                    break;
                case '>' or '<':
                    Broken(c, column);
                    break;
                case '|' or ':':
                    BarLine(column);
                    break;
                case '[':
                    Bracket(column);
                    break;
                case 'z' or 'x':
                    position++;
                    elements.Add(new AbcRest(Line, column, Length()));
                    break;
                default:
                    if (Decorations.Contains(c, StringComparison.Ordinal))
                    {
                        position++;
                    }
                    else if (TryNote(out var note))
                    {
                        elements.Add(note);
                    }
                    else
                    {
                        problems.Add((Line, column, $"'{c}' is not ABC music this checker reads"));
                        position++;
                    }

                    break;
            }
        }
    }

    private void FieldLine()
    {
        int end = text.IndexOf('\n', position);
        end = end < 0 ? text.Length : end;
        char name = text[position];
        elements.Add(new AbcFieldChange(Line, Column, name, text[(position + 2)..end].Trim()));
        position = end;
    }

    private void SkipTo(char close, string problem)
    {
        int end = text.IndexOf(close, position + 1);
        int lineEnd = text.IndexOf('\n', position + 1);
        if (end < 0 || (lineEnd >= 0 && lineEnd < end))
        {
            problems.Add((Line, Column, problem));
            position = lineEnd < 0 ? text.Length : lineEnd;
            return;
        }

        position = end + 1;
    }

    private void Parenthesis()
    {
        int column = Column;
        position++;
        if (!char.IsAsciiDigit(Peek()))
        {
            return; // a slur
        }

        int p = Number();
        int? q = null, r = null;
        if (Peek() == ':')
        {
            position++;
            q = char.IsAsciiDigit(Peek()) ? Number() : null;
            if (Peek() == ':')
            {
                position++;
                r = char.IsAsciiDigit(Peek()) ? Number() : null;
            }
        }

        if (p is < 2 or > 9)
        {
            problems.Add((Line, column, $"a tuplet of {p} notes; tuplets have 2 to 9"));
            return;
        }

        elements.Add(new AbcTuplet(Line, column, p, q ?? DefaultInTimeOf(p), r ?? p));
    }

    // (2 and (4, (8: in the time of 3; (3, (6: of 2; (5, (7, (9: of 2 (this checker does not tell compound meters here: ABC says 3 for them)
    private static int DefaultInTimeOf(int p) => p is 2 or 4 or 8 ? 3 : 2;

    private void Broken(char c, int column)
    {
        int count = 0;
        while (Peek() == c)
        {
            count++;
            position++;
        }

        elements.Add(new AbcBroken(Line, column, c == '>' ? 1 : -1, Math.Min(count, 3)));
    }

    private void BarLine(int column)
    {
        int start = position;
        while (Peek() is '|' or ':' || (Peek() == ']' && position > start && text[position - 1] == '|'))
        {
            position++;
        }

        string bar = text[start..position];
        if (!bar.Contains('|', StringComparison.Ordinal) && bar != "::")
        {
            problems.Add((Line, column, $"'{bar}' is not a bar line"));
            return;
        }

        int ending = char.IsAsciiDigit(Peek()) && !bar.EndsWith(':') ? Number() : 0;
        elements.Add(new AbcBar(Line, column, bar.StartsWith(':'), bar.EndsWith(':'), bar.Contains("||", StringComparison.Ordinal) || bar.EndsWith(']'), ending));
    }

    private void Bracket(int column)
    {
        if (char.IsAsciiDigit(Peek(1)))
        {
            position++;
            elements.Add(new AbcBar(Line, column, false, false, false, Number())); // a variant ending after a bar line
            return;
        }

        if (Peek(1) == '|')
        {
            position += 2;
            elements.Add(new AbcBar(Line, column, false, false, true, 0));
            return;
        }

        if (char.IsAsciiLetter(Peek(1)) && Peek(2) == ':')
        {
            int end = text.IndexOf(']', position);
            int lineEnd = text.IndexOf('\n', position);
            if (end < 0 || (lineEnd >= 0 && lineEnd < end))
            {
                problems.Add((Line, column, "an inline field in brackets is not closed"));
                position = lineEnd < 0 ? text.Length : lineEnd;
                return;
            }

            elements.Add(new AbcFieldChange(Line, column, Peek(1), text[(position + 3)..end].Trim()));
            position = end + 1;
            return;
        }

        Chord(column);
    }

    private void Chord(int column)
    {
        position++;
        var notes = new List<AbcNote>();
        while (Peek() != ']')
        {
            if (TryNote(out var note))
            {
                notes.Add(note);
            }
            else if (Peek() is '\n' or '\0' || !(Peek() is '-' or ' ' || Decorations.Contains(Peek(), StringComparison.Ordinal)))
            {
                problems.Add((Line, Column, Peek() is '\n' or '\0' ? "a chord in brackets is not closed" : $"'{Peek()}' inside a chord"));
                return;
            }
            else
            {
                position++;
            }
        }

        position++;
        var length = Length();
        if (notes.Count == 0)
        {
            problems.Add((Line, column, "an empty chord"));
            return;
        }

        elements.Add(new AbcChord(Line, column, notes, length));
    }

    private bool TryNote(out AbcNote note)
    {
        note = null!;
        int start = position, column = Column;
        int? accidental = null;
        while (Peek() is '^' or '_' or '=')
        {
            accidental = (accidental ?? 0) + (Peek() == '^' ? 1 : Peek() == '_' ? -1 : 0);
            position++;
        }

        char letter = Peek();
        int index = "CDEFGAB".IndexOf(char.ToUpperInvariant(letter), StringComparison.Ordinal);
        if (index < 0 || !char.IsAsciiLetter(letter))
        {
            position = start;
            return false;
        }

        position++;
        int octave = char.IsAsciiLetterLower(letter) ? 1 : 0;
        for (; Peek() is '\'' or ','; position++)
        {
            octave += Peek() == '\'' ? 1 : -1;
        }

        note = new AbcNote(Line, column, index, accidental is { } a ? Math.Clamp(a, -2, 2) : null, octave, Length());
        return true;
    }

    /// <summary>A length after a note, rest or chord: <c>2</c>, <c>3/2</c>, <c>/</c> (a half), <c>//</c>, <c>/4</c>; 1 when none.</summary>
    private MusicFraction Length()
    {
        int column = Column;
        long numerator = char.IsAsciiDigit(Peek()) ? Number() : 1, denominator = 1;
        while (Peek() == '/')
        {
            position++;
            denominator *= char.IsAsciiDigit(Peek()) ? Number() : 2;
            denominator = Math.Min(denominator, 1 << 12);
        }

        if (numerator == 0 || denominator == 0)
        {
            problems.Add((Line, column, "a length of 0"));
            return MusicFraction.One;
        }

        return MusicFraction.Of(numerator, denominator);
    }

    private int Number()
    {
        int start = position;
        while (char.IsAsciiDigit(Peek()) && position - start < 4)
        {
            position++;
        }

        return int.Parse(text.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
