using System.Globalization;

namespace Carnet.Tasks.Forecasting;

/// <summary>Labels for future time steps, continuing a series' time labels with the step its last labels show.</summary>
public static class TimeAxis
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM", "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy/MM/dd",
    ];

    /// <summary>
    /// The <paramref name="count"/> labels after the last of <paramref name="labels"/>: dates advance by whole months
    /// when the labels are a month apart, else by the last interval; numbers by their last difference; anything else
    /// (or a step the last labels do not agree on) gives "+1", "+2", ….
    /// </summary>
    public static string[] Continue(IReadOnlyList<string> labels, int count)
    {
        int n = labels.Count;
        string[]? result = n >= 2 ? Dates(labels, count) ?? Numbers(labels, count) : null;
        return result ?? Enumerable.Range(1, count).Select(i => "+" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private static string[]? Dates(IReadOnlyList<string> labels, int count)
    {
        string last = labels[^1];
        foreach (string format in DateFormats)
        {
            if (!TryDate(last, format, out var end) || !TryDate(labels[^2], format, out var before))
            {
                continue;
            }

            int months = (end.Year - before.Year) * 12 + end.Month - before.Month;
            bool monthly = months > 0 && end.Day == before.Day && end.TimeOfDay == before.TimeOfDay;
            var interval = end - before;
            if (!monthly && interval <= TimeSpan.Zero)
            {
                return null;
            }

            int check = Math.Min(labels.Count, 6);
            for (int i = labels.Count - check; i + 1 < labels.Count; i++)
            {
                if (!TryDate(labels[i], format, out var a) || !TryDate(labels[i + 1], format, out var b)
                    || (monthly ? a.AddMonths(months) != b : b - a != interval))
                {
                    return null;
                }
            }

            return Enumerable.Range(1, count)
                .Select(k => (monthly ? end.AddMonths(months * k) : end + interval * k).ToString(format, CultureInfo.InvariantCulture))
                .ToArray();
        }

        return null;
    }

    private static string[]? Numbers(IReadOnlyList<string> labels, int count)
    {
        int check = Math.Min(labels.Count, 6);
        var values = new long[check];
        for (int i = 0; i < check; i++)
        {
            if (!long.TryParse(labels[labels.Count - check + i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        long step = values[^1] - values[^2];
        for (int i = 0; i + 1 < check; i++)
        {
            if (step <= 0 || values[i + 1] - values[i] != step)
            {
                return null;
            }
        }

        return Enumerable.Range(1, count).Select(k => (values[^1] + step * k).ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private static bool TryDate(string text, string format, out DateTime value)
        => DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
}
