using System.Text;
using System.Xml.Linq;
using Carnet.Cli.Reporting;

namespace Carnet.Tests.Reporting;

/// <summary>The HTML page: self-contained, well-formed, escaped, deterministic, and saved atomically.</summary>
public sealed class HtmlReportTests
{
    private static readonly XNamespace Svg = SvgAssert.Svg;

    private static HtmlReport Sample()
    {
        var line = new LineChart("Forecast", "t", "y");
        line.AddSeries("actual", [1.5, 2.25, 3.125, 2.0]).AddVerticalMarker(2, "test starts");
        var bars = new BarChart("Per class", "F1") { Minimum = 0, Maximum = 1 }.Add("a", 0.75);
        var report = new HtmlReport("Carnet report");
        report.AddHeading("Summary")
            .AddKeyValueTable([new("model", "LSTM"), new("RMSE", "12.5")])
            .AddParagraph("The model was trained on 132 points.")
            .AddSvg(line.RenderSvg())
            .AddTable(["class", "precision", "support"], [["cat", "0.91", "120"], ["dog", "0.75", "80"]])
            .AddSvg(bars.RenderSvg())
            .AddPreformatted("LSTM(1 -> 32)\r\n  Linear(32 -> 1)");
        return report;
    }

    /// <summary>The page parsed as XML: it is written so that, after its doctype, it is well-formed.</summary>
    private static XElement ParsePage(string html)
    {
        const string doctype = "<!DOCTYPE html>\n";
        Assert.StartsWith(doctype, html);
        return XDocument.Parse(html[doctype.Length..]).Root!;
    }

    [Fact]
    public void PageIsWellFormedWithEveryChartInline()
    {
        string html = Sample().Render();
        var page = ParsePage(html);
        Assert.Equal("html", page.Name.LocalName);
        Assert.Equal("Carnet report", page.Descendants("title").First().Value);
        Assert.Equal("Carnet report", page.Descendants("h1").Single().Value);
        Assert.Equal("Summary", page.Descendants("h2").Single().Value);
        var charts = page.Descendants(Svg + "svg").ToArray();
        Assert.Equal(2, charts.Length);
        Assert.Equal(["Forecast", "Per class"], charts.Select(c => c.Element(Svg + "title")!.Value));
        Assert.All(charts, c => Assert.Equal("figure", c.Parent!.Name.LocalName));

        int start = 0;
        int fragments = 0;
        while ((start = html.IndexOf("<svg", start, StringComparison.Ordinal)) >= 0)
        {
            int end = html.IndexOf("</svg>", start, StringComparison.Ordinal) + "</svg>".Length;
            SvgAssert.Parse(html[start..end], fragments == 0 ? "Forecast" : "Per class");
            fragments++;
            start = end;
        }

        Assert.Equal(2, fragments);
        Assert.Equal("LSTM(1 -> 32)\n  Linear(32 -> 1)", page.Descendants("pre").Single().Value);
    }

    [Fact]
    public void PageNeedsNothingFromOutside()
    {
        string html = Sample().Render();
        foreach (string forbidden in new[] { "<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "@font-face" })
        {
            Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
        }

        string withoutNamespace = html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("http", withoutNamespace, StringComparison.Ordinal);
        Assert.Contains("<style>", html);
        Assert.Contains("<meta charset=\"utf-8\"/>", html);
    }

    [Fact]
    public void AllTextIsEscaped()
    {
        const string nasty = "<b>x</b> & \"q\" 'a'";
        var report = new HtmlReport(nasty) { GeneratedBy = nasty };
        report.AddHeading(nasty, 3).AddParagraph(nasty).AddTable([nasty], [[nasty]]).AddPreformatted(nasty)
            .AddKeyValueTable([new(nasty, nasty)]);
        string html = report.Render();
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; &#39;a&#39;", html);
        var page = ParsePage(html);
        Assert.Equal(nasty, page.Descendants("title").Single().Value);
        Assert.Equal(nasty, page.Descendants("h3").Single().Value);
        Assert.Equal(nasty, page.Descendants("p").First().Value);
        Assert.Equal(nasty, page.Descendants("th").Single().Value);
        Assert.Equal(nasty, page.Descendants("pre").Single().Value);
        Assert.Equal(3, page.Descendants("td").Count(td => td.Value == nasty));
        Assert.Equal(nasty, page.Descendants("p").Single(p => (string?)p.Attribute("class") == "generated").Value);
    }

    [Fact]
    public void NumericCellsAreRightAligned()
    {
        var report = new HtmlReport("t");
        report.AddTable(["name", "value", "share", "mixed"], [
            ["alpha", "12.5", "95.1%", "3"],
            ["beta", "-3", "4 %", "n/a"],
            ["1.2.3", "1,234", "−0.5%", "7"],
        ]);
        var page = ParsePage(report.Render());
        var header = page.Descendants("th").Select(th => (string?)th.Attribute("class") ?? string.Empty).ToArray();
        Assert.Equal(["", "num", "num", ""], header);
        var cells = page.Descendants("td").Select(td => (td.Value, Class: (string?)td.Attribute("class"))).ToArray();
        Assert.All(cells.Where(c => c.Value is "12.5" or "95.1%" or "-3" or "4 %" or "3" or "1,234" or "−0.5%" or "7"),
            c => Assert.Equal("num", c.Class));
        Assert.All(cells.Where(c => c.Value is "alpha" or "beta" or "n/a" or "1.2.3"), c => Assert.Null(c.Class));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var report = new HtmlReport("t");
        Assert.Throws<ArgumentException>(() => report.AddTable(["a", "b"], [["1"]]));
        Assert.Throws<ArgumentException>(() => report.AddSvg("<div>not a chart</div>"));
        Assert.Throws<ArgumentOutOfRangeException>(() => report.AddHeading("h", 1));
        report.AddSvg("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\" role=\"img\"><title>x</title></svg>");
        Assert.DoesNotContain("<?xml", report.Render());
    }

    [Fact]
    public void RenderingIsDeterministicWithoutATimestamp()
    {
        string first = Sample().Render();
        Assert.Equal(first, Sample().Render());
        Assert.DoesNotContain("class=\"generated\"", first);
        Assert.DoesNotContain("\r", first);
        Assert.DoesNotContain(DateTime.Now.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), first);
        Assert.Equal(first, SvgAssert.WithCommaDecimalCulture(() => Sample().Render()));

        var stamped = Sample();
        stamped.GeneratedBy = "Generated by carnet 1.0";
        Assert.Contains("<p class=\"generated\">Generated by carnet 1.0</p>", stamped.Render());
    }

    [Fact]
    public void SaveWritesAtomicallyAndLeavesNoTemporaryFile()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"carnet-report-{Guid.NewGuid():N}");
        try
        {
            string path = Path.Combine(folder, "nested", "report.html");
            var report = Sample();
            report.Save(path);
            Assert.Equal(report.Render(), File.ReadAllText(path, Encoding.UTF8));
            Assert.NotEqual(0xEF, File.ReadAllBytes(path)[0]);

            report.AddParagraph("second version");
            report.Save(path);
            Assert.Equal(report.Render(), File.ReadAllText(path, Encoding.UTF8));
            Assert.Equal(["report.html"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));

            string blocked = Path.Combine(folder, "taken");
            Directory.CreateDirectory(blocked);
            Assert.ThrowsAny<IOException>(() => report.Save(blocked));
            Assert.False(File.Exists(blocked + ".tmp"), "the temporary file was left behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
