// Dimension legend: V = vocabulary size, E = embedding size, P = size of h (the top layer's output).
using Carnet.Layers;

namespace Carnet.Tasks.Text;

/// <summary>
/// Runs a <see cref="CharacterModel"/> one character at a time on a <see cref="RecurrentStream{T}"/> (weights packed
/// once, the state carried): read a character, then the scores of the next one are ready. Generation that mixes
/// given and drawn characters (a prompt, fields forced in the middle) goes through it.
/// </summary>
internal sealed class CharacterStepper : IDisposable
{
    private readonly CharacterModel model;
    private readonly RecurrentStream<float> stream;
    private readonly Tensor<float> output; // (1, P)
    private Tensor<float>? scores; // (1, V)

    public CharacterStepper(CharacterModel model)
    {
        this.model = model;
        stream = new RecurrentStream<float>(model.Network.Recurrent);
        output = Tensor<float>.Zeros(1, model.Network.Recurrent.StateSize);
    }

    /// <summary>The scores (V) of the character after the last one read.</summary>
    public ReadOnlySpan<float> Scores => scores is { } s ? s.Span : throw new InvalidOperationException("no character has been read yet");

    /// <summary>Reads the character <paramref name="id"/>: the state moves on and <see cref="Scores"/> are those of the next character.</summary>
    public void Read(int id)
    {
        int embedding = model.Network.Recurrent.Options.InputSize;
        stream.Step(model.Network.Embedding!.Weight.Value.Span.Slice(id * embedding, embedding), output.Span); // x_t = embedding row of the character
        scores = model.Network.Head.Forward(output);
    }

    /// <summary>Reads every character of <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">A character is not in the model's vocabulary.</exception>
    public void Read(string text, string what)
    {
        foreach (int id in model.Vocabulary.Encode(text, what))
        {
            Read(id);
        }
    }

    public void Dispose() => stream.Dispose();
}
