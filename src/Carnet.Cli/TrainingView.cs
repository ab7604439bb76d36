using System.Globalization;
using Carnet.Training;
using Spectre.Console;

namespace Carnet.Cli;

/// <summary>
/// Shows training as it runs: a live Spectre.Console progress bar (epoch, losses, elapsed, remaining) on an
/// interactive terminal, one plain line every few epochs when the output is redirected, and nothing with --quiet.
/// </summary>
internal sealed class TrainingView
{
    private readonly TextWriter output;
    private bool quiet;
    private bool interactive;

    public TrainingView(TextWriter output, bool quiet)
    {
        this.output = output;
        this.quiet = quiet;
        interactive = !quiet && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Prints nothing from now on (the ranks of a distributed job other than rank 0).</summary>
    public void Silence() => (quiet, interactive) = (true, false);

    /// <summary>Writes a line unless quiet.</summary>
    public void Line(string text)
    {
        if (!quiet)
        {
            output.WriteLine(text);
        }
    }

    /// <summary>Runs <paramref name="work"/>, handing it the progress callback to give the trainer.</summary>
    public TResult Run<TResult>(string title, Func<Action<TrainingProgress>?, TResult> work)
    {
        if (quiet)
        {
            return work(null);
        }

        if (!interactive)
        {
            return work(PlainLine);
        }

        TResult result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title));
                result = work(p =>
                {
                    task.MaxValue = p.Epochs;
                    if (p.EpochEnd)
                    {
                        task.Value = p.Epoch;
                        task.Description = Markup.Escape($"{title} · {Describe(p)}");
                    }
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    private void PlainLine(TrainingProgress p)
    {
        if (p.EpochEnd && (p.Epoch == 1 || p.Epoch % 10 == 0 || p.Epoch == p.Epochs))
        {
            double perEpoch = p.Elapsed.TotalSeconds / p.Epoch;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Describe(p)} · {p.Elapsed.TotalSeconds:F1} s, at most {perEpoch * (p.Epochs - p.Epoch):F0} s left"));
        }
    }

    private static string Describe(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {p.Epoch}/{p.Epochs} · loss {p.TrainingLoss:G4}") + (p.ValidationLoss is { } v ? string.Create(CultureInfo.InvariantCulture, $" · validation {v:G4}") : "");
}
