using System.CommandLine;
using System.Globalization;
using Carnet.Models;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;
using Carnet.Training;

namespace Carnet.Cli;

/// <summary><c>carnet demo</c>: trains an LSTM on a monthly series and prints the loss falling, then the held-out error.</summary>
internal static class DemoCommand
{
    private const string DefaultData = "data/airpassengers.csv";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string>("--data") { Description = "CSV file with a header row.", DefaultValueFactory = _ => DefaultData };
        var column = new Option<string>("--column") { Description = "The numeric column to model.", DefaultValueFactory = _ => "passengers_thousands" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training windows.", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initial weights and shuffles.", DefaultValueFactory = _ => 42UL };
        var save = new Option<string?>("--save") { Description = "Also write the trained model to this .safetensors file." };
        var command = new Command(
            "demo",
            "Train an LSTM to predict a series one step ahead and compare it with the naive forecast.\n" +
            "Example: carnet demo --data data/airpassengers.csv --column passengers_thousands --epochs 100")
        {
            data, column, epochs, seed, save,
        };
        command.SetAction(parse => Run(parse.GetValue(data)!, parse.GetValue(column)!, parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(save), output, error));
        return command;
    }

    private static int Run(string dataPath, string columnName, int epochs, ulong seed, string? save, TextWriter output, TextWriter error)
    {
        try
        {
            string path = Resolve(dataPath);
            double[] series = CsvTable.Read(path).NumericColumn(columnName);
            var options = new SeriesDemoOptions { Epochs = epochs, Seed = seed };
            output.WriteLine($"Training an LSTM ({options.HiddenSize} units, window {options.Window}) on {series.Length} values of '{columnName}' " +
                $"from {path}; the last {options.TestSize} are held out.");
            var report = SeriesDemo.Run(series, options, e =>
            {
                if (e.Epoch == 1 || e.Epoch % 10 == 0)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch,4}  training loss {e.TrainingLoss:F5}"));
                }
            });
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out one-step RMSE: LSTM {report.ModelRootMeanSquaredError:F2}, naive (previous value) {report.NaiveRootMeanSquaredError:F2}"));
            if (save is not null)
            {
                ModelFile.Save(save, report.Model, report.Preprocessing);
                output.WriteLine($"model written to {save}");
            }

            return 0;
        }
        catch (Exception e) when (e is DataFormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"carnet demo: {e.Message}");
            return 2;
        }
    }

    private static string Resolve(string path)
    {
        if (File.Exists(path) || path != DefaultData)
        {
            return path;
        }

        string beside = Path.Combine(AppContext.BaseDirectory, DefaultData);
        return File.Exists(beside) ? beside : path;
    }
}
