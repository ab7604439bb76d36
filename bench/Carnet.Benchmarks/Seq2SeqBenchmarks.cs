// Dimension legend: B = pairs in the batch, S = source steps, T = target steps, Vs/Vt = source/target vocabularies,
// K = beam size. bench/reference/seq2seq_speed.py measures the same shapes, batch and weights' shapes in PyTorch.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Carnet.Models;
using Carnet.Tasks.Translation;
using Carnet.Training;

namespace Carnet.Benchmarks;

/// <summary>The translation settings that <see cref="Seq2SeqBenchmarks"/> runs (the model is the same for both).</summary>
public enum Seq2SeqShape
{
    /// <summary>Spelling → pronunciation (data/cmudict): Vs = 30, Vt = 43, sources of 4–12 letters, targets of 3–11 phonemes.</summary>
    CMU,

    /// <summary>Tatoeba English → French words (data/eng_fra_tatoeba_5000.tsv): Vs = 2100, Vt = 3600, sources of 2–6 words, targets of 2–9.</summary>
    Tatoeba,
}

/// <summary>
/// Throughput of <see cref="Seq2SeqModel{T}"/> (float) in the spelling → pronunciation architecture: embeddings 128,
/// bidirectional LSTM encoder 2 × 128, linear bridge, LSTM decoder 1 × 256 with input feeding and general attention,
/// no dropout. One batch of B = 64 random pairs drawn with a seeded <see cref="RandomSource"/> (per pair: source length,
/// source ids, target length, target ids, ids uniform over 4 … V − 1), the same batch
/// bench/reference/seq2seq_speed.py builds for the PyTorch twin.
/// <list type="bullet">
/// <item><see cref="TrainingStep"/>: what the training loop of <c>carnet translate train</c> does per step (zero the
/// gradients, teacher-forced forward, cross-entropy with padding ignored and no label smoothing, backward, clipping to
/// global norm 5, Adam); column Items/s = non-padding target tokens (each target and its &lt;eos&gt;) per second.</item>
/// <item><see cref="GreedyTranslate"/> and <see cref="BeamTranslate"/>: <see cref="Seq2SeqSearch.Translate{T}"/> of the
/// batch's 64 sources in one search batch, K = 1 and K = 5; column Items/s = sentences per second. The weights are
/// untrained, so the generator's &lt;eos&gt; bias is set to −10⁴: every hypothesis runs to the search's limit of
/// 2·S + 10 tokens, the same number of decoder steps on both sides (a trained model stops near the target length,
/// about a third of that, so real sentences per second are higher on both sides).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class Seq2SeqBenchmarks
{
    /// <summary>B: pairs in the batch, and sentences translated per invocation.</summary>
    public const int BatchSize = 64;

    /// <summary>The seed of the batch (the PyTorch script draws with the same generator and seed).</summary>
    public const ulong BatchSeed = 2026;

    /// <summary>The seed of the weights.</summary>
    public const ulong ModelSeed = 7;

    /// <summary>The global gradient norm the training step clips to (the default of <c>carnet translate train</c> and of the twin).</summary>
    public const double ClipNorm = 5;

    private const int Eos = 3;

    private Seq2SeqModel<float>? trainingModel;
    private Seq2SeqModel<float>? searchModel;
    private TranslationTrainable? trainable;
    private Adam<float>? optimizer;
    private List<Layers.Module<float>> modules = [];
    private Seq2SeqBatch? batch;
    private int[][] sources = [];
    private RandomSource random = new(0);

    /// <summary>The setting.</summary>
    [Params(Seq2SeqShape.CMU, Seq2SeqShape.Tatoeba)]
    public Seq2SeqShape Shape { get; set; }

    /// <summary>Threads the kernels may use (<see cref="KernelSettings.MaximumThreads"/>), as torch.set_num_threads on the other side.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    /// <summary>Builds the batch, a model to train with its optimizer, and a model to translate with (&lt;eos&gt; suppressed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        KernelSettings.DefaultMaximumThreads = Threads;
        var pairs = new EncodedPairs(Pairs(Shape));
        batch = pairs.ToBatch([.. Enumerable.Range(0, BatchSize)]);
        sources = [.. pairs.Pairs.Select(p => p.Source)];
        var options = Options(Shape);
        trainingModel = new Seq2SeqModel<float>(options, new RandomSource(ModelSeed));
        trainable = new TranslationTrainable(trainingModel, teacherForcing: 1, labelSmoothing: 0) { Metadata = [] };
        modules = [.. trainingModel.Modules.Select(m => m.Module)];
        optimizer = new Adam<float>(modules, learningRate: 1e-3);
        random = new RandomSource(ModelSeed + 1);
        searchModel = new Seq2SeqModel<float>(options, new RandomSource(ModelSeed));
        searchModel.Generator.GetParameter("bias").Value.Span[Eos] = -1e4f;
        CheckFullLength(Seq2SeqSearch.Translate(searchModel, sources, new Seq2SeqSearchOptions { BeamSize = 1, BatchSize = BatchSize }));
    }

    /// <summary>One training step on the batch: zero gradients, forward, loss, backward, clip, Adam.</summary>
    [Benchmark]
    public double TrainingStep()
    {
        optimizer!.ZeroGradients();
        using var pass = trainable!.Forward(batch!, null, random);
        pass.Backward();
        GradientClipping.ClipByGlobalNorm(modules, ClipNorm);
        optimizer.Step();
        return pass.Loss;
    }

    /// <summary>Greedy decoding (K = 1) of the 64 sources.</summary>
    [Benchmark]
    public int GreedyTranslate() => Translate(1);

    /// <summary>Beam search (K = 5) of the 64 sources.</summary>
    [Benchmark]
    public int BeamTranslate() => Translate(5);

    /// <summary>The model's options in a setting.</summary>
    public static Seq2SeqOptions Options(Seq2SeqShape shape) => new()
    {
        SourceVocabularySize = Dimensions(shape).SourceVocabulary,
        TargetVocabularySize = Dimensions(shape).TargetVocabulary,
        SourceEmbeddingSize = 128,
        TargetEmbeddingSize = 128,
        EncoderHiddenSize = 128,
        EncoderLayers = 2,
        Bidirectional = true,
        DecoderHiddenSize = 256,
        DecoderLayers = 1,
        Attention = Layers.AttentionScore.General,
        InputFeeding = true,
        Bridge = Seq2SeqBridge.Linear,
    };

    /// <summary>(Vs, Vt, shortest and longest source, shortest and longest target) of a setting; lengths without &lt;eos&gt;.</summary>
    public static (int SourceVocabulary, int TargetVocabulary, int SourceMin, int SourceMax, int TargetMin, int TargetMax) Dimensions(Seq2SeqShape shape)
        => shape switch
        {
            Seq2SeqShape.CMU => (30, 43, 4, 12, 3, 11),
            Seq2SeqShape.Tatoeba => (2100, 3600, 2, 6, 2, 9),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown setting."),
        };

    /// <summary>The batch's B pairs of a setting, drawn from <see cref="BatchSeed"/>.</summary>
    public static IReadOnlyList<(int[] Source, int[] Target)> Pairs(Seq2SeqShape shape)
    {
        var (sourceVocabulary, targetVocabulary, sourceMin, sourceMax, targetMin, targetMax) = Dimensions(shape);
        var random = new RandomSource(BatchSeed);
        var pairs = new (int[] Source, int[] Target)[BatchSize];
        for (int b = 0; b < BatchSize; b++)
        {
            var source = Tokens(random, sourceMin + random.NextInt(sourceMax - sourceMin + 1), sourceVocabulary);
            var target = Tokens(random, targetMin + random.NextInt(targetMax - targetMin + 1), targetVocabulary);
            pairs[b] = (source, target);
        }

        return pairs;
    }

    /// <summary>The target tokens the loss counts in a setting's batch: each target's tokens and its &lt;eos&gt;.</summary>
    public static int TargetTokens(Seq2SeqShape shape) => Pairs(shape).Sum(p => p.Target.Length + 1);

    private int Translate(int beams)
    {
        var hypotheses = Seq2SeqSearch.Translate(searchModel!, sources, new Seq2SeqSearchOptions { BeamSize = beams, BatchSize = BatchSize });
        return hypotheses[0].Tokens.Length;
    }

    private void CheckFullLength(Seq2SeqHypothesis[] hypotheses)
    {
        for (int i = 0; i < hypotheses.Length; i++)
        {
            int limit = 2 * sources[i].Length + 10;
            if (hypotheses[i].Tokens.Length != limit)
            {
                throw new InvalidOperationException($"Sentence {i} stopped after {hypotheses[i].Tokens.Length} tokens, not at the limit {limit}.");
            }
        }
    }

    private static int[] Tokens(RandomSource random, int length, int vocabulary)
    {
        var tokens = new int[length];
        for (int i = 0; i < length; i++)
        {
            tokens[i] = 4 + random.NextInt(vocabulary - 4);
        }

        return tokens;
    }

    /// <summary>Adds the item count and items-per-second columns.</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Creates the configuration.</summary>
        public Config()
        {
            AddColumn(StatisticColumn.Median, RateColumn.Items(ItemsOf, showCount: true), RateColumn.Items(ItemsOf));
        }

        private static double ItemsOf(BenchmarkCase benchmarkCase)
        {
            if (RateColumn.ParameterOf(benchmarkCase, nameof(Shape)) is not Seq2SeqShape shape)
            {
                return 0;
            }

            return benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(TrainingStep) ? TargetTokens(shape) : BatchSize;
        }
    }
}
