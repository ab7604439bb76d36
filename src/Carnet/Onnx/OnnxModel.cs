using Carnet.IO;
using Carnet.Onnx.Protocol;
using Google.Protobuf;

namespace Carnet.Onnx;

/// <summary>A graph input or output: its name, element type and dimensions (a number, a symbolic name, or "?").</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="TypeName">ONNX's name of the element type (FLOAT, INT64…), or "?" when the file leaves it out.</param>
/// <param name="ElementType">The element type when Carnet holds it, otherwise null.</param>
/// <param name="Dimensions">Each dimension as written: a size, a symbolic name, or "?"; null when the rank is not given.</param>
public sealed record OnnxValueInfo(string Name, string TypeName, OnnxElementType? ElementType, IReadOnlyList<string>? Dimensions)
{
    /// <summary>The value as <c>x: FLOAT [batch, 3]</c>.</summary>
    public override string ToString() => $"{Name}: {TypeName} {(Dimensions is null ? "(rank unknown)" : "[" + string.Join(", ", Dimensions) + "]")}";
}

/// <summary>
/// An ONNX model read into Carnet's pure-managed runtime: the graph's inputs, outputs and operators, and
/// <see cref="Run"/>, which executes its nodes in order. Recurrent operators run on Carnet's recurrent layers. Every
/// problem (malformed bytes, an unsupported operator, a shape that does not fit) is an
/// <see cref="OnnxFormatException"/> with one line naming the file, node or tensor.
/// </summary>
public sealed class OnnxModel
{
    private readonly OnnxNode[] nodes;
    private readonly Dictionary<string, OnnxTensor> initializers;

    private OnnxModel(ModelProto model, string source)
    {
        Source = source;
        var graph = model.Graph ?? throw new OnnxFormatException($"{source}: the model has no graph");
        IrVersion = model.IrVersion;
        Producer = (model.ProducerName + " " + model.ProducerVersion).Trim();
        Opset = DefaultOpset(model, source);
        initializers = ReadInitializers(graph, source);
        Inputs = [.. graph.Input.Where(i => !initializers.ContainsKey(i.Name)).Select(i => Describe(i, source))];
        Outputs = [.. graph.Output.Select(o => Describe(o, source))];
        nodes = [.. graph.Node.Select((n, i) => new OnnxNode(n, i, Opset, source))];
        OperatorCounts = nodes.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        Problems = FindProblems(graph, source);
    }

    /// <summary>The file (or the name given to <see cref="Parse"/>), as messages name it.</summary>
    public string Source { get; }

    /// <summary>The ONNX IR version the file declares.</summary>
    public long IrVersion { get; }

    /// <summary>The version of the default operator set (ai.onnx) the graph imports.</summary>
    public int Opset { get; }

    /// <summary>The program that wrote the file, with its version, as the file says.</summary>
    public string Producer { get; }

    /// <summary>The inputs a caller feeds (graph inputs that no initializer defaults).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph's outputs, in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>How many nodes use each operator type, by type.</summary>
    public IReadOnlyDictionary<string, int> OperatorCounts { get; }

    /// <summary>Why Carnet cannot run the graph, one line each (an unsupported operator or opset); empty when it can.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Whether Carnet can run the graph.</summary>
    public bool CanRun => Problems.Count == 0;

    /// <summary>The nodes in execution order.</summary>
    internal IReadOnlyList<OnnxNode> Nodes => nodes;

    /// <summary>
    /// Every value the graph computes without its inputs: the initializers and the outputs of nodes that read only them
    /// (folded by running those nodes once).
    /// </summary>
    internal Dictionary<string, OnnxTensor> FoldConstants()
    {
        var constants = new Dictionary<string, OnnxTensor>(initializers, StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.Inputs.All(i => i.Length == 0 || constants.ContainsKey(i))))
        {
            Execute(node, constants);
        }

