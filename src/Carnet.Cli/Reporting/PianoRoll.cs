using System.Globalization;
using Carnet.Tasks.Text.Music;

namespace Carnet.Cli.Reporting;

/// <summary>
/// Draws a tune's notes as a piano roll: time to the right (a grey line at each whole note), pitch upwards (a row a
/// semitone, C rows shaded and labelled), each note a bar as long as it lasts.
/// </summary>
internal static class PianoRoll
{
    private const double Left = 44, Top = 28, Row = 5, MinimumWidth = 320, MaximumWidth = 900, WholeNoteWidth = 48;

    public static string RenderSvg(IReadOnlyList<MusicNote> notes, string title)
    {
        if (notes.Count == 0)
        {
            return SvgBuilder.NoData(MaximumWidth, 120, title);
        }

        int low = notes.Min(n => n.Pitch), high = notes.Max(n => n.Pitch);
        double end = notes.Max(n => (n.Start + n.Duration).Value);
        double scale = Math.Min(WholeNoteWidth, (MaximumWidth - Left - 8) / end); // pixels per whole note
        double height = Top + ((high - low + 1) * Row) + 20;
        var svg = new SvgBuilder(Math.Max(MinimumWidth, Left + (end * scale) + 8), height, title).Text(8, 18, title, size: 13, bold: true, fill: "#1f2328");
        for (int pitch = low; pitch <= high; pitch++)
        {
            if (pitch % 12 == 0)
            {
                double y = Y(pitch, high);
                svg.Rect(Left, y, end * scale, Row, "#f0f3f6");
                svg.Text(Left - 4, y + Row, $"C{(pitch / 12) - 1}", TextAnchor.End, 9, "#6e7781");
            }
        }

        for (int whole = 0; whole <= (int)end; whole++)
        {
            svg.Line(Left + (whole * scale), Top, Left + (whole * scale), height - 20, "#d0d7de", 0.5);
        }

        foreach (var note in notes)
        {
            string tooltip = string.Create(CultureInfo.InvariantCulture, $"MIDI {note.Pitch} at {note.Start}, lasting {note.Duration}");
            svg.Rect(Left + (note.Start.Value * scale), Y(note.Pitch, high), Math.Max(1, (note.Duration.Value * scale) - 1), Row - 0.5, "#2f6fb0", tooltip);
        }

        return svg.Text(Left, height - 6, "time (a grey line per whole note) →", size: 9, fill: "#6e7781").Finish();
    }

    private static double Y(int pitch, int high) => Top + ((high - pitch) * Row);
}
