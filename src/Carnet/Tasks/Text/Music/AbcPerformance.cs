namespace Carnet.Tasks.Text.Music;

/// <summary>A sounding note: when it starts and how long it lasts, in whole notes from the tune's start, and its MIDI pitch (60 is middle C).</summary>
/// <param name="Start">Its start, in whole notes.</param>
/// <param name="Duration">Its length, in whole notes.</param>
/// <param name="Pitch">Its MIDI note number.</param>
public sealed record MusicNote(MusicFraction Start, MusicFraction Duration, int Pitch);

/// <summary>
/// Plays a tune: its notes in time, repeats taken (a part between <c>|:</c> and <c>:|</c>, or from the start or the
/// last repeat, played twice; the first variant ending skipped the second time), pitches from the key signature and
/// the accidentals written earlier in the same bar. <c>C</c> is middle C (MIDI 60), <c>c</c> an octave above.
/// </summary>
public static class AbcPerformance
{
    private static readonly int[] Semitones = [0, 2, 4, 5, 7, 9, 11];

    /// <summary>
    /// The longest a tune is played, in whole notes (18 hours at 120 quarter notes a minute): a MIDI file's times between
    /// events stay within its limit of 2^28 ticks.
    /// </summary>
    public const int LongestWholeNotes = 1 << 15;

    /// <summary>
    /// The notes of <paramref name="tune"/> in the order they sound (elements the checker refuses are left out), up to
    /// the first that would end after <see cref="LongestWholeNotes"/> or whose time no longer adds up exactly (which the checker refuses).
    /// </summary>
    public static IReadOnlyList<MusicNote> Notes(AbcTune tune)
    {
        var elements = AbcScanner.Scan(tune.Body, tune.BodyLine).Elements;
        var player = new Player();
        player.Field('L', tune.UnitLength);
        player.Field('K', tune.Key);
        foreach (int index in PlayOrder(elements))
        {
            if (!player.TryAdd(elements[index]) || player.Ended)
            {
                break;
            }
        }

        return player.Notes;
    }

    /// <summary>The elements' indices in the order they are played, repeats and variant endings taken.</summary>
    internal static List<int> PlayOrder(IReadOnlyList<AbcElement> elements)
    {
        var order = new List<int>();
        var taken = new HashSet<int>();
        int repeatStart = 0;
        bool second = false;
        for (int i = 0; i < elements.Count; i++)
        {
            if (elements[i] is AbcBar bar)
            {
                if (bar.Ending == 1 && second)
                {
                    int next = FindEnding(elements, i + 1);
                    if (next < 0)
                    {
                        break;
                    }

                    i = next;
                    bar = (AbcBar)elements[i];
                }

                second &= bar.Ending < 2;
                if (bar.EndsRepeat && taken.Add(i))
                {
                    second = true;
                    i = repeatStart - 1; // back to the part's start
                    continue;
                }

                if (bar.EndsRepeat || bar.StartsRepeat)
                {
                    repeatStart = i + 1;
                    second = false;
                }
            }

            order.Add(i);
        }

        return order;
    }

    private static int FindEnding(IReadOnlyList<AbcElement> elements, int from)
    {
        for (int i = from; i < elements.Count; i++)
        {
            if (elements[i] is AbcBar { Ending: >= 2 })
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Keeps time and pitch: the clock, the key signature, the accidentals of the current bar.</summary>
    private sealed class Player : AbcWalker
    {
        private readonly Dictionary<(int Letter, int Octave), int> barAccidentals = [];
        private int[] key = new int[7];
        private MusicFraction time = MusicFraction.Zero, lastStart = MusicFraction.Zero, lastDuration = MusicFraction.Zero;
        private int lastCount;

        public List<MusicNote> Notes { get; } = [];

        /// <summary>Whether a note or broken rhythm would have ended after <see cref="LongestWholeNotes"/>: it was left out, the tune ends.</summary>
        public bool Ended { get; private set; }

        public void Field(char name, string value)
        {
            if (name == 'L' && AbcFields.TryFraction(value, out var unit))
            {
                Clock.Unit = unit;
            }
            else if (name == 'K' && AbcFields.TryKey(value, out var alterations))
            {
                key = alterations;
            }
        }

        protected override void Sound(IReadOnlyList<AbcNote> notes, MusicFraction duration, AbcElement element)
        {
            Ended = (time + duration).Value > LongestWholeNotes;
            if (Ended)
            {
                return;
            }

            foreach (var note in notes)
            {
                Notes.Add(new MusicNote(time, duration, Pitch(note)));
            }

            (lastStart, lastDuration, lastCount) = (time, duration, notes.Count);
            time += duration;
        }

        protected override void Break(AbcBroken broken)
        {
            var lengthened = Clock.Break(broken, lastDuration);
            Ended = (lastStart + lengthened).Value > LongestWholeNotes;
            if (Ended)
            {
                return;
            }

            for (int i = Notes.Count - lastCount; i < Notes.Count; i++)
            {
                Notes[i] = Notes[i] with { Duration = lengthened };
            }

            (lastDuration, time) = (lengthened, lastStart + lengthened);
        }

        protected override void Bar(AbcBar bar) => barAccidentals.Clear();

        protected override void Field(AbcFieldChange field) => Field(field.Name, field.Value);

        private int Pitch(AbcNote note)
        {
            if (note.Accidental is { } written)
            {
                barAccidentals[(note.Letter, note.Octave)] = written;
            }

            int alteration = barAccidentals.TryGetValue((note.Letter, note.Octave), out int accidental) ? accidental : key[note.Letter];
            return Math.Clamp(60 + (12 * note.Octave) + Semitones[note.Letter] + alteration, 0, 127);
        }
    }
}