        return constants;
    }

    /// <summary>Every operator type the runtime supports, sorted.</summary>
    public static IReadOnlyList<string> SupportedOperators => OnnxOperators.Names;

    /// <summary>Reads an ONNX file.</summary>
    /// <exception cref="OnnxFormatException">The file is not a well-formed ONNX model.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static OnnxModel Load(string path) => Parse(InputFile.ReadAllBytes(path), path);

    /// <summary>Reads an ONNX model from its bytes; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Parse(byte[] bytes, string source)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{source}: not an ONNX model ({e.Message.TrimEnd('.')})", e);
        }

        return new OnnxModel(model, source);
    }

    /// <summary>
    /// Runs the graph on one tensor per input (named as <see cref="Inputs"/> names them) and returns one tensor per
    /// output, by name. Safe to call from one thread at a time.
    /// </summary>
    /// <exception cref="OnnxFormatException">An input is missing or does not fit, or a node cannot run; the message names it.</exception>
    public IReadOnlyDictionary<string, OnnxTensor> Run(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        if (Problems.Count > 0)
        {
            throw new OnnxFormatException(Problems[0]);
        }

        var values = new Dictionary<string, OnnxTensor>(initializers, StringComparer.Ordinal);
        foreach (var info in Inputs)
        {
            values[info.Name] = CheckInput(info, inputs);
        }

        foreach (var name in inputs.Keys.Where(k => !values.ContainsKey(k)))
        {
            throw new OnnxFormatException($"{Source}: the graph has no input '{name}'; its inputs are {string.Join(", ", Inputs.Select(i => i.Name))}");
        }

        foreach (var node in nodes)
        {
            Execute(node, values);
        }

        return Outputs.ToDictionary(o => o.Name, o => values.TryGetValue(o.Name, out var value)
            ? value
            : throw new OnnxFormatException($"{Source}: no node writes the graph output '{o.Name}'"));
    }

    private static void Execute(OnnxNode node, Dictionary<string, OnnxTensor> values)
    {
        var arguments = new OnnxTensor?[node.Inputs.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            string name = node.Inputs[i];
            arguments[i] = name.Length == 0 ? null
                : values.TryGetValue(name, out var value) ? value
                : throw node.Fail($"reads '{name}', which no input, initializer or earlier node defines");
        }

        OnnxTensor?[] results;
        try
        {
            results = OnnxOperators.Find(node.OpType)!(node, arguments);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or ArithmeticException or KeyNotFoundException)
        {
            throw node.Fail(e.Message);
        }

        for (int i = 0; i < node.Outputs.Length; i++)
        {
            if (node.Outputs[i].Length == 0)
            {
                continue;
            }

            values[node.Outputs[i]] = i < results.Length && results[i] is { } result ? result : throw node.Fail($"does not produce output {i} ('{node.Outputs[i]}')");
        }
    }

    private OnnxTensor CheckInput(OnnxValueInfo info, IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        if (!inputs.TryGetValue(info.Name, out var tensor))
        {
            throw new OnnxFormatException($"{Source}: input '{info.Name}' is missing; the graph needs {info}");
        }

        bool typeFits = info.ElementType is null || info.ElementType == tensor.ElementType;
        bool rankFits = info.Dimensions is null || info.Dimensions.Count == tensor.Rank;
        bool sizesFit = rankFits && (info.Dimensions is null || info.Dimensions.Select((d, i) => !int.TryParse(d, out int size) || size == tensor.Shape[i]).All(x => x));
        if (!typeFits || !sizesFit)
        {
            throw new OnnxFormatException($"{Source}: input '{info.Name}' is {tensor}; the graph needs {info}");
        }

        return tensor;
    }

    private static int DefaultOpset(ModelProto model, string source)
    {
        var imported = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        return imported is null
            ? throw new OnnxFormatException($"{source}: the model imports no version of the default operator set (ai.onnx)")
            : imported.Version is > 0 and <= int.MaxValue ? (int)imported.Version : throw new OnnxFormatException($"{source}: opset version {imported.Version}");
    }

    private static Dictionary<string, OnnxTensor> ReadInitializers(GraphProto graph, string source)
    {
        var result = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var proto in graph.Initializer)
        {
            try
            {
                result[proto.Name] = OnnxTensorCodec.Decode(proto, $"initializer '{proto.Name}'");
            }
            catch (ArgumentException e)
            {
                throw new OnnxFormatException($"{source}: {e.Message}", e);
            }
        }

        if (graph.SparseInitializer.Count > 0)
        {
            throw new OnnxFormatException($"{source}: sparse initializer '{graph.SparseInitializer[0].Values?.Name}' is not supported; Carnet reads dense tensors");
        }

        return result;
    }

    private static OnnxValueInfo Describe(ValueInfoProto info, string source)
    {
        if (info.Type?.TensorType is not { } tensor)
        {
            throw new OnnxFormatException($"{source}: graph value '{info.Name}' is not a tensor; Carnet runs tensor graphs");
        }

        OnnxElementType? type = null;
        try
        {
            type = tensor.HasElemType ? OnnxTensorCodec.ElementType(tensor.ElemType, info.Name) : null;
        }
        catch (ArgumentException)
        {
            type = null;
        }

        string typeName = tensor.HasElemType ? OnnxTensorCodec.TypeName(tensor.ElemType) : "?";
        var dims = tensor.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : d.HasDimParam && d.DimParam.Length > 0 ? d.DimParam : "?").ToArray();
        return new OnnxValueInfo(info.Name, typeName, type, dims);
    }

    private List<string> FindProblems(GraphProto graph, string source)
    {
        var problems = new List<string>();
        if (Opset is < OnnxOperators.MinimumOpset or > OnnxOperators.MaximumOpset)
        {
            problems.Add($"{source}: opset {Opset} is outside the {OnnxOperators.MinimumOpset}–{OnnxOperators.MaximumOpset} Carnet runs");
        }

        foreach (var info in Inputs.Concat(Outputs).Where(i => i.ElementType is null && i.TypeName != "?"))
        {
            problems.Add($"{source}: graph value '{info.Name}' has element type {info.TypeName}; Carnet runs float, int64, int32 and bool tensors");
        }

        foreach (string name in graph.Input.Select(i => i.Name).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problems.Add($"{source}: graph input '{name}' is declared more than once; ONNX names each value once");
        }

        var defined = new HashSet<string>(initializers.Keys.Concat(graph.Input.Select(i => i.Name)), StringComparer.Ordinal);
        for (int i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            var proto = graph.Node[i];
            if (proto.Domain is not ("" or "ai.onnx"))
            {
                problems.Add(node.Fail($"domain '{proto.Domain}' is not supported; Carnet runs the default ONNX domain").Message);
            }
            else if (OnnxOperators.Find(node.OpType) is null)
            {
                problems.Add(node.Fail("operator not supported; see docs/INTEROP.md for the operators Carnet runs").Message);
            }
            else if (proto.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))
            {
                problems.Add(node.Fail("has a subgraph attribute; Carnet runs flat graphs").Message);
            }

            foreach (string input in node.Inputs.Where(n => n.Length > 0 && !defined.Contains(n)))
            {
                problems.Add(node.Fail($"reads '{input}', which no input, initializer or earlier node defines").Message);
            }

            foreach (string output in node.Outputs.Where(n => n.Length > 0 && !defined.Add(n)))
            {
                problems.Add(node.Fail($"writes '{output}', which an input, initializer or earlier node already defines; ONNX names each value once").Message);
            }
        }

        return problems;
    }
}
