using Carnet.Cli;
using Carnet.Tests.Training;

namespace Carnet.Tests.Cli;

/// <summary>The command line end to end: the demo's output, and one clear line with exit code 2 for bad input.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void DemoPrintsTheFallingLossAndTheHeldOutError()
    {
        var (code, output, error) = Run("demo", "--data", SeriesDemoTests.AirPassengers, "--epochs", "10");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains("epoch    1  training loss", output);
        Assert.Contains("epoch   10  training loss", output);
        Assert.Contains("naive (previous value) 51.78", output);
    }

    [Fact]
    public void BadInputGetsOneLineAndExitCodeTwo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"carnet-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "t,value\n1,5\n2,oops\n");
        try
        {
            var (code, output, error) = Run("demo", "--data", path, "--column", "value");
            Assert.Equal(2, code);
            Assert.Equal(string.Empty, output);
            Assert.Equal($"carnet demo: {path}:3:2: 'oops' in column 'value' is not a finite number", error.Trim());

            (code, _, error) = Run("demo", "--data", SeriesDemoTests.AirPassengers, "--column", "nope");
            Assert.Equal(2, code);
            Assert.Contains("no column 'nope'; the columns are year, month, passengers_thousands", error);
            Assert.DoesNotContain("   at ", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CarnetApplication.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
