using System.Globalization;

namespace Carnet.Tasks.Text.Music;

/// <summary>A problem the checker found: the bar (from 1; 0 for the header or a whole tune), where it is, and what is wrong.</summary>
/// <param name="Bar">The bar, from 1, counting bars that hold music; 0 when the problem is not in a bar.</param>
/// <param name="Line">The line in the tune's file (or in the printed tune, for a generated one); 0 for the header.</param>
/// <param name="Column">The column, from 1; 0 when the problem is a whole bar or field.</param>
/// <param name="Message">What is wrong.</param>
public sealed record AbcProblem(int Bar, int Line, int Column, string Message);

/// <summary>The checker's verdict on one tune.</summary>
/// <param name="Tune">The tune.</param>
/// <param name="Problems">What is wrong with it, in order; empty when it is well formed.</param>
/// <param name="Bars">The bars holding music.</param>
/// <param name="Notes">The notes and chords.</param>
public sealed record AbcVerdict(AbcTune Tune, IReadOnlyList<AbcProblem> Problems, int Bars, int Notes)
{
    /// <summary>Whether the tune is well formed.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>One line per problem: <c>X:3 'Title' (jigs.abc:21), bar 5 (line 24): …</c>.</summary>
    public IEnumerable<string> Lines() => Problems.Select(p =>
    {
        string bar = p.Bar > 0 ? $", bar {p.Bar}" : "";
        string where = p.Line > 0 ? p.Column > 0 ? $" (line {p.Line}, column {p.Column})" : $" (line {p.Line})" : "";
        return $"{Tune.Name}{bar}{where}: {p.Message}";
    });
}

/// <summary>
/// Checks that a tune is well formed music in the subset of ABC folk tunes use: notes (accidentals, octaves,
/// lengths), rests, chords, broken rhythm, tuplets, chord symbols in quotes, bar lines, repeats and variant endings,
/// field changes and part labels (<c>P:</c>); and that every bar lasts what its meter says. A part's first bar (a pickup) and its last bar may
/// be short, a part being the music between repeat signs and double bars; no bar may be long.
/// </summary>
public static class AbcChecker
{
    /// <summary>Checks one tune.</summary>
    public static AbcVerdict Check(AbcTune tune)
    {
        var (elements, scanned) = AbcScanner.Scan(tune.Body, tune.BodyLine);
        var problems = scanned.Select(p => new AbcProblem(0, p.Line, p.Column, p.Message)).ToList();
        var walk = new BarWalk(problems);
        walk.Field('M', tune.Meter, 0);
        walk.Field('L', tune.UnitLength, 0);
        walk.Field('K', tune.Key, 0);
        AbcElement? stop = null;
        foreach (var element in elements)
        {
            if (!walk.TryAdd(element))
            {
                stop = element;
                break;
            }
        }

        if (stop is not null || !walk.TryEnd())
        {
            problems.Add(new AbcProblem(walk.Bars + 1, stop?.Line ?? 0, stop?.Column ?? 0,
                "the durations no longer add up exactly: lengths divided too finely (such as /4093 then /4091) or too long"));
        }

        if (walk.Notes == 0)
        {
            problems.Add(new AbcProblem(0, 0, 0, "the tune has no notes"));
        }

        return new AbcVerdict(tune, problems, walk.Bars, walk.Notes);
    }

    /// <summary>Adds up the bars: durations through tuplets and broken rhythm, the meter and unit length as fields change them.</summary>
    private sealed class BarWalk(List<AbcProblem> problems) : AbcWalker
    {
        private MusicFraction? meterBar = MusicFraction.One;
        private string meterText = "";
        private MusicFraction current = MusicFraction.Zero, previous = MusicFraction.Zero;
        private int barLine;
        private bool partStart = true, previousWasNote;
        private AbcProblem? shortBar; // a short bar that is fine if a part ends right after it (a part label, repeat sign or double bar next)
        private AbcBar? openRepeat; // the |: whose :| has not come yet
        private int barsAtOpen; // bars counted when it opened: a repeat holding no music (|: || |:, in some collections) is no problem
        private int lastEnding; // the last variant ending of this part, 0 for none

        public int Bars { get; private set; }

        public int Notes { get; private set; }

