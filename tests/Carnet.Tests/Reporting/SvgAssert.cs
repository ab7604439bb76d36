using System.Globalization;
using System.Xml.Linq;

namespace Carnet.Tests.Reporting;

/// <summary>Parsing and querying the SVG the charts write.</summary>
internal static class SvgAssert
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Parses a standalone SVG (throws if it is not well-formed XML) and checks the root every chart must have.</summary>
    public static XElement Parse(string svg, string title)
    {
        var root = XDocument.Parse(svg).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("img", (string?)root.Attribute("role"));
        Assert.Matches(@"^0 0 \d+(\.\d+)? \d+(\.\d+)?$", (string?)root.Attribute("viewBox"));
        var first = root.Elements().First();
        Assert.Equal(Svg + "title", first.Name);
        Assert.Equal(title, first.Value);
        return root;
    }

    /// <summary>The group with a class name (the charts mark their data layers so).</summary>
    public static XElement Group(XElement root, string className) =>
        root.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == className);

    /// <summary>The groups with a class name.</summary>
    public static IEnumerable<XElement> Groups(XElement root, string className) =>
        root.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == className);

    /// <summary>A numeric attribute, read with the invariant culture.</summary>
    public static double Number(XElement element, string attribute) =>
        double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    /// <summary>The points of a polyline.</summary>
    public static (double X, double Y)[] Points(XElement polyline) =>
        [.. ((string)polyline.Attribute("points")!).Split(' ').Select(p =>
        {
            string[] xy = p.Split(',');
            return (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture));
        })];

    /// <summary>The texts of all text elements, in document order.</summary>
    public static string[] Texts(XElement root) => [.. root.Descendants(Svg + "text").Select(t => t.Value)];

    /// <summary>Runs <paramref name="action"/> under a culture whose decimal separator is a comma (fr-FR where the runtime has it).</summary>
    public static T WithCommaDecimalCulture<T>(Func<T> action)
    {
        CultureInfo french;
        try
        {
            french = (CultureInfo)new CultureInfo("fr-FR").Clone();
        }
        catch (CultureNotFoundException)
        {
            french = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        }

        french.NumberFormat.NumberDecimalSeparator = ",";
        french.NumberFormat.NumberGroupSeparator = "\u202F";
        french.NumberFormat.PercentDecimalSeparator = ",";
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = french;
            CultureInfo.CurrentUICulture = french;
            Assert.Equal("1,5", 1.5.ToString());
            return action();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
    }
}
