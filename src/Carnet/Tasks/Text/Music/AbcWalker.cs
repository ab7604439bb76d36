namespace Carnet.Tasks.Text.Music;

/// <summary>
/// Goes through a tune's elements keeping time with an <see cref="AbcClock"/>: each note, chord or rest is handed on
/// with its duration in whole notes; tuplets are the clock's; broken rhythm, bar lines and field changes are the
/// walker's own (the checker adds up bars, the player keeps pitches).
/// </summary>
internal abstract class AbcWalker
{
    protected AbcClock Clock { get; } = new();

    /// <summary>
    /// Hands <paramref name="element"/> on; false when its time no longer fits exact 64-bit fractions (lengths divided
    /// ever more finely, such as /4093 then /4091, or multiplied past any tune's length): the walk cannot go on.
    /// </summary>
    public bool TryAdd(AbcElement element) => Exactly(() => Add(element));

    /// <summary>Runs <paramref name="step"/>; false when a duration it adds up overflowed (<see cref="MusicFraction"/>'s arithmetic is checked).</summary>
    protected static bool Exactly(Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private void Add(AbcElement element)
    {
        switch (element)
        {
            case AbcNote note:
                Sound([note], Clock.Next(note.Length), element);
                break;
            case AbcChord chord:
                Sound(chord.Notes, Clock.Next(chord.Duration), element);
                break;
            case AbcRest rest:
                Sound([], Clock.Next(rest.Length), element);
                break;
            case AbcTuplet tuplet:
                Clock.Start(tuplet);
                break;
            case AbcBroken broken:
                Break(broken);
                break;
            case AbcBar bar:
                Bar(bar);
                break;
            case AbcFieldChange field:
                Field(field);
                break;
        }
    }

    /// <summary>A note, chord (its notes) or rest (no notes) lasting <paramref name="duration"/>.</summary>
    protected abstract void Sound(IReadOnlyList<AbcNote> notes, MusicFraction duration, AbcElement element);

    protected abstract void Break(AbcBroken broken);

    protected abstract void Bar(AbcBar bar);

    protected abstract void Field(AbcFieldChange field);
}