        public void Field(char name, string value, int line)
        {
            bool understood = name switch
            {
                'M' => AbcFields.TryMeter(value, out meterBar),
                'L' => AbcFields.TryFraction(value, out var unit) && SetUnit(unit),
                _ => AbcFields.TryKey(value, out _),
            };
            if (name == 'M')
            {
                meterText = value;
            }

            if (!understood)
            {
                string expected = name switch { 'M' => "a meter such as 6/8, C or none", 'L' => "a length such as 1/8", _ => "a key such as G, Ador or Bb" };
                problems.Add(new AbcProblem(Bars + 1, line, 0, $"{name}:{value} is not {expected}"));
                meterBar = name == 'M' ? null : meterBar;
            }
        }

        /// <summary>Closes the last bar and the open repeat; false when the last bar's time overflowed.</summary>
        public bool TryEnd() => Exactly(End);

        private void End()
        {
            Close(true);
            if (openRepeat is { } open && Bars > barsAtOpen)
            {
                problems.Add(new AbcProblem(0, open.Line, open.Column, "the repeat opened by this |: is never closed by :|"));
            }
        }

        protected override void Sound(IReadOnlyList<AbcNote> notes, MusicFraction duration, AbcElement element)
        {
            if (shortBar is not null)
            {
                problems.Add(shortBar); // music goes on: the short bar did not end a part
                shortBar = null;
            }

            current += duration;
            previous = duration;
            previousWasNote = true;
            barLine = barLine == 0 ? element.Line : barLine;
            Notes += notes.Count > 0 ? 1 : 0;
        }

        protected override void Break(AbcBroken broken)
        {
            if (!previousWasNote)
            {
                problems.Add(new AbcProblem(Bars + 1, broken.Line, broken.Column, "broken rhythm ('>' or '<') needs a note before it in the bar"));
                return;
            }

            var lengthened = Clock.Break(broken, previous);
            current += lengthened - previous;
            previousWasNote = false;
        }

        protected override void Bar(AbcBar bar)
        {
            Close(bar.EndsSection);
            partStart |= bar.EndsSection;
            if (bar.StartsRepeat && !bar.EndsRepeat && openRepeat is { } open && Bars > barsAtOpen)
            {
                problems.Add(new AbcProblem(Bars + 1, bar.Line, bar.Column, $"a second |: while the repeat opened at line {open.Line}, column {open.Column} is not closed by :|"));
            }

            if (bar.Ending > 1 && bar.Ending != lastEnding + 1)
            {
                problems.Add(new AbcProblem(Bars + 1, bar.Line, bar.Column, $"the variant ending {bar.Ending} does not follow an ending {bar.Ending - 1}"));
            }

            lastEnding = bar.Ending > 0 ? bar.Ending : bar.StartsRepeat || (bar.Double && !bar.EndsRepeat) ? 0 : lastEnding;
            openRepeat = bar.StartsRepeat ? bar : bar.EndsRepeat ? null : openRepeat;
            barsAtOpen = bar.StartsRepeat ? Bars : barsAtOpen;
        }

        protected override void Field(AbcFieldChange field)
        {
            if (field.Name == 'P')
            {
                Close(partEnd: true); // a part label starts a new part
                partStart = true;
                lastEnding = 0;
            }
            else if (field.Name is 'M' or 'L' or 'K')
            {
                Field(field.Name, field.Value, field.Line);
            }
            else
            {
                problems.Add(new AbcProblem(Bars + 1, field.Line, field.Column, $"the field {field.Name}: does not belong in a tune's music"));
            }
        }

        private bool SetUnit(MusicFraction unit)
        {
            Clock.Unit = unit;
            return true;
        }

        private void Close(bool partEnd)
        {
            previousWasNote = false;
            if (current == MusicFraction.Zero)
            {
                shortBar = partEnd ? null : shortBar;
                return; // bar lines with no music between them: a variant ending after a bar line, a line's leading bar
            }

            Bars++;
            if (meterBar is { } full && current != full && (current > full || !(partStart || partEnd)))
            {
                string how = current > full ? "more than" : "less than";
                var problem = new AbcProblem(Bars, barLine, 0, string.Create(CultureInfo.InvariantCulture,
                    $"the bar lasts {current} of a whole note, {how} the {full} of M:{meterText}"));
                if (current > full)
                {
                    problems.Add(problem);
                }
                else
                {
                    shortBar = problem;
                }
            }

            current = MusicFraction.Zero;
            partStart = false;
            barLine = 0;
        }
    }
}
