using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Shouldly;

namespace LeakGuard.Tests.Reporting;

/// <summary>Checks that a chart is a standalone SVG document whose every coordinate is a finite number inside its view box.</summary>
internal static partial class SvgAssert
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly string[] XAttributes = ["x", "x1", "x2", "cx"];
    private static readonly string[] YAttributes = ["y", "y1", "y2", "cy"];

    /// <summary>Parses <paramref name="svg"/> and checks it; returns the document.</summary>
    public static XDocument Valid(string svg)
    {
        var document = XDocument.Parse(svg); // throws on malformed XML
        var root = document.Root!;
        root.Name.ShouldBe(Svg + "svg");
        root.Attribute("version")!.Value.ShouldBe("1.1");
        var box = root.Attribute("viewBox")!.Value.Split(' ').Select(Parse).ToArray();
        box.Length.ShouldBe(4);
        var (width, height) = (box[2], box[3]);
        Parse(root.Attribute("width")!.Value).ShouldBe(width);
        Parse(root.Attribute("height")!.Value).ShouldBe(height);

        var elements = document.Descendants().ToList();
        elements.ShouldNotContain(e => e.Name.LocalName == "script" || e.Name.LocalName == "image" || e.Name.LocalName == "foreignObject");
        elements
            .SelectMany(e => e.Attributes())
            .ShouldNotContain(a => a.Name.LocalName == "href" || a.Name.LocalName.StartsWith("on", StringComparison.Ordinal));
        svg.ShouldNotContain("NaN", Case.Sensitive);
        svg.ShouldNotContain("Infinity", Case.Sensitive);
        svg.ShouldNotContain("∞");

        foreach (var element in elements.Where(e => e.Attribute("transform") is null))
        {
            foreach (var name in XAttributes)
            {
                if (element.Attribute(name) is { } x)
                    Parse(x.Value).ShouldBeInRange(0, width, $"{element.Name.LocalName} {name}");
            }
            foreach (var name in YAttributes)
            {
                if (element.Attribute(name) is { } y)
                    Parse(y.Value).ShouldBeInRange(0, height, $"{element.Name.LocalName} {name}");
            }
            if (element.Attribute("points") is { } points)
            {
                foreach (var (x, y) in Points(points.Value))
                {
                    x.ShouldBeInRange(0, width, "polyline x");
                    y.ShouldBeInRange(0, height, "polyline y");
                }
            }
            if (element.Name.LocalName == "path")
            {
                var numbers = PathNumbers().Matches(element.Attribute("d")!.Value).Select(m => Parse(m.Value)).ToList();
                numbers.Count.ShouldBeGreaterThan(0);
                for (var i = 0; i + 1 < numbers.Count; i += 2)
                {
                    numbers[i].ShouldBeInRange(0, width, "path x");
                    numbers[i + 1].ShouldBeInRange(0, height, "path y");
                }
            }
        }
        return document;
    }

    public static XElement ById(XDocument document, string id) =>
        document.Descendants().SingleOrDefault(e => (string?)e.Attribute("id") == id) ?? throw new ShouldAssertException($"no element with id '{id}'");

    public static XElement? FindById(XDocument document, string id) => document.Descendants().SingleOrDefault(e => (string?)e.Attribute("id") == id);

    public static List<(double X, double Y)> Points(string points) =>
        points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split(',')).Select(pair => (Parse(pair[0]), Parse(pair[1]))).ToList();

    public static double Parse(string value)
    {
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number).ShouldBeTrue($"'{value}' is not a number");
        double.IsFinite(number).ShouldBeTrue($"'{value}' is not finite");
        return number;
    }

    public static double Attr(XElement element, string name) => Parse(element.Attribute(name)!.Value);

    [GeneratedRegex(@"-?[0-9]+(\.[0-9]+)?")]
    private static partial Regex PathNumbers();
}
