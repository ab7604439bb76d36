using System.Text;

namespace Carnet.Cli.Reporting;

/// <summary>How a text's position relates to its anchor point (SVG <c>text-anchor</c>).</summary>
internal enum TextAnchor
{
    Start,
    Middle,
    End,
}

/// <summary>
/// Writes one SVG document: the root with <c>viewBox</c>, <c>role="img"</c> and an accessible <c>&lt;title&gt;</c>, a white
/// background, then shapes and text with escaped content and invariant two-decimal coordinates. No ids are written, so
/// several charts can share one HTML page.
/// </summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder builder = new();

    /// <summary>Starts the document.</summary>
    public SvgBuilder(double width, double height, string title)
    {
        string w = Markup.Coordinate(width), h = Markup.Coordinate(height);
        builder.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(w).Append(' ').Append(h)
            .Append("\" width=\"").Append(w).Append("\" height=\"").Append(h)
            .Append("\" role=\"img\" font-family=\"").Append(Markup.Escape(Markup.FontStack)).Append("\" font-size=\"12\">\n");
        builder.Append("<title>").Append(Markup.Escape(title)).Append("</title>\n");
        builder.Append("<rect width=\"").Append(w).Append("\" height=\"").Append(h).Append("\" fill=\"#ffffff\"/>\n");
    }

    /// <summary>A whole chart that only says there is nothing to draw.</summary>
    public static string NoData(double width, double height, string title) =>
        new SvgBuilder(width, height, title)
            .Text(16, 24, title, size: 15, bold: true, fill: "#1f2328")
            .Text(width / 2, height / 2, "no data", TextAnchor.Middle, 14, "#6e7781")
            .Finish();

    /// <summary>A text element; <paramref name="rotate"/> degrees turn it about its anchor point.</summary>
    public SvgBuilder Text(double x, double y, string text, TextAnchor anchor = TextAnchor.Start, double size = 12,
        string fill = "#333333", bool bold = false, double rotate = 0)
    {
        builder.Append("<text x=\"").Append(Markup.Coordinate(x)).Append("\" y=\"").Append(Markup.Coordinate(y)).Append('"');
        if (anchor != TextAnchor.Start)
        {
            builder.Append(" text-anchor=\"").Append(anchor == TextAnchor.Middle ? "middle" : "end").Append('"');
        }

        if (size != 12)
        {
            builder.Append(" font-size=\"").Append(Markup.Coordinate(size)).Append('"');
        }

        if (bold)
        {
            builder.Append(" font-weight=\"bold\"");
        }

        if (rotate != 0)
        {
            builder.Append(" transform=\"rotate(").Append(Markup.Coordinate(rotate)).Append(' ')
                .Append(Markup.Coordinate(x)).Append(' ').Append(Markup.Coordinate(y)).Append(")\"");
        }

        builder.Append(" fill=\"").Append(fill).Append("\">").Append(Markup.Escape(text)).Append("</text>\n");
        return this;
    }

    /// <summary>A straight line; <paramref name="dash"/> is an SVG <c>stroke-dasharray</c> or null for solid.</summary>
    public SvgBuilder Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null)
    {
        builder.Append("<line x1=\"").Append(Markup.Coordinate(x1)).Append("\" y1=\"").Append(Markup.Coordinate(y1))
            .Append("\" x2=\"").Append(Markup.Coordinate(x2)).Append("\" y2=\"").Append(Markup.Coordinate(y2))
            .Append("\" stroke=\"").Append(stroke).Append('"');
        AppendStroke(width, dash);
        builder.Append("/>\n");
        return this;
    }

    /// <summary>A filled rectangle, with an optional tooltip.</summary>
    public SvgBuilder Rect(double x, double y, double width, double height, string fill, string? tooltip = null, string? stroke = null)
    {
        builder.Append("<rect x=\"").Append(Markup.Coordinate(x)).Append("\" y=\"").Append(Markup.Coordinate(y))
            .Append("\" width=\"").Append(Markup.Coordinate(Math.Max(0, width))).Append("\" height=\"")
            .Append(Markup.Coordinate(Math.Max(0, height))).Append("\" fill=\"").Append(fill).Append('"');
        if (stroke is not null)
        {
            builder.Append(" stroke=\"").Append(stroke).Append('"');
        }

        if (tooltip is null)
        {
            builder.Append("/>\n");
        }
        else
        {
            builder.Append("><title>").Append(Markup.Escape(tooltip)).Append("</title></rect>\n");
        }

        return this;
    }

    /// <summary>An unfilled polyline through the given pixel points.</summary>
    public SvgBuilder Polyline(IReadOnlyList<(double X, double Y)> points, string stroke, double width, string? dash)
    {
        builder.Append("<polyline points=\"");
        for (int i = 0; i < points.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Markup.Coordinate(points[i].X)).Append(',').Append(Markup.Coordinate(points[i].Y));
        }

        builder.Append("\" fill=\"none\" stroke=\"").Append(stroke).Append('"');
        AppendStroke(width, dash);
        builder.Append(" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n");
        return this;
    }

    /// <summary>A filled path with SVG path data <paramref name="data"/>.</summary>
    public SvgBuilder Path(string data, string fill)
    {
        builder.Append("<path d=\"").Append(data).Append("\" fill=\"").Append(fill).Append("\"/>\n");
        return this;
    }

    /// <summary>A filled circle.</summary>
    public SvgBuilder Circle(double x, double y, double radius, string fill)
    {
        builder.Append("<circle cx=\"").Append(Markup.Coordinate(x)).Append("\" cy=\"").Append(Markup.Coordinate(y))
            .Append("\" r=\"").Append(Markup.Coordinate(radius)).Append("\" fill=\"").Append(fill).Append("\"/>\n");
        return this;
    }

    /// <summary>
    /// Opens a group with a class name (a hook for readers and tests; no stylesheet uses it) and an optional tooltip;
    /// <paramref name="crispEdges"/> turns off anti-aliasing so adjacent cells show no seams.
    /// </summary>
    public SvgBuilder BeginGroup(string className, string? tooltip = null, bool crispEdges = false)
    {
        builder.Append("<g class=\"").Append(className).Append('"');
        if (crispEdges)
        {
            builder.Append(" shape-rendering=\"crispEdges\"");
        }

        builder.Append(">\n");
        if (tooltip is not null)
        {
            builder.Append("<title>").Append(Markup.Escape(tooltip)).Append("</title>\n");
        }

        return this;
    }

    /// <summary>Closes the innermost group.</summary>
    public SvgBuilder EndGroup()
    {
        builder.Append("</g>\n");
        return this;
    }

    /// <summary>The finished document.</summary>
    public string Finish() => builder.ToString() + "</svg>\n";

    private void AppendStroke(double width, string? dash)
    {
        if (width != 1)
        {
            builder.Append(" stroke-width=\"").Append(Markup.Coordinate(width)).Append('"');
        }

        if (dash is not null)
        {
            builder.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        }
    }
}
