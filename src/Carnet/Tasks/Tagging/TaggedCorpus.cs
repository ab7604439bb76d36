using Carnet.Tasks.Data;

namespace Carnet.Tasks.Tagging;

/// <summary>One sentence: its tokens, their tags when known, and the file line it starts on.</summary>
/// <param name="Tokens">The tokens, in order (at least one).</param>
/// <param name="Tags">One tag per token, or null for raw text.</param>
/// <param name="Line">The 1-based file line of the first token.</param>
public sealed record TaggedSentence(IReadOnlyList<string> Tokens, IReadOnlyList<string>? Tags, int Line);

/// <summary>
/// Sentences read from a file. Two formats, both UTF-8 (a byte-order mark is allowed) with lines ended by LF or CRLF:
/// <list type="bullet">
/// <item>CoNLL (<see cref="ReadConll"/>): one token per line, its fields separated by spaces or tabs; the first field is the
/// token and the last the tag (middle columns, as in CoNLL-2003's four, are ignored). A blank line (or one of only
/// whitespace) ends a sentence. No line is a comment: <c>#</c> is a token like any other (Brown and Penn Treebank tag it).</item>
/// <item>Raw text (<see cref="ReadText"/>): one sentence per line, tokens separated by whitespace; blank lines are skipped.</item>
/// </list>
/// Problems are <see cref="DataFormatException"/>s naming the file and line (and column for encoding errors).
/// </summary>
public sealed class TaggedCorpus
{
    private TaggedCorpus(string source, IReadOnlyList<TaggedSentence> sentences)
    {
        Source = source;
        Sentences = sentences;
        TokenCount = sentences.Sum(s => s.Tokens.Count);
    }

    /// <summary>The file.</summary>
    public string Source { get; }

    /// <summary>The sentences, in file order.</summary>
    public IReadOnlyList<TaggedSentence> Sentences { get; }

    /// <summary>Tokens over all sentences.</summary>
    public int TokenCount { get; }

    /// <summary>Whether every sentence has tags.</summary>
    public bool IsTagged => Sentences.All(s => s.Tags is not null);

    /// <summary>A corpus of the given sentences (a part of another one).</summary>
    public TaggedCorpus Subset(IEnumerable<int> indices) => new(Source, indices.Select(i => Sentences[i]).ToList());

    /// <summary>Reads a CoNLL file (token … tag per line, blank lines between sentences).</summary>
    public static TaggedCorpus ReadConll(string path) => ParseConll(ReadUtf8(path), path);

    /// <summary>Parses CoNLL text; <paramref name="source"/> names it in messages.</summary>
    public static TaggedCorpus ParseConll(string text, string source)
    {
        var sentences = new List<TaggedSentence>();
        var tokens = new List<string>();
        var tags = new List<string>();
        int start = 0;
        string[] lines = text.Split('\n');
        for (int i = 0; i <= lines.Length; i++)
        {
            string[] fields = i < lines.Length ? Fields(lines[i]) : [];
            if (fields.Length == 0)
            {
                if (tokens.Count > 0)
                {
                    sentences.Add(new TaggedSentence(tokens.ToArray(), tags.ToArray(), start));
                    tokens.Clear();
                    tags.Clear();
                }

                continue;
            }

            if (fields.Length == 1)
            {
                throw new DataFormatException(source, i + 1, 0,
                    $"'{CsvTable.Shorten(fields[0])}' has no tag; each line holds a token and its tag separated by whitespace, and a blank line ends a sentence");
            }

            if (tokens.Count == 0)
            {
                start = i + 1;
            }

            tokens.Add(fields[0]);
            tags.Add(fields[^1]);
        }

        return sentences.Count > 0
            ? new TaggedCorpus(source, sentences)
            : throw new DataFormatException(source, 0, 0, "empty file: expected lines of a token and its tag, with a blank line between sentences");
    }

    /// <summary>Reads raw text: one sentence per line, tokens separated by whitespace.</summary>
    public static TaggedCorpus ReadText(string path) => ParseText(ReadUtf8(path), path);

    /// <summary>Parses raw text; <paramref name="source"/> names it in messages.</summary>
    public static TaggedCorpus ParseText(string text, string source)
    {
        var sentences = new List<TaggedSentence>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string[] fields = Fields(lines[i]);
            if (fields.Length > 0)
            {
                sentences.Add(new TaggedSentence(fields, null, i + 1));
            }
        }

        return sentences.Count > 0
            ? new TaggedCorpus(source, sentences)
            : throw new DataFormatException(source, 0, 0, "empty file: expected one sentence per line, tokens separated by spaces");
    }

    /// <summary>A file's text, strictly UTF-8 (an initial byte-order mark dropped); an invalid byte is named by line and column.</summary>
    internal static string ReadUtf8(string path) => Utf8File.Read(path);

    private static string[] Fields(string line) => line.Split([' ', '\t', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
}
