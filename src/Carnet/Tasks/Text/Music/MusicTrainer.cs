using System.Globalization;

namespace Carnet.Tasks.Text.Music;

/// <summary>What <see cref="MusicTrainer.Fit"/> produced.</summary>
/// <param name="Model">The model, with the weights of the best held-out epoch.</param>
/// <param name="Text">The character model's training: epochs, bits per character, time limit.</param>
/// <param name="Training">The tunes trained on, in the order they were read.</param>
/// <param name="HeldOut">The tunes held out to measure bits per character.</param>
/// <param name="BigramBitsPerCharacter">A character bigram's bits per character on the held-out tunes (counted on the training tunes).</param>
public sealed record MusicTrainingOutcome(
    MusicModel Model, TextTrainingOutcome Text, IReadOnlyList<AbcTune> Training, IReadOnlyList<AbcTune> HeldOut, double? BigramBitsPerCharacter);

/// <summary>
/// Trains a <see cref="MusicModel"/> on tunes: a share of the tunes, drawn with the seed, is held out whole; the
/// others, in a seeded order, make the training text (<see cref="MusicModel.TrainingText"/>), on which a character
/// model is trained as <see cref="CharacterTrainer"/> trains one (truncated back-propagation through time, time limit,
/// checkpoints, resume); the held-out tunes give its bits per character, beside a character bigram's.
/// </summary>
public static class MusicTrainer
{
    /// <summary>Trains on <paramref name="tunes"/>; <see cref="TextTrainingOptions.ValidationFraction"/> is the share of tunes held out.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or the tunes are too few or too short for the batches.</exception>
    public static MusicTrainingOutcome Fit(IReadOnlyList<AbcTune> tunes, TextTrainingOptions options, Action<TextTrainingProgress>? progress = null)
    {
        options.Validate();
        var (training, heldOut) = Split(tunes, options.ValidationFraction, options.Seed);
        string trainingText = MusicModel.TrainingText(training), heldOutText = MusicModel.TrainingText(heldOut);
        var vocabulary = CharacterVocabulary.FromText(trainingText + heldOutText);
        int[] trainingIds = vocabulary.Encode(trainingText), heldOutIds = vocabulary.Encode(heldOutText);
        int needed = (options.BatchSize * options.SequenceLength) + 1;
        if (trainingIds.Length < needed)
        {
            string counts = string.Create(CultureInfo.InvariantCulture, $"the {training.Count} training tune(s) hold {trainingIds.Length} characters");
            throw new ArgumentException($"{counts}; training needs at least {needed}: give more tunes, or a smaller --batch-size or --seq-length");
        }

        var text = CharacterTrainer.FitOnSplit(vocabulary, trainingIds, heldOutIds, options, progress);
        double? bigram = heldOutIds.Length >= 2 ? CharacterBigram.Fit(trainingIds, vocabulary.Count).BitsPerCharacter(heldOutIds) : null;
        return new MusicTrainingOutcome(new MusicModel(text.Model), text, training, heldOut, bigram);
    }

    /// <summary>
    /// The tunes to train on and to hold out: <paramref name="heldOutFraction"/> of them (rounded, at least one when
    /// the fraction is above 0) drawn with <paramref name="seed"/>; the training tunes in a seeded order.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside [0, 1), or no tune would be left to train on.</exception>
    public static (IReadOnlyList<AbcTune> Training, IReadOnlyList<AbcTune> HeldOut) Split(IReadOnlyList<AbcTune> tunes, double heldOutFraction, ulong seed)
    {
        if (heldOutFraction is < 0 or >= 1 || double.IsNaN(heldOutFraction))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the held-out share is {heldOutFraction}; it must be at least 0 and below 1"));
        }

        int held = heldOutFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(tunes.Count * heldOutFraction));
        if (tunes.Count - held < 1)
        {
            throw new ArgumentException($"{tunes.Count} tune(s) are too few: {held} would be held out and none left to train on");
        }

        var order = tunes.ToArray();
        new RandomSource(seed).Shuffle(order.AsSpan());
        return (order[held..], order[..held]);
    }
}
