using Carnet.Cli.Diagnostics;
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
        "node/test_simple_rnn_batchwise/model.onnx",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryMutationIsRejectedCleanlyOrRuns(string file)
    {
        byte[] valid = File.ReadAllBytes(Path.Combine(OnnxCaseFiles.Root, file));
        var report = OnnxFileFuzzer.Run(valid, iterations: 3000, seed: 5);
        Assert.Empty(report.Failures);
        Assert.Equal(3000, report.Rejected + report.Loaded);
        Assert.True(report.Rejected > 1000, $"only {report.Rejected} rejected");
        Assert.True(report.Loaded > 100, $"only {report.Loaded} ran");
    }
}
