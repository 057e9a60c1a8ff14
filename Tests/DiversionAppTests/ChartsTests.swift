import Foundation
import Testing
@testable import DiversionApp

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses markup as XML and collects what the checks need: element names, attributes and text.
final class XMLCheck: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""
    var error: (any Error)?

    static func parse(_ markup: String) -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(markup.utf8))
        parser.delegate = check
        if !parser.parse() { check.error = parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return check
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) {
        self.error = error
    }

    func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
}

@Suite("Charts drawn as SVG")
struct ChartsTests {
    static let label = ChartLabel(id: "diverted", title: "Share diverted", description: "By sex and age group.")

    static let bars = Charts.bars(
        label, categories: ["18-24", "25-34", "35+"],
        series: [
            ChartSeries(name: "Female", values: [.value(41.5), .suppressed, .value(12)]),
            ChartSeries(name: "Male", values: [.value(55), .value(60.2), .missing]),
        ],
        unit: .percent, words: .english
    )
    static let lines = Charts.lines(
        ChartLabel(id: "contacts-by-month", title: "Contacts", description: "By month."),
        periods: ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"],
        series: [ChartSeries(name: "Contacts", values: [.value(12), .value(15), .suppressed, .value(9), .value(20)])],
        unit: .count, words: .english
    )
    static let survival = Charts.survival(
        ChartLabel(id: "reoffence", title: "Time to a new offence", description: "By pathway."),
        groups: [
            SurvivalLine(name: "Diverted", steps: [
                SurvivalStep(time: 0, survival: 1, lower: 1, upper: 1),
                SurvivalStep(time: 90, survival: 0.9, lower: 0.8, upper: 0.96),
                SurvivalStep(time: 300, survival: 0.75, lower: 0.6, upper: 0.85),
            ], suppressed: false),
            SurvivalLine(name: "Not diverted", steps: [
                SurvivalStep(time: 0, survival: 1, lower: 1, upper: 1),
                SurvivalStep(time: 60, survival: 0.7, lower: 0.55, upper: 0.81),
            ], suppressed: false),
            SurvivalLine(name: "Unknown", steps: [], suppressed: true),
        ],
        axis: "Days since the contact", words: .english
    )

    @Test("every kind of chart is well-formed XML whose root is a labelled image with a viewBox",
          arguments: [bars, lines, survival, Charts.noFigures(label, words: .english)])
    func wellFormed(_ svg: String) throws {
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil, "\(String(describing: check.error))")
        let root = try #require(check.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["role"] == "img")
        let id = try #require(root.attributes["id"])
        #expect(root.attributes["aria-labelledby"] == "\(id)-title \(id)-desc")
        #expect(root.attributes["viewBox"]?.hasPrefix("0 0 640 ") == true)
        #expect(check.all("title").first?["id"] == "\(id)-title")
        #expect(check.all("desc").first?["id"] == "\(id)-desc")
        // Nothing reaches outside the page: no script, no linked fonts or images, no inline style the CSP would refuse.
        for name in ["script", "style", "image", "foreignObject", "a"] { #expect(check.all(name).isEmpty, "\(name)") }
        #expect(!check.elements.contains { $0.attributes["style"] != nil || $0.attributes["href"] != nil })
    }

    @Test("titles, descriptions and labels are escaped, and characters XML cannot hold are dropped")
    func escaping() throws {
        let hostile = #"<script>alert("x")</script> & 'quotes'"# + "\u{0}\u{7}"
        let svg = Charts.bars(
            ChartLabel(id: #"x" onload="alert(1)"#, title: hostile, description: hostile),
            categories: [hostile], series: [ChartSeries(name: hostile, values: [.value(3)])], unit: .count, words: .english
        )
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil)
        #expect(!svg.contains("<script>") && !svg.contains("onload=\""))
        #expect(check.all("script").isEmpty)
        #expect(check.elements.first?.attributes["id"] == "xonloadalert1")
        #expect(check.text.contains(#"<script>alert("x")</script> & 'quotes'"#))
        #expect(!check.text.contains("\u{0}"))
        #expect(SVGWriter.escape(#"a<b>&"c"'d'"#) == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;")
    }

