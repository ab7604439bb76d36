using System.Diagnostics;
using System.Globalization;
using Carnet.Onnx;
using Carnet.Onnx.Protocol;
using Google.Protobuf;

namespace Carnet.Cli.Diagnostics;

/// <summary>
/// Mutates a valid ONNX file thousands of ways, as bytes (bit flips, bytes, truncations) and as a model (extreme
/// dimensions and attribute values, swapped operators, dropped nodes, rewired inputs, other element types, other
/// opsets), then reads and runs each result as a user's file would be. Every outcome must be a clean rejection
/// (an <see cref="OnnxFormatException"/> naming the file) or a graph that runs.
/// </summary>
public static class OnnxFileFuzzer
{
    private static readonly long[] ExtremeNumbers = [0, -1, 1, 2, int.MaxValue, 1L << 40, long.MaxValue, long.MinValue];

    /// <summary>Runs <paramref name="iterations"/> seeded mutations of a valid ONNX file, each read and run.</summary>
    public static FuzzReport Run(byte[] valid, int iterations, ulong seed)
    {
        var random = new RandomSource(seed);
        var original = ModelProto.Parser.ParseFrom(valid);
        var failures = new List<string>();
        int loaded = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            byte[] bytes = random.NextInt(2) == 0 ? MutateBytes(valid, random) : MutateModel(original, random);
            try
            {
                if (Use(bytes))
                {
                    loaded++;
                }
                else
                {
                    rejected++;
                }
            }
            catch (OnnxFormatException e) when (e.Message.StartsWith("fuzz: ", StringComparison.Ordinal))
            {
                rejected++;
            }
            catch (Exception e)
            {
                string failure = string.Create(CultureInfo.InvariantCulture, $"mutation {iteration}: {e.GetType().Name}: {e.Message}");
                if (failures.Count < 20)
                {
                    failures.Add(failure);
                }
            }
        }

        return new FuzzReport(iterations, loaded, rejected, failures, clock.Elapsed);
    }

    /// <summary>Reads and runs a file on inputs of its declared shapes (symbolic sizes 2); false when Carnet refuses to run it.</summary>
    public static bool Use(byte[] bytes)
    {
        var model = OnnxModel.Parse(bytes, "fuzz");
        if (!model.CanRun)
        {
            return model.Problems.All(p => p.StartsWith("fuzz: ", StringComparison.Ordinal)) ? false : throw new InvalidOperationException(model.Problems[0]);
        }

        var inputs = model.Inputs.ToDictionary(i => i.Name, Input);
        model.Run(inputs);
        return true;
    }

    private static OnnxTensor Input(OnnxValueInfo info)
    {
        int[] shape = [.. (info.Dimensions ?? ["2"]).Select(d => int.TryParse(d, out int size) && size is >= 0 and <= 64 ? size : 2)];
        int length = shape.Aggregate(1, (a, b) => a * b);
        return info.ElementType switch
        {
            OnnxElementType.Int64 => OnnxTensor.FromInt64(new long[length], shape),
            OnnxElementType.Int32 => OnnxTensor.FromInt32(new int[length], shape),
            OnnxElementType.Bool => OnnxTensor.FromBools(new bool[length], shape),
            _ => OnnxTensor.FromFloats([.. Enumerable.Range(0, length).Select(i => (float)Math.Sin(i))], shape),
        };
    }

    private static byte[] MutateBytes(byte[] valid, RandomSource random)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (random.NextInt(3))
        {
            case 0:
                bytes[random.NextInt(bytes.Length)] ^= (byte)(1 << random.NextInt(8)); // a bit flip anywhere
                break;
            case 1:
                bytes[random.NextInt(bytes.Length)] = (byte)random.NextInt(256);
                break;
            default:
                Array.Resize(ref bytes, random.NextInt(bytes.Length)); // truncated
                break;
        }

        return bytes;
    }

    private static byte[] MutateModel(ModelProto original, RandomSource random)
    {
        var model = original.Clone();
        var graph = model.Graph;
        long extreme = ExtremeNumbers[random.NextInt(ExtremeNumbers.Length)];
        switch (random.NextInt(8))
        {
            case 0 when graph.Initializer.Count > 0:
                var tensor = graph.Initializer[random.NextInt(graph.Initializer.Count)];
                if (tensor.Dims.Count > 0)
                {
                    tensor.Dims[random.NextInt(tensor.Dims.Count)] = extreme;
                }

                break;
            case 1 when graph.Node.Count > 0:
                var node = graph.Node[random.NextInt(graph.Node.Count)];
                foreach (var attribute in node.Attribute.Where(_ => random.NextInt(2) == 0))
                {
                    attribute.I = extreme;
                    attribute.Ints.Add(extreme);
                }

                break;
            case 2 when graph.Node.Count > 0:
                graph.Node[random.NextInt(graph.Node.Count)].OpType = OnnxModel.SupportedOperators[random.NextInt(OnnxModel.SupportedOperators.Count)];
                break;
            case 3 when graph.Node.Count > 0:
                graph.Node.RemoveAt(random.NextInt(graph.Node.Count));
                break;
            case 4 when graph.Node.Count > 1:
                var reader = graph.Node[random.NextInt(graph.Node.Count)];
                var writer = graph.Node[random.NextInt(graph.Node.Count)];
                if (reader.Input.Count > 0 && writer.Output.Count > 0)
                {
                    reader.Input[random.NextInt(reader.Input.Count)] = writer.Output[random.NextInt(writer.Output.Count)];
                }

                break;
            case 5 when graph.Initializer.Count > 0:
                graph.Initializer[random.NextInt(graph.Initializer.Count)].DataType = random.NextInt(17);
                break;
            case 6:
                model.OpsetImport[0].Version = extreme;
                break;
            default:
                if (graph.Input.Count > 0 && graph.Input[0].Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
                {
                    shape.Dim[random.NextInt(shape.Dim.Count)].DimValue = extreme;
                }

                break;
        }

        return model.ToByteArray();
    }
}
