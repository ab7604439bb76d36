namespace Carnet.Tasks.Text.Music;

/// <summary>
/// How long each note of a tune's body lasts, in whole notes: its written length times the unit length, times a
/// tuplet's ratio for the tuplet's notes, times a broken rhythm's share for the note after <c>&gt;</c> or <c>&lt;</c>.
/// Both the checker and the player keep time with it.
/// </summary>
internal sealed class AbcClock
{
    private MusicFraction pending = MusicFraction.One, tupletRatio = MusicFraction.One;
    private int tupletLeft;

    /// <summary>The unit note length (<c>L:</c>).</summary>
    public MusicFraction Unit { get; set; } = MusicFraction.Of(1, 8);

    /// <summary>The duration of the next note, rest or chord of written length <paramref name="length"/>, moving past it.</summary>
    public MusicFraction Next(MusicFraction length)
    {
        var duration = length * Unit * pending * (tupletLeft > 0 ? tupletRatio : MusicFraction.One);
        tupletLeft = Math.Max(0, tupletLeft - 1);
        pending = MusicFraction.One;
        return duration;
    }

    /// <summary>Starts a tuplet: its next notes take the time the tuplet says.</summary>
    public void Start(AbcTuplet tuplet) => (tupletLeft, tupletRatio) = (tuplet.Count, MusicFraction.Of(tuplet.InTimeOf, tuplet.Notes));

    /// <summary>
    /// A broken rhythm after a note that lasted <paramref name="previous"/>: returns that note's new duration (dotted
    /// for <c>&gt;</c>, shortened for <c>&lt;</c>) and makes the next note take the rest of the pair's time.
    /// </summary>
    public MusicFraction Break(AbcBroken broken, MusicFraction previous)
    {
        var shorter = MusicFraction.Of(1, 1L << broken.Count);
        var longer = MusicFraction.Of(2, 1) - shorter;
        var (first, second) = broken.Direction > 0 ? (longer, shorter) : (shorter, longer);
        pending = second;
        return previous * first;
    }
}
