using System.Diagnostics;
using System.Globalization;
using Carnet.Tasks.Text;

namespace Carnet.Cli;

/// <summary>
/// Shows character-model training as it runs: a line at every epoch's end with the training and held-out bits per
/// character and the sample the model wrote, and within long epochs a line every half minute; nothing with --quiet.
/// </summary>
internal sealed class TextProgressDisplay(TrainingView view)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly Stopwatch sinceLine = Stopwatch.StartNew();
    private double? best;

    /// <summary>The trainer's progress callback.</summary>
    public void Report(TextTrainingProgress p)
    {
        string position = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch}/{p.Epochs} · step {p.Batch}/{p.Batches} · training {p.TrainingBitsPerCharacter:F4} bpc");
        if (!p.EpochEnd)
        {
            if (sinceLine.Elapsed >= Interval)
            {
                view.Line(string.Create(CultureInfo.InvariantCulture, $"{position} · {p.Elapsed.TotalSeconds:F0} s"));
                sinceLine.Restart();
            }

            return;
        }

        string held = "";
        if (p.ValidationBitsPerCharacter is { } v)
        {
            bool better = best is null || v < best;
            best = better ? v : best;
            held = string.Create(CultureInfo.InvariantCulture, $" · held out {v:F4} bpc{(better ? " (best)" : "")}");
        }

        view.Line(string.Create(CultureInfo.InvariantCulture, $"{position}{held} · {p.Elapsed.TotalSeconds:F1} s"));
        if (!string.IsNullOrEmpty(p.Sample))
        {
            view.Line("  sample: " + p.Sample.ReplaceLineEndings("⏎"));
        }

        sinceLine.Restart();
    }
}
