using System.Globalization;

namespace Carnet.Tasks.Text.Music;

/// <summary>The values of the header fields ABC music depends on: meter, unit note length and key.</summary>
internal static class AbcFields
{
    private static readonly string[] SharpOrder = ["F", "C", "G", "D", "A", "E", "B"];

    private static readonly Dictionary<string, int> MajorSharps = new(StringComparer.Ordinal)
    {
        ["C"] = 0, ["G"] = 1, ["D"] = 2, ["A"] = 3, ["E"] = 4, ["B"] = 5, ["F#"] = 6, ["C#"] = 7,
        ["F"] = -1, ["Bb"] = -2, ["Eb"] = -3, ["Ab"] = -4, ["Db"] = -5, ["Gb"] = -6, ["Cb"] = -7,
    };

    // mode (its first three letters) → sharps relative to the major key on the same tonic
    private static readonly Dictionary<string, int> ModeShift = new(StringComparer.Ordinal)
    {
        [""] = 0, ["maj"] = 0, ["ion"] = 0, ["m"] = -3, ["min"] = -3, ["aeo"] = -3, ["dor"] = -2, ["phr"] = -4, ["lyd"] = 1, ["mix"] = -1, ["loc"] = -5,
    };

    /// <summary>A bar's length in whole notes (<c>6/8</c>, <c>C</c> = 4/4, <c>C|</c> = 2/2); null for <c>none</c> (free meter); false when not understood.</summary>
    public static bool TryMeter(string text, out MusicFraction? bar)
    {
        string value = text.Trim();
        bar = null;
        switch (value)
        {
            case "none" or "":
                return true;
            case "C":
                bar = MusicFraction.Of(4, 4);
                return true;
            case "C|":
                bar = MusicFraction.Of(2, 2);
                return true;
        }

        if (TryFraction(value, out var fraction))
        {
            bar = fraction;
            return true;
        }

        return false;
    }

    /// <summary>A unit length (<c>1/8</c>); false when not a positive fraction.</summary>
    public static bool TryFraction(string text, out MusicFraction fraction)
    {
        fraction = MusicFraction.Zero;
        string[] parts = text.Trim().Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int numerator)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int denominator) || numerator is < 1 or > 64 || denominator is < 1 or > 64)
        {
            return false;
        }

        fraction = MusicFraction.Of(numerator, denominator);
        return true;
    }

    /// <summary>ABC's default unit length for a meter: 1/16 when the bar is shorter than 3/4, otherwise 1/8.</summary>
    public static string DefaultUnitLength(string meter)
        => TryMeter(meter, out var bar) && bar is { } b && b < MusicFraction.Of(3, 4) ? "1/16" : "1/8";

    /// <summary>
    /// The key signature of a <c>K:</c> value, as the alteration (+1 sharp, −1 flat) of each letter C…B (index 0–6);
    /// false when the value is not a key. <c>none</c> and the bagpipe keys <c>HP</c>, <c>Hp</c> have no alterations.
    /// </summary>
    public static bool TryKey(string text, out int[] alterations)
    {
        alterations = new int[7];
        string value = text.Trim();
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        value = space >= 0 ? value[..space] : value; // clef and other modifiers after the key are not read
        if (value is "none" or "HP" or "Hp" or "")
        {
            return true;
        }

        if (value[0] is < 'A' or > 'G')
        {
            return false;
        }

        int tonicLength = value.Length > 1 && value[1] is '#' or 'b' ? 2 : 1;
        string mode = value[tonicLength..].ToLowerInvariant();
        mode = mode.Length > 3 ? mode[..3] : mode;
        if (!MajorSharps.TryGetValue(value[..tonicLength], out int sharps) && !TryEnharmonic(value[..tonicLength], out sharps))
        {
            return false;
        }

        if (!ModeShift.TryGetValue(mode, out int shift))
        {
            return false;
        }

        sharps += shift;
        if (sharps is < -7 or > 7)
        {
            return false;
        }

        for (int i = 0; i < Math.Abs(sharps); i++)
        {
            string letter = sharps > 0 ? SharpOrder[i] : SharpOrder[6 - i];
            alterations["CDEFGAB".IndexOf(letter, StringComparison.Ordinal)] = Math.Sign(sharps);
        }

        return true;
    }

    // tonics of modal keys that are not major keys themselves (A# minor, G# dorian, D# minor…): a sharp tonic is 7 sharps more than its natural
    private static bool TryEnharmonic(string tonic, out int sharps)
    {
        sharps = 0;
        if (tonic.Length == 2 && MajorSharps.TryGetValue(tonic[..1], out int natural))
        {
            sharps = natural + (tonic[1] == '#' ? 7 : -7);
            return true;
        }

        return false;
    }
}
