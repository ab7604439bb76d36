using System.CommandLine;
using System.Globalization;
using System.Text;
using Carnet.IO;
using Carnet.Models;
using Carnet.Tasks.Classification;
using Carnet.Tasks.Data;
using Carnet.Tasks.Forecasting;

namespace Carnet.Cli;

/// <summary><c>carnet predict</c>: uses a model written by <c>carnet forecast</c> or <c>carnet classify</c> on new data.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors written by carnet forecast or carnet classify.", Required = true };
        var data = new Option<string>("--data") { Description = "CSV file with the same columns as at training (the label column may be absent).", Required = true };
        var result = new Option<string?>("--output") { Description = "Write the CSV here instead of to the terminal." };
        var command = new Command(
            "predict",
            "Forecast the next horizon after the end of a series, or label new sequences, with a trained model.\n" +
            "Example: carnet predict --model runs/forecast-airpassengers/model.safetensors --data data/airpassengers.csv")
        {
            model, data, result,
        };
        command.SetAction(parse => CommandSupport.Guard("predict", error, () =>
        {
            string modelPath = parse.GetValue(model)!, dataPath = parse.GetValue(data)!;
            var file = SafeTensorsFile.Read(modelPath);
            var loaded = ModelFile.Load<float>(file);
            string task = loaded.Task;
            string csv = task switch
            {
                ForecastModel.Task => Forecast(ForecastModel.FromLoaded(loaded, file.Source), CsvTable.Read(dataPath)),
                SequenceClassifier.Task => Classify(SequenceClassifier.FromLoaded(loaded, file.Source), CsvTable.Read(dataPath)),
                _ => throw new SafeTensorsFormatException(file.Source, $"this model's task is '{task}'; carnet predict uses models written by carnet forecast or carnet classify"),
            };
            if (parse.GetValue(result) is { } outputPath)
            {
                string temporary = outputPath + ".tmp";
                File.WriteAllText(temporary, csv, new UTF8Encoding(false));
                File.Move(temporary, outputPath, overwrite: true);
                output.WriteLine($"written: {outputPath}");
            }
            else
            {
                output.Write(csv);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The series a forecasting model reads from a table: its target, features and time column.</summary>
    public static SeriesData Series(ForecastModel model, CsvTable table)
        => SeriesData.FromTable(table, model.Target, model.Features, model.TimeColumn == "year+month" ? null : model.TimeColumn);

    /// <summary>The sequences a classifier reads from a table, with or without the label column.</summary>
    public static LabelledSequences Sequences(SequenceClassifier model, CsvTable table)
    {
        var columns = model.Columns;
        if (columns.Label is { } label && !table.Header.Contains(label))
        {
            columns = columns with { Label = null };
        }

        return LabelledSequences.FromTable(table, columns);
    }

    private static string Forecast(ForecastModel model, CsvTable table)
    {
        var series = Series(model, table);
        double[] values = model.ForecastNext(series);
        string[] times = series.FutureTimes(values.Length);
        var text = new StringBuilder($"time,{ForecastCommand.CsvField(model.Target)}\n");
        for (int h = 0; h < values.Length; h++)
        {
            text.Append(ForecastCommand.CsvField(times[h])).Append(',').Append(values[h].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static string Classify(SequenceClassifier model, CsvTable table)
    {
        var sequences = Sequences(model, table);
        double[] probabilities = model.Probabilities(sequences);
        int[] predicted = model.Predict(probabilities);
        var classes = model.Classes;
        var text = new StringBuilder("id,predicted");
        foreach (string c in classes)
        {
            text.Append(',').Append(ForecastCommand.CsvField("p_" + c));
        }

        text.Append('\n');
        for (int n = 0; n < predicted.Length; n++)
        {
            text.Append(ForecastCommand.CsvField(sequences.Ids[n])).Append(',').Append(ForecastCommand.CsvField(classes[predicted[n]]));
            for (int c = 0; c < classes.Count; c++)
            {
                text.Append(',').Append(probabilities[n * classes.Count + c].ToString("0.######", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