    @Test("a suppressed bar is a hatched placeholder labelled suppressed, and shows no figure")
    func suppressedBar() throws {
        let check = XMLCheck.parse(Self.bars)
        let placeholders = check.all("rect").filter { $0["class"] == "bar suppressed" }
        #expect(placeholders.count == 1)
        #expect(placeholders.first?["fill"] == "url(#diverted-hatch)")
        #expect(check.all("pattern").contains { $0["id"] == "diverted-hatch" })
        #expect(check.text.contains("Female: suppressed"))
        #expect(check.all("rect").filter { $0["class"] == "bar" }.count == 4)
        #expect(check.text.contains("Female: 41.5%") && check.text.contains("Male: 60.2%"))
    }

    @Test("series differ by pattern and carry their names, not by colour alone")
    func notColourAlone() throws {
        let check = XMLCheck.parse(Self.bars)
        let fills = Set(check.all("rect").filter { $0["class"] == "bar" }.compactMap { $0["fill"] })
        #expect(fills == ["url(#diverted-s0)", "url(#diverted-s1)"])
        #expect(check.text.contains("Female") && check.text.contains("Male"))
        let survival = XMLCheck.parse(Self.survival)
        let paths = survival.all("path").filter { $0["fill"] == "none" }
        #expect(paths.count == 2 && paths[0]["stroke-dasharray"] == nil && paths[1]["stroke-dasharray"] != nil)
    }

    @Test("a suppressed month leaves a gap in the line over a hatched strip")
    func lineGap() throws {
        let check = XMLCheck.parse(Self.lines)
        #expect(check.error == nil)
        let path = try #require(check.all("path").first { $0["fill"] == "none" }?["d"])
        // Two runs: January–February, then April–May.
        #expect(path.filter { $0 == "M" }.count == 2)
        #expect(check.all("rect").filter { $0["class"] == "suppressed" }.count == 1)
        #expect(check.text.contains("suppressed"))
        #expect(check.all("circle").count == 4)
    }

    @Test("survival curves are step lines with a shaded band, days along the bottom and 0 to 100 % up the side")
    func survivalSteps() throws {
        let check = XMLCheck.parse(Self.survival)
        let line = try #require(check.all("path").first { $0["fill"] == "none" }?["d"])
        #expect(line.contains("H") && line.contains("V") && !line.contains("L"))
        #expect(check.all("polygon").filter { $0["class"] == "band" }.count == 2)
        #expect(check.text.contains("100%") && check.text.contains("0%") && check.text.contains("Days since the contact"))
        #expect(check.text.contains("Unknown — suppressed"))
        #expect(check.text.contains("95 % band"))
        #expect(check.text.contains("Diverted 75.0%"))
    }

