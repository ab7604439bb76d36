namespace Carnet.Tests.Music;

/// <summary>Small tunes written for these tests (none is taken from a tune collection), in the ABC these tests read.</summary>
internal static class TestTunes
{
    /// <summary>A jig with a pickup, repeats, variant endings, chord symbols, a comment and a part label.</summary>
    public const string Jig = """
        % written for Carnet's tests
        X:7
        T:Test Jig
        M:6/8
        K:G
        P:A
        D|:"G"GAB dBG|"D"A2B AFD|"G"GAB "C"c2e|1"D"dBA G2D:|2"D"dBA G3||
        P:B
        |:"G"gfg "D"afd|"G"g2e dBG|"C"ceg "D"fdB|"G"G3 G3:|
        """;

    /// <summary>A reel with a tuplet, broken rhythm, a chord in brackets, accidentals and octave marks.</summary>
    public const string Reel = """
        X:8
        T:Test Reel
        R:Reel
        M:4/4
        L:1/8
        K:D
        |:(3DEF A>B AFDF|[DA]2 ^cd =cAG,A|d'2 fd ecAc|d2 d2 d4:|
        """;

    /// <summary>Eight short tunes over two meters and keys, enough characters to train a tiny model.</summary>
    public static string Book()
    {
        string[] bodies =
        [
            "|:GAB dBG|A2B AFD|GAB c2e|dBA G3:|", "|:D2F A2F|GBG FAF|D2F A2d|cAF D3:|", "|:G2G BAG|d2d BdB|c2c ABc|BAF G3:|",
            "|:A2A cBA|e2c A2c|B2B dcB|cBA A3:|", "|:GABc d2d2|edcB A2A2|GABc d2g2|fdcA G4:|", "|:D2FA d2fd|cdec A2FA|d2fd cdec|d2f2 d4:|",
            "|:G2BG dGBG|c2ec BcdB|G2BG dGBG|AFDF G4:|", "|:A2cA eAcA|d2fd cdec|A2cA eAcA|BdcB A4:|",
        ];
        return string.Join("\n\n", bodies.Select((body, i) =>
            $"X:{i + 1}\nT:Tune {i + 1}\nM:{(i < 4 ? "6/8" : "4/4")}\nL:1/8\nK:{(i % 2 == 0 ? "G" : "D")}\n{body}\n{body.Replace('G', 'E')}")) + "\n";
    }
}
