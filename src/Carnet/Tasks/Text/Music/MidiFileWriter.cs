using Carnet.IO;
using NAudio.Midi;

namespace Carnet.Tasks.Text.Music;

/// <summary>
/// Writes notes as a Standard MIDI File (format 0, one track, 480 ticks a quarter note): a tempo, the time signature,
/// the tune's title, a program (instrument) and each note as a note-on and note-off pair on channel 1. Written with
/// NAudio's MIDI library, to a temporary file renamed into place.
/// </summary>
public static class MidiFileWriter
{
    /// <summary>Ticks in a quarter note.</summary>
    public const int TicksPerQuarterNote = 480;

    /// <summary>The General MIDI program used: 40, the violin (a fiddle for the folk tunes).</summary>
    public const int Program = 40;

    /// <summary>The file's bytes: <paramref name="notes"/> at <paramref name="quarterNotesPerMinute"/>, titled <paramref name="title"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The tempo is not between 1 and 1,000 quarter notes a minute.</exception>
    public static byte[] Serialize(IReadOnlyList<MusicNote> notes, string title, int quarterNotesPerMinute = 120)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quarterNotesPerMinute, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quarterNotesPerMinute, 1000);
        var events = new MidiEventCollection(0, TicksPerQuarterNote);
        events.AddTrack();
        events.AddEvent(new TextEvent(title, MetaEventType.SequenceTrackName, 0), 0);
        events.AddEvent(new TempoEvent(60_000_000 / quarterNotesPerMinute, 0), 0);
        events.AddEvent(new PatchChangeEvent(0, 1, Program), 0);
        foreach (var note in notes)
        {
            long start = Ticks(note.Start), length = Math.Max(1, Ticks(note.Duration));
            var on = new NoteOnEvent(start, 1, note.Pitch, 90, (int)length);
            events.AddEvent(on, 0);
            events.AddEvent(new NoteEvent(start + length, 1, MidiCommandCode.NoteOff, note.Pitch, 0), 0);
        }

        events.PrepareForExport(); // sorts the events and ends the track
        using var stream = new MemoryStream();
        MidiFile.Export(stream, events);
        return stream.ToArray();
    }

    /// <summary>Writes the file atomically.</summary>
    public static void Save(string path, IReadOnlyList<MusicNote> notes, string title, int quarterNotesPerMinute = 120)
    {
        byte[] bytes = Serialize(notes, title, quarterNotesPerMinute);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>A time in whole notes as ticks, rounded to the nearest.</summary>
    public static long Ticks(MusicFraction wholeNotes)
        => (long)Math.Round(wholeNotes.Numerator * 4.0 * TicksPerQuarterNote / wholeNotes.Denominator, MidpointRounding.AwayFromZero);
}
