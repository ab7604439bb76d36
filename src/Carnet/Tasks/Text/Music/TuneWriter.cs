using System.Text;

namespace Carnet.Tasks.Text.Music;

/// <summary>
/// Writes one tune with a <see cref="MusicModel"/>: after a blank line, the header slots in the order the model
/// learnt them (<c>R:</c>, <c>M:</c>, <c>L:</c>, <c>K:</c>), each read as given when the request gives it, otherwise
/// its value drawn (the rhythm only if the model chooses to write one); then the body, drawn until a blank line ends
/// the tune or the length limit cuts it.
/// </summary>
internal static class TuneWriter
{
    private const int MaximumFieldLength = 40;

    public static AbcTune Write(MusicModel model, TuneRequest request, int number, SamplingOptions sampling, ulong seed)
    {
        var characters = model.Characters;
        var sampler = new Sampler(characters.Vocabulary.Count, sampling, new RandomSource(seed));
        using var stepper = new CharacterStepper(characters);
        stepper.Read("\n\n", "the tune start's");
        var session = new Session(characters, stepper, sampler);
        string? rhythm = request.Rhythm is { } r ? session.Given('R', r) : session.OptionalField('R');
        string meter = request.Meter is { } m ? session.Given('M', m) : session.Field('M');
        string unit = session.Field('L');
        string key = request.Key is { } k ? session.Given('K', k) : session.Field('K');
        string body = session.Body(request.MaximumLength);
        return new AbcTune
        {
            Source = "generated",
            Number = number,
            Rhythm = rhythm,
            Meter = meter,
            UnitLength = unit,
            Key = key,
            Body = body,
            BodyLine = 1 + (rhythm is null ? 0 : 1) + 3 + 1, // the printed tune: X:, the header, then the body
        };
    }

    private sealed class Session(CharacterModel model, CharacterStepper stepper, Sampler sampler)
    {
        public string Given(char name, string value)
        {
            stepper.Read($"{name}:{value}\n", $"the {name}: field's");
            return value;
        }

        public string Field(char name)
        {
            stepper.Read($"{name}:", $"the {name}: field's");
            return Line(MaximumFieldLength).Trim();
        }

        /// <summary>A field the model may leave out: its first character drawn decides; when it is not the field's letter, the slot is skipped.</summary>
        public string? OptionalField(char name)
        {
            if (model.Vocabulary[sampler.Next(stepper.Scores)].Value != name)
            {
                return null;
            }

            return Field(name);
        }

        /// <summary>Draws characters up to a line break (read, not returned) or <paramref name="maximum"/> characters.</summary>
        public string Line(int maximum)
        {
            var line = new StringBuilder();
            while (line.Length < maximum)
            {
                string next = Draw();
                if (next == "\n")
                {
                    break;
                }

                line.Append(next);
            }

            return line.ToString();
        }

        /// <summary>Draws the body: lines until an empty one (the blank line ending the tune) or <paramref name="maximum"/> characters.</summary>
        public string Body(int maximum)
        {
            var body = new StringBuilder();
            while (body.Length < maximum)
            {
                string line = Line(maximum - body.Length);
                if (line.Length == 0)
                {
                    break;
                }

                body.Append(body.Length > 0 ? "\n" : "").Append(line);
            }

            return body.ToString();
        }

        private string Draw()
        {
            int id = sampler.Next(stepper.Scores);
            stepper.Read(id);
            return model.Vocabulary[id].ToString();
        }
    }
}
