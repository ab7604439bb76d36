using Carnet.Tasks.Text.Music;
using NAudio.Midi;

namespace Carnet.Tests.Music;

/// <summary>Playing tunes: pitches from key and accidentals, times through lengths and repeats, and the MIDI file written from them.</summary>
public sealed class AbcPerformanceTests
{
    private static IReadOnlyList<MusicNote> Play(string body, string key = "C", string unit = "1/8", string meter = "2/4")
        => AbcPerformance.Notes(new AbcTune { Source = "t.abc", Meter = meter, UnitLength = unit, Key = key, Body = body });

    private static MusicFraction F(long numerator, long denominator) => MusicFraction.Of(numerator, denominator);

    [Fact]
    public void PitchesFollowKeyOctaveAndTheBarsAccidentals()
    {
        // C is middle C (60); G major sharpens every F; an accidental holds to the bar's end, for that octave only
        int[] pitches = [.. Play("C c c' C, F f ^c c =F F | c F", key: "G").Select(n => n.Pitch)];
        Assert.Equal([60, 72, 84, 48, 66, 78, 73, 73, 65, 65, 72, 66], pitches);
        Assert.Equal([70, 70, 61, 62], Play("B _B | _D ^^C", key: "F").Select(n => n.Pitch)); // F major flattens B; ^^ is a double sharp
        Assert.Equal([69, 71, 72, 74, 76, 78, 79], Play("ABcdefg", key: "Ador").Select(n => n.Pitch)); // A dorian: the F sharp of G major
        Assert.Equal([66, 67, 73], Play("FGc", key: "Amix").Select(n => n.Pitch)); // A mixolydian: the two sharps of D major, F and C; G natural
    }

    [Fact]
    public void TimesFollowLengthsTupletsAndBrokenRhythm()
    {
        var notes = Play("(3ABc d2 | A>B c<d | [CE]2 z2 | e");
        Assert.Equal(
            [F(0, 1), F(1, 12), F(1, 6), F(1, 4), F(1, 2), F(11, 16), F(3, 4), F(13, 16), F(1, 1), F(1, 1), F(3, 2)],
            notes.Select(n => n.Start));
        Assert.Equal([F(1, 12), F(1, 12), F(1, 12), F(1, 4), F(3, 16), F(1, 16), F(1, 16), F(3, 16), F(1, 4), F(1, 4), F(1, 8)], notes.Select(n => n.Duration));
    }

    [Fact]
    public void RepeatsAndVariantEndingsAreTaken()
    {
        Assert.Equal([60, 62, 60, 62, 64], Play("|: C D :| E").Select(n => n.Pitch));
        Assert.Equal([60, 62, 60, 64, 65], Play("|: C |1 D :|2 E || F").Select(n => n.Pitch));
        Assert.Equal([60, 62, 60, 64, 65], Play("|: C [1 D :| [2 E |] F").Select(n => n.Pitch));
        Assert.Equal([60, 60, 62, 62], Play("C :: D :|").Select(n => n.Pitch)); // no |: repeats from the start; :: ends one part and opens the next
    }

    [Fact]
    public void TheJigPlaysEachPartTwiceWithItsEndings()
    {
        var tune = AbcBook.Parse(TestTunes.Jig, "jig.abc")[0];
        var notes = AbcPerformance.Notes(tune);
        Assert.Equal(F(1, 8) + F(6, 1) + F(6, 1), notes[^1].Start + notes[^1].Duration); // the pickup, then each part's 4 bars of 3/4 twice
        Assert.Equal(62, notes[0].Pitch); // D
        Assert.Equal(66, notes.First(n => n.Start == F(11, 8)).Pitch); // the F of "AFD" is F sharp in G
    }

    [Fact]
    public void PlayingEndsAtTheLongestTuneOrWhereTimeNoLongerAddsUpExactly()
    {
        // 64 whole notes a unit: the notes of 4096 units (8 · 64 · 64 whole notes) fit, the ninth ends past 2^15 whole notes
        var notes = Play("A64 B64 c64 d64 e64 f64 g64 a64 b64 | c'64", unit: "64/1", meter: "none");
        Assert.Equal(8, notes.Count);
        Assert.Equal(F(AbcPerformance.LongestWholeNotes, 1), notes[^1].Start + notes[^1].Duration);
        Assert.Empty(Play("A9999", unit: "64/1", meter: "none")); // 639,936 whole notes: past the longest (it was 2^30 ticks, past MIDI's 2^28)
        var midi = new MidiFile(new MemoryStream(MidiFileWriter.Serialize(notes, "long")), strictChecking: true);
        var ons = midi.Events[0].OfType<NoteOnEvent>().Where(e => e.Velocity > 0);
        Assert.Equal(8 * 64 * 64 * 4L * MidiFileWriter.TicksPerQuarterNote, ons.Max(e => e.AbsoluteTime + e.NoteLength));

        // a bar a note (each bar adds up for the checker) over primes near 4096: the time played so far needs more than 2^63 at the sixth
        const string Fine = "A/4093|A/4091|A/4079|A/4073|A/4057|A/4051|A/4049|A/4027|";
        Assert.True(AbcChecker.Check(new AbcTune { Source = "t.abc", Meter = "none", UnitLength = "1/8", Key = "C", Body = Fine }).IsValid);
        Assert.Equal([4093L, 4091, 4079, 4073, 4057], Play(Fine, meter: "none").Select(n => n.Duration.Denominator / 8));
    }

    [Fact]
    public void TheMidiFileHoldsEveryNoteAtItsTick()
    {
        var notes = Play("(3ABc d2 | A>B c<d | [CE]2 z2 | e");
        byte[] bytes = MidiFileWriter.Serialize(notes, "Test tune", quarterNotesPerMinute: 100);
        Assert.Equal("MThd"u8.ToArray(), bytes[..4]);

        var file = new MidiFile(new MemoryStream(bytes), strictChecking: true);
        Assert.Equal((0, 1, 480), (file.FileFormat, file.Tracks, file.DeltaTicksPerQuarterNote));
        var ons = file.Events[0].OfType<NoteOnEvent>().Where(e => e.Velocity > 0).ToList();
        Assert.Equal(
            notes.Select(n => (n.Pitch, MidiFileWriter.Ticks(n.Start), (int)MidiFileWriter.Ticks(n.Duration))),
            ons.Select(e => (e.NoteNumber, e.AbsoluteTime, e.NoteLength)));
        Assert.Equal([160L, 1920, 2880], new[] { ons[1].AbsoluteTime, ons[8].AbsoluteTime, ons[^1].AbsoluteTime }); // a triplet eighth is 160 ticks; bar 3 starts at 1920
        Assert.Equal(600_000, file.Events[0].OfType<TempoEvent>().Single().MicrosecondsPerQuarterNote);
        Assert.Equal(MidiFileWriter.Program, file.Events[0].OfType<PatchChangeEvent>().Single().Patch);
        Assert.Equal("Test tune", file.Events[0].OfType<TextEvent>().Single().Text);
    }
}
