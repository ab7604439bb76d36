namespace Carnet.Tasks.Text.Music;

/// <summary>One element of a tune's body, where it was written (line in the file, column from 1).</summary>
internal abstract record AbcElement(int Line, int Column);

/// <summary>
/// A note: its letter (0–6 for C…B), an explicit accidental (−2…2, 0 a natural) or none, the octave (0 for
/// <c>C</c>…<c>B</c>, 1 for <c>c</c>…<c>b</c>, moved by <c>'</c> and <c>,</c>) and its length in unit lengths.
/// </summary>
internal sealed record AbcNote(int Line, int Column, int Letter, int? Accidental, int Octave, MusicFraction Length) : AbcElement(Line, Column);

/// <summary>A rest (<c>z</c>, or the invisible <c>x</c>) of a length in unit lengths.</summary>
internal sealed record AbcRest(int Line, int Column, MusicFraction Length) : AbcElement(Line, Column);

/// <summary>Notes sounding together (<c>[CEG]2</c>): as long as the first note times the chord's own length.</summary>
internal sealed record AbcChord(int Line, int Column, IReadOnlyList<AbcNote> Notes, MusicFraction Length) : AbcElement(Line, Column)
{
    public MusicFraction Duration => Notes[0].Length * Length;
}

/// <summary>
/// A bar line: whether it ends a repeated part (<c>:|</c>), starts one (<c>|:</c>), both (<c>::</c>), is a
/// double or final bar (<c>||</c>, <c>|]</c>, <c>[|</c>), and the variant ending it opens (<c>|1</c>, <c>:|2</c>, <c>[1</c>), or 0.
/// </summary>
internal sealed record AbcBar(int Line, int Column, bool EndsRepeat, bool StartsRepeat, bool Double, int Ending) : AbcElement(Line, Column)
{
    /// <summary>Whether a part of the tune ends here: a repeat sign or a double bar.</summary>
    public bool EndsSection => EndsRepeat || StartsRepeat || Double;
}

/// <summary>A tuplet <c>(p:q:r</c>: the next r notes take the time of q.</summary>
internal sealed record AbcTuplet(int Line, int Column, int Notes, int InTimeOf, int Count) : AbcElement(Line, Column);

/// <summary>Broken rhythm between two notes: <c>&gt;</c> (Direction 1: the first dotted) or <c>&lt;</c> (−1), repeated Count times.</summary>
internal sealed record AbcBroken(int Line, int Column, int Direction, int Count) : AbcElement(Line, Column);

/// <summary>A field changing the music inside the body: <c>M:</c>, <c>L:</c> or <c>K:</c>, on its own line or inline (<c>[K:D]</c>).</summary>
internal sealed record AbcFieldChange(int Line, int Column, char Name, string Value) : AbcElement(Line, Column);
