using System.Text;

namespace Carnet.Tasks.Text.Music;

/// <summary>
/// One tune of an ABC file, reduced to what a model learns and a player needs: the header fields rhythm (<c>R:</c>),
/// meter (<c>M:</c>), unit note length (<c>L:</c>, made explicit) and key (<c>K:</c>), then the body's music lines
/// and the <c>M:</c>, <c>L:</c>, <c>K:</c> changes and <c>P:</c> part labels among them; comments, titles and other
/// fields are left out.
/// </summary>
public sealed record AbcTune
{
    /// <summary>The file the tune came from (or the name given to the reader).</summary>
    public required string Source { get; init; }

    /// <summary>The line of its <c>X:</c> field, from 1 (0 for a generated tune).</summary>
    public int Line { get; init; }

    /// <summary>Its reference number, the <c>X:</c> field.</summary>
    public int Number { get; init; } = 1;

    /// <summary>Its first title (<c>T:</c>), if any.</summary>
    public string? Title { get; init; }

    /// <summary>The rhythm (<c>R:</c>, lower case: jig, reel, hornpipe…), if known.</summary>
    public string? Rhythm { get; init; }

    /// <summary>The meter as written (<c>6/8</c>, <c>C</c>, <c>C|</c>), or <c>none</c> for free meter.</summary>
    public required string Meter { get; init; }

    /// <summary>The unit note length (<c>1/8</c>): as written, or ABC's default for the meter.</summary>
    public required string UnitLength { get; init; }

    /// <summary>The key (<c>G</c>, <c>Ador</c>, <c>Bb</c>…).</summary>
    public required string Key { get; init; }

    /// <summary>The body's lines, joined by line breaks.</summary>
    public required string Body { get; init; }

    /// <summary>The line of the body's first line in <see cref="Source"/>, from 1 (0 for a generated tune).</summary>
    public int BodyLine { get; init; }

    /// <summary>How messages name the tune: <c>X:3 'The American Dwarf' (jigs.abc:21)</c>.</summary>
    public string Name
    {
        get
        {
            string title = Title is { Length: > 0 } t ? $" '{t}'" : "";
            string where = Line > 0 ? $" ({Path.GetFileName(Source)}:{Line})" : "";
            return $"X:{Number}{title}{where}";
        }
    }

    /// <summary>
    /// The text a model learns from and writes: the header lines <c>R:</c> (when known), <c>M:</c>, <c>L:</c>,
    /// <c>K:</c>, then the body, each line ending with a line break, without <c>X:</c> (a blank line separates tunes).
    /// </summary>
    public string ToTrainingText()
    {
        var text = new StringBuilder();
        if (Rhythm is not null)
        {
            text.Append("R:").Append(Rhythm).Append('\n');
        }

        text.Append("M:").Append(Meter).Append('\n').Append("L:").Append(UnitLength).Append('\n').Append("K:").Append(Key).Append('\n');
        return text.Append(Body).Append('\n').ToString();
    }

    /// <summary>The tune as an ABC file's tune: <c>X:</c> and <c>T:</c> (when titled) before <see cref="ToTrainingText"/>.</summary>
    public string ToAbc()
    {
        string title = Title is { Length: > 0 } t ? $"T:{t}\n" : "";
        return $"X:{Number}\n{title}{ToTrainingText()}";
    }
}