    @Test("empty data draws a framed 'no figures' image, not a crash", arguments: [
        Charts.bars(label, categories: [], series: [], unit: .count, words: .english),
        Charts.bars(label, categories: ["a"], series: [ChartSeries(name: "s", values: [])], unit: .count, words: .english),
        Charts.lines(label, periods: [], series: [], unit: .percent, words: .english),
        Charts.lines(label, periods: ["2026-01"], series: [ChartSeries(name: "s", values: [.missing])], unit: .percent, words: .english),
        Charts.survival(label, groups: [], axis: "days", words: .english),
        Charts.survival(label, groups: [SurvivalLine(name: "Diverted", steps: [], suppressed: true)], axis: "days", words: .english),
    ])
    func empty(_ svg: String) throws {
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil)
        #expect(check.all("text").contains { $0["class"] == "no-figures" })
        #expect(check.text.contains("No figures to show."))
    }

    @Test("a chart of only suppressed cells still draws, with placeholders and no invented scale")
    func onlySuppressed() throws {
        let svg = Charts.bars(Self.label, categories: ["a", "b"], series: [ChartSeries(name: "s", values: [.suppressed, .suppressed])],
                              unit: .percent, words: .english)
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil)
        #expect(check.all("rect").filter { $0["class"] == "bar suppressed" }.count == 2)
        #expect(check.text.contains("100%") && !check.text.contains("100.0%"))
    }

    @Test("negative figures (a cost) draw to the left of zero and keep their sign")
    func negative() throws {
        let svg = Charts.bars(Self.label, categories: ["a", "b"], series: [ChartSeries(name: "s", values: [.value(-1200), .value(3400)])],
                              unit: .money("EUR"), words: .english)
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil)
        #expect(check.text.contains("-€1,200") && check.text.contains("€3,400"))
        let bars = check.all("rect").filter { $0["class"] == "bar" }.compactMap { $0["x"].flatMap(Double.init) }
        #expect(bars.count == 2 && bars[0] < bars[1])
    }

    @Test("every colour of the palette has at least 4.5:1 contrast on white")
    func contrast() throws {
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16) ?? 0
            func linear(_ channel: Int) -> Double {
                let c = Double(channel) / 255
                return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
            }
            let channels: [Double] = [linear((v >> 16) & 255), linear((v >> 8) & 255), linear(v & 255)]
            return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
        }
        for colour in Charts.palette + [Charts.ink, Charts.muted] {
            let ratio = 1.05 / (luminance(colour) + 0.05)
            #expect(ratio >= 4.5, "\(colour) has \(ratio):1")
        }
    }

    @Test("scales start at zero, end on a round number and keep shares within 100 %", arguments: [
        ([12.0, 47.0], ChartUnit.percent, 0.0, 50.0),
        ([91.0], ChartUnit.percent, 0.0, 100.0),
        ([3.0], ChartUnit.count, 0.0, 3.0),
        ([-1200.0, 3400.0], ChartUnit.money("EUR"), -2000.0, 4000.0),
        ([], ChartUnit.count, 0.0, 1.0),
    ])
    func scale(_ values: [Double], _ unit: ChartUnit, _ low: Double, _ high: Double) {
        let scale = Scale(values: values, unit: unit)
        #expect(scale.low == low && scale.high == high)
        #expect(scale.ticks.first == low && scale.ticks.last == high)
        #expect(Set(scale.ticks.map { unit.tick($0, LocaleFormat("en")) }).count == scale.ticks.count)
    }

    @Test("figures are written the way the page's language writes them", arguments: [
        (ChartUnit.count, 1234567.0, "en", "1,234,567"),
        (ChartUnit.count, 1234567.0, "fr", "1\u{202F}234\u{202F}567"),
        (ChartUnit.count, 1234567.0, "es", "1.234.567"),
        (ChartUnit.percent, 41.26, "en", "41.3%"),
        (ChartUnit.percent, 41.26, "fr", "41,3\u{A0}%"),
        (ChartUnit.percent, 41.26, "zh", "41.3%"),
        (ChartUnit.ratio, 4.0, "en", "4.00"),
        (ChartUnit.ratio, 4.0, "ru", "4,00"),
        (ChartUnit.money("EUR"), -15.4, "en", "-€15"),
        (ChartUnit.money("EUR"), 1200.0, "fr", "1\u{202F}200\u{A0}€"),
        (ChartUnit.days, 0.0, "ar", "0"),
    ])
    func format(_ unit: ChartUnit, _ value: Double, _ language: String, _ text: String) {
        #expect(unit.format(value, LocaleFormat(language)) == text)
    }

    @Test("a chart for a French page writes its figures with a decimal comma")
    func frenchChart() throws {
        var words = ChartWords.english
        words.language = "fr"
        let svg = Charts.bars(Self.label, categories: ["a"], series: [ChartSeries(name: "s", values: [.value(41.26)])], unit: .percent, words: words)
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil)
        #expect(check.text.contains("41,3\u{A0}%") && !check.text.contains("41.3"))
    }
}
