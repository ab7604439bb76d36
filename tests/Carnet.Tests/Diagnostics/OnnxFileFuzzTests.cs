using Carnet.Cli.Diagnostics;
using Carnet.Models;
using Carnet.Onnx;
using Carnet.Tests.Onnx;

namespace Carnet.Tests.Diagnostics;

/// <summary>
/// Thousands of mutations of valid ONNX files, as bytes and as models (extreme dimensions and attributes, swapped
/// operators, dropped nodes, rewired inputs, other element types and opsets): each is rejected with one line naming
/// the file, or reads and runs.
/// </summary>
public sealed class OnnxFileFuzzTests
{
    public static TheoryData<string> Files => new()
    {
        "node/test_lstm_with_peepholes/model.onnx",
        "node/test_gru_seq_length/model.onnx",
        "torch/seq_lstm_tokens_l2_last_op17.onnx",
        "torch/gru_bi_l2_bf_dyn_state_op15.onnx",
        "exported: attention with lengths",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryMutationIsRejectedCleanlyOrRuns(string file)
    {
        byte[] valid = file.StartsWith("exported", StringComparison.Ordinal)
            ? OnnxExport.Serialize(OnnxExportTests.Model("LSTM", bidirectional: true, layers: 1, Pooling.Attention, embedding: true, seed: 3),
                new OnnxExportOptions { VariableLengths = true })
            : File.ReadAllBytes(Path.Combine(OnnxCaseFiles.Root, file));
        var report = OnnxFileFuzzer.Run(valid, iterations: 3000, seed: 5);
        Assert.Empty(report.Failures);
        Assert.Equal(3000, report.Rejected + report.Loaded);
        Assert.True(report.Rejected > 1000, $"only {report.Rejected} rejected");
        Assert.True(report.Loaded > 100, $"only {report.Loaded} ran");
    }
}
