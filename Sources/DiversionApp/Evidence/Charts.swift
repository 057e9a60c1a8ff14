import Foundation

/// One cell of a chart: a figure, a figure withheld because a person could be singled out, or nothing on record.
enum ChartValue: Sendable, Equatable {
    case value(Double)
    case suppressed
    case missing

    var number: Double? {
        if case .value(let v) = self, v.isFinite { return v }
        return nil
    }
}

/// A named run of values, one per category or period of its chart.
struct ChartSeries: Sendable, Equatable {
    var name: String
    var values: [ChartValue]
}

/// One step of a survival curve as drawn: days since the start, the survival and its band, each between 0 and 1.
struct SurvivalStep: Sendable, Equatable {
    var time: Int
    var survival: Double
    var lower: Double
    var upper: Double
}

/// One group's survival curve, or a group whose curve is suppressed.
struct SurvivalLine: Sendable, Equatable {
    var name: String
    var steps: [SurvivalStep]
    var suppressed: Bool
}

/// How the figures of a chart (and of the table beside it) read.
enum ChartUnit: Sendable, Equatable {
    case count, percent, ratio, days
    case money(String)

    /// A figure the way the page's language writes it: grouping, decimal mark, per-cent sign and currency.
    /// Shares are given in per cent (41.26 → "41.3 %" in French); counts, days and money are whole.
    func format(_ value: Double, _ f: LocaleFormat) -> String {
        switch self {
        case .count, .days: return Self.grouped(value.rounded(), f)
        case .percent: return Self.percent(value, places: 1, f)
        case .ratio: return Self.decimals(value, 2, f)
        case .money(let currency): return Self.money(value.rounded(), currency, f)
        }
    }

    /// An axis tick: like `format`, but round ticks drop their decimals ("50 %", not "50.0 %").
    func tick(_ value: Double, _ f: LocaleFormat) -> String {
        guard value == value.rounded() else { return format(value, f) }
        switch self {
        case .percent: return Self.percent(value, places: 0, f)
        case .ratio: return Self.grouped(value, f)
        default: return format(value, f)
        }
    }

    /// A whole number with the language's grouping ("1,234", "1 234", "1.234").
    static func grouped(_ value: Double, _ f: LocaleFormat) -> String {
        guard value.isFinite else { return "" }
        return value.rounded().formatted(.number.locale(f.locale).precision(.fractionLength(0)))
    }

    /// A number with exactly `places` decimals, so the figures of a column line up.
    static func decimals(_ value: Double, _ places: Int, _ f: LocaleFormat) -> String {
        guard value.isFinite else { return "" }
        return value.formatted(.number.locale(f.locale).precision(.fractionLength(places)))
    }

    /// A share given in per cent (0–100) with exactly `places` decimals.
    static func percent(_ value: Double, places: Int, _ f: LocaleFormat) -> String {
        guard value.isFinite else { return "" }
        return (value / 100).formatted(.percent.locale(f.locale).precision(.fractionLength(places)))
    }

    /// Whole units of an ISO 4217 currency; an unknown code follows the number as written.
    static func money(_ value: Double, _ currency: String, _ f: LocaleFormat) -> String {
        guard value.isFinite else { return "" }
        let code = currency.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return grouped(value, f) + (code.isEmpty ? "" : " " + currency)
        }
        return value.formatted(.currency(code: code).locale(f.locale).precision(.fractionLength(0)))
    }
}

/// The words a chart writes, in the reader's language.
struct ChartWords: Sendable, Equatable {
    /// Beside a withheld figure: "suppressed".
    var suppressed: String
    /// In place of a chart with nothing to draw.
    var noFigures: String
    /// The legend entry of the shaded band around a survival curve.
    var band: String
    /// The interface language, whose way of writing numbers the chart's figures follow.
    var language: String = Localizer.fallback

    /// How the chart writes its figures.
    var format: LocaleFormat { LocaleFormat(language) }

    static let english = ChartWords(suppressed: "suppressed", noFigures: "No figures to show.", band: "95 % band")
}

/// What a chart is called for assistive technology; `id` ties its `<title>` and `<desc>` to the image.
struct ChartLabel: Sendable, Equatable {
    var id: String
    var title: String
    var description: String
}

/// Charts drawn as SVG on the server: grouped bars, lines over periods and survival curves.
///
/// Each is an image with a title and a description (its table sits beside it in the page), scales with its
/// viewBox, uses the page's system fonts and no script, and never relies on colour alone: series differ by
/// pattern, dash and marker too, and carry their names or values as direct labels.
enum Charts {
    static let width = 640.0
    static let ink = "#1b1f23"
    static let muted = "#4a5560"
    static let grid = "#d5dbe1"
    /// Each at least 4.5:1 against white, so they serve for text as well as for lines and bars.
    static let palette = ["#0b5563", "#a63f0b", "#5b3c99", "#2a6620", "#9c1f5a", "#3d4852"]
    static let dashes = ["", "7 4", "2 3", "9 3 2 3", "4 2", "12 4"]
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"

    static func colour(_ i: Int) -> String { palette[i % palette.count] }
    static func dash(_ i: Int) -> String { dashes[i % dashes.count] }

    // MARK: Bars

    /// Horizontal bars, one group per category and one bar per series; a suppressed cell is a hatched placeholder.
    static func bars(_ label: ChartLabel, categories: [String], series: [ChartSeries], unit: ChartUnit, words: ChartWords) -> String {
        let cells = series.flatMap(\.values)
        guard !categories.isEmpty, !series.isEmpty, cells.contains(where: { $0 != .missing }) else { return noFigures(label, words: words) }
        let f = words.format
        let id = SVGWriter.identifier(label.id)
        // Room on the right for the longest direct label ("Female: 100.0 %"), so none runs off the image.
        let longestLabel = (series.count > 1 ? (series.map { min($0.name.count, 16) }.max() ?? 0) + 2 : 0)
            + max(words.suppressed.count, cells.compactMap(\.number).map { unit.format($0, f).count }.max() ?? 0)
        let labelWidth = 150.0, valueRoom = min(max(Double(longestLabel) * 6.8 + 12, 70), 220), barHeight = 16.0, barGap = 3.0, groupGap = 12.0
        let plotLeft = labelWidth + 10, plotRight = width - valueRoom
        let legend = series.count > 1 ? legendRows(series.map(\.name), extra: cells.contains(.suppressed) ? words.suppressed : nil) : []
        let top = legendHeight(legend) + 8
        let groupHeight = Double(series.count) * barHeight + Double(series.count - 1) * barGap
        let plotBottom = top + Double(categories.count) * groupHeight + Double(categories.count - 1) * groupGap
        let height = plotBottom + 30
        let scale = Scale(values: cells.compactMap(\.number), unit: unit)
        func x(_ v: Double) -> Double { plotLeft + (v - scale.low) / (scale.high - scale.low) * (plotRight - plotLeft) }

        var svg = start(label, id: id, height: height)
        svg.open("defs")
        for i in series.indices { seriesPattern(&svg, id: id, index: i) }
        hatch(&svg, id: id)
        svg.close("defs")
        if !legend.isEmpty { barLegend(&svg, id: id, rows: legend) }

        svg.open("g", ["class": "grid", "stroke": grid, "stroke-width": "1"])
        for tick in scale.ticks {
            svg.empty("line", ["x1": n(x(tick)), "y1": n(top - 4), "x2": n(x(tick)), "y2": n(plotBottom + 4)])
        }
        svg.close("g")
        svg.open("g", ["class": "axis", "fill": muted, "text-anchor": "middle"])
        for tick in scale.ticks {
            svg.text("text", ["x": n(x(tick)), "y": n(plotBottom + 20)], unit.tick(tick, f))
        }
        svg.close("g")
        svg.empty("line", ["x1": n(x(0)), "y1": n(top - 4), "x2": n(x(0)), "y2": n(plotBottom + 4), "stroke": ink, "stroke-width": "1.5"])

        for (c, category) in categories.enumerated() {
            let groupTop = top + Double(c) * (groupHeight + groupGap)
            svg.text("text", ["x": n(labelWidth), "y": n(groupTop + groupHeight / 2 + 4), "text-anchor": "end", "fill": ink], shorten(category, 24))
            for (s, line) in series.enumerated() {
                let y = groupTop + Double(s) * (barHeight + barGap)
                let prefix = series.count > 1 ? shorten(line.name, 16) + ": " : ""
                let value = c < line.values.count ? line.values[c] : .missing
                switch value {
                case .value(let v) where v.isFinite:
                    let x0 = x(min(0, v)), x1 = x(max(0, v))
                    svg.empty("rect", [
                        "class": "bar", "x": n(x0), "y": n(y), "width": n(max(x1 - x0, 1)), "height": n(barHeight),
                        "fill": "url(#\(id)-s\(s))", "stroke": colour(s), "stroke-width": "1.5",
                    ])
                    svg.text("text", ["x": n(x(max(0, v)) + 5), "y": n(y + barHeight - 4), "fill": ink], prefix + unit.format(v, f))
                case .suppressed:
                    svg.empty("rect", [
                        "class": "bar suppressed", "x": n(x(0)), "y": n(y), "width": "54", "height": n(barHeight),
                        "fill": "url(#\(id)-hatch)", "stroke": muted, "stroke-width": "1", "stroke-dasharray": "3 2",
                    ])
                    svg.text("text", ["x": n(x(0) + 59), "y": n(y + barHeight - 4), "fill": muted, "font-style": "italic"], prefix + words.suppressed)
                default:
                    svg.text("text", ["x": n(x(0) + 5), "y": n(y + barHeight - 4), "fill": muted], prefix + "–")
                }
            }
        }
        svg.close("svg")
        return svg.markup
    }

    // MARK: Lines

    /// One line per series over evenly spaced periods; suppressed periods leave a gap over a hatched strip.
    static func lines(_ label: ChartLabel, periods: [String], series: [ChartSeries], unit: ChartUnit, words: ChartWords) -> String {
        let cells = series.flatMap(\.values)
        guard !periods.isEmpty, !series.isEmpty, cells.contains(where: { $0 != .missing }) else { return noFigures(label, words: words) }
        let f = words.format
        let id = SVGWriter.identifier(label.id)
        let suppressedAt = periods.indices.filter { i in series.contains { i < $0.values.count && $0.values[i] == .suppressed } }
        let legend = series.count > 1 || !suppressedAt.isEmpty
            ? legendRows(series.count > 1 ? series.map(\.name) : [], extra: suppressedAt.isEmpty ? nil : words.suppressed) : []
        let plotLeft = 64.0, plotRight = width - 120
        let top = legendHeight(legend) + 14, plotBottom = top + 220, height = plotBottom + 40
        let scale = Scale(values: cells.compactMap(\.number), unit: unit)
        let step = periods.count > 1 ? (plotRight - plotLeft) / Double(periods.count - 1) : 0
        func x(_ i: Int) -> Double { periods.count > 1 ? plotLeft + Double(i) * step : (plotLeft + plotRight) / 2 }
        func y(_ v: Double) -> Double { plotBottom - (v - scale.low) / (scale.high - scale.low) * (plotBottom - top) }

        var svg = start(label, id: id, height: height)
        svg.open("defs")
        hatch(&svg, id: id)
        svg.close("defs")
        if !legend.isEmpty { lineLegend(&svg, id: id, rows: legend) }
        // Strips first, kept inside the plot, so the axis and its labels stay readable over them.
        let strip = min(max(step * 0.8, 8), 28)
        for i in suppressedAt {
            let left = max(plotLeft, x(i) - strip / 2), right = min(plotRight, x(i) + strip / 2)
            svg.empty("rect", [
                "class": "suppressed", "x": n(left), "y": n(top), "width": n(right - left), "height": n(plotBottom - top),
                "fill": "url(#\(id)-hatch)",
            ])
        }
        yAxis(&svg, scale: scale, unit: unit, f: f, left: plotLeft, right: plotRight, y: y)
        // Labels thin out so they never overlap, however many periods there are.
        let every = max(1, Int((Double(periods.count) * 58 / (plotRight - plotLeft + 58)).rounded(.up)))
        svg.open("g", ["class": "axis", "fill": muted, "text-anchor": "middle"])
        for (i, period) in periods.enumerated() where i % every == 0 {
            svg.text("text", ["x": n(x(i)), "y": n(plotBottom + 18)], shorten(period, 10))
        }
        svg.close("g")

        var ends: [(y: Double, text: String, colour: String, x: Double)] = []
        for (s, line) in series.enumerated() {
            var path = ""
            var drawing = false
            var points: [(Double, Double)] = []
            for i in periods.indices {
                guard i < line.values.count, let v = line.values[i].number else { drawing = false; continue }
                path += (drawing ? "L" : "M") + n(x(i)) + " " + n(y(v)) + " "
                drawing = true
                points.append((x(i), y(v)))
            }
            svg.open("g", ["class": "series"], more: [("data-series", line.name)])
            if !path.isEmpty {
                svg.empty("path", ["d": String(path.dropLast()), "fill": "none", "stroke": colour(s), "stroke-width": "2.5",
                                   "stroke-linejoin": "round"], more: dash(s).isEmpty ? [] : [("stroke-dasharray", dash(s))])
            }
            for (px, py) in points { marker(&svg, index: s, x: px, y: py) }
            svg.close("g")
            if let last = points.last, series.count > 1 {
                ends.append((last.1 + 4, shorten(line.name, 18), colour(s), last.0 + 8))
            }
        }
        endLabels(&svg, ends, top: top + 10, bottom: plotBottom)
        svg.close("svg")
        return svg.markup
    }

    // MARK: Survival

    /// Step lines, one per group, over a shaded band; days along the bottom, 0–100 % up the side.
    static func survival(_ label: ChartLabel, groups: [SurvivalLine], axis: String, words: ChartWords) -> String {
        let drawn = groups.filter { !$0.suppressed && !$0.steps.isEmpty }
        guard !drawn.isEmpty else { return noFigures(label, words: words, suppressed: groups.filter(\.suppressed).map(\.name)) }
        let f = words.format
        let id = SVGWriter.identifier(label.id)
        let names = groups.map { $0.suppressed ? $0.name + " — " + words.suppressed : $0.name }
        let legend = legendRows(names + [words.band], extra: nil)
        let plotLeft = 56.0, plotRight = width - 130
        let top = legendHeight(legend) + 14, plotBottom = top + 230, height = plotBottom + 46
        let longest = drawn.compactMap { $0.steps.map(\.time).max() }.max() ?? 0
        let tickStep = [30, 60, 90, 180, 365, 730, 1825].first { Double(max(longest, 1)) / Double($0) <= 8 } ?? 3650
        let end = max(tickStep, Int((Double(longest) / Double(tickStep)).rounded(.up)) * tickStep)
        func x(_ t: Int) -> Double { plotLeft + Double(min(max(t, 0), end)) / Double(end) * (plotRight - plotLeft) }
        func y(_ s: Double) -> Double { plotBottom - min(max(s, 0), 1) * (plotBottom - top) }

        var svg = start(label, id: id, height: height)
        svg.open("defs")
        hatch(&svg, id: id)
        svg.close("defs")
        survivalLegend(&svg, id: id, rows: legend, groups: groups)
        yAxis(&svg, scale: Scale(low: 0, high: 100, ticks: [0, 25, 50, 75, 100]), unit: .percent, f: f, left: plotLeft, right: plotRight) { y($0 / 100) }
        svg.open("g", ["class": "axis", "fill": muted, "text-anchor": "middle"])
        for t in stride(from: 0, through: end, by: tickStep) {
            svg.empty("line", ["x1": n(x(t)), "y1": n(plotBottom), "x2": n(x(t)), "y2": n(plotBottom + 4), "stroke": muted])
            svg.text("text", ["x": n(x(t)), "y": n(plotBottom + 18)], f.number(t))
        }
        svg.text("text", ["x": n((plotLeft + plotRight) / 2), "y": n(plotBottom + 38), "fill": ink], axis)
        svg.close("g")

        var ends: [(y: Double, text: String, colour: String, x: Double)] = []
        for (g, group) in groups.enumerated() where !group.suppressed && !group.steps.isEmpty {
            let steps = group.steps.sorted { $0.time < $1.time }
            let c = colour(g)
            var upper: [String] = [], lower: [String] = []
            var path = "M" + n(x(steps[0].time)) + " " + n(y(steps[0].survival))
            upper.append(n(x(steps[0].time)) + "," + n(y(steps[0].upper)))
            lower.append(n(x(steps[0].time)) + "," + n(y(steps[0].lower)))
            for (previous, step) in zip(steps, steps.dropFirst()) {
                path += " H" + n(x(step.time)) + " V" + n(y(step.survival))
                upper += [n(x(step.time)) + "," + n(y(previous.upper)), n(x(step.time)) + "," + n(y(step.upper))]
                lower += [n(x(step.time)) + "," + n(y(previous.lower)), n(x(step.time)) + "," + n(y(step.lower))]
            }
            svg.open("g", ["class": "series"], more: [("data-series", group.name)])
            svg.empty("polygon", ["class": "band", "points": (upper + lower.reversed()).joined(separator: " "), "fill": c, "fill-opacity": "0.14"])
            svg.empty("path", ["d": path, "fill": "none", "stroke": c, "stroke-width": "2.5"], more: dash(g).isEmpty ? [] : [("stroke-dasharray", dash(g))])
            if let last = steps.last { marker(&svg, index: g, x: x(last.time), y: y(last.survival)) }
            svg.close("g")
            if let last = steps.last {
                ends.append((y(last.survival) + 4, shorten(group.name, 18) + " " + ChartUnit.percent.format(last.survival * 100, f), c, x(last.time) + 8))
            }
        }
        endLabels(&svg, ends, top: top + 10, bottom: plotBottom)
        svg.close("svg")
        return svg.markup
    }

    // MARK: Nothing to draw

    /// A small framed image saying there are no figures, in place of a chart; names any suppressed groups.
    static func noFigures(_ label: ChartLabel, words: ChartWords, suppressed: [String] = []) -> String {
        let id = SVGWriter.identifier(label.id)
        var svg = start(label, id: id, height: 90)
        svg.empty("rect", ["x": "1", "y": "1", "width": n(width - 2), "height": "88", "fill": "none", "stroke": muted, "stroke-dasharray": "4 3"])
        let text = suppressed.isEmpty ? words.noFigures : words.noFigures + " " + suppressed.map { $0 + ": " + words.suppressed }.joined(separator: "; ")
        svg.text("text", ["class": "no-figures", "x": n(width / 2), "y": "50", "text-anchor": "middle", "fill": ink], shorten(text, 90))
        svg.close("svg")
        return svg.markup
    }

    // MARK: Pieces

    static func n(_ v: Double) -> String { SVGWriter.number(v) }

    /// Text cut to `limit` characters with an ellipsis; the full words are in the table beside the chart.
    static func shorten(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func start(_ label: ChartLabel, id: String, height: Double) -> SVGWriter {
        var svg = SVGWriter()
        svg.open("svg", [
            "xmlns": "http://www.w3.org/2000/svg", "id": id, "class": "chart", "role": "img",
            "aria-labelledby": "\(id)-title \(id)-desc", "viewBox": "0 0 \(n(width)) \(n(height))",
            "width": n(width), "height": n(height), "preserveAspectRatio": "xMinYMin meet",
            "font-family": fontFamily, "font-size": "12",
        ])
        svg.text("title", ["id": "\(id)-title"], label.title)
        svg.text("desc", ["id": "\(id)-desc"], label.description)
        return svg
    }

    /// A fill per series: solid, stripes, dots, cross-hatching, bands and checks, so no two bars differ by colour alone.
    static func seriesPattern(_ svg: inout SVGWriter, id: String, index i: Int) {
        let c = colour(i)
        let kind = i % 6
        svg.open("pattern", ["id": "\(id)-s\(i)", "width": "8", "height": "8", "patternUnits": "userSpaceOnUse"],
                 more: kind == 1 ? [("patternTransform", "rotate(45)")] : kind == 5 ? [("patternTransform", "rotate(-45)")] : [])
        if kind != 0 { svg.empty("rect", ["width": "8", "height": "8", "fill": "#ffffff"]) }
        switch kind {
        case 0: svg.empty("rect", ["width": "8", "height": "8", "fill": c])
        case 1: svg.empty("rect", ["width": "4", "height": "8", "fill": c])
        case 2: svg.empty("circle", ["cx": "4", "cy": "4", "r": "2.4", "fill": c])
        case 3: svg.empty("path", ["d": "M0 0L8 8M8 0L0 8", "stroke": c, "stroke-width": "1.8"])
        case 4: svg.empty("rect", ["width": "8", "height": "4", "fill": c])
        default:
            svg.empty("rect", ["width": "4", "height": "4", "fill": c])
            svg.empty("rect", ["x": "4", "y": "4", "width": "4", "height": "4", "fill": c])
        }
        svg.close("pattern")
    }

    /// Grey diagonal hatching: where a figure is withheld.
    static func hatch(_ svg: inout SVGWriter, id: String) {
        svg.open("pattern", ["id": "\(id)-hatch", "width": "6", "height": "6", "patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"])
        svg.empty("rect", ["width": "6", "height": "6", "fill": "#f3f5f7"])
        svg.empty("line", ["x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": muted, "stroke-width": "1.5"])
        svg.close("pattern")
    }

    /// A marker shape per series: circle, square, triangle, diamond.
    static func marker(_ svg: inout SVGWriter, index i: Int, x: Double, y: Double) {
        let c = colour(i)
        switch i % 4 {
        case 0: svg.empty("circle", ["cx": n(x), "cy": n(y), "r": "3.5", "fill": c])
        case 1: svg.empty("rect", ["x": n(x - 3.5), "y": n(y - 3.5), "width": "7", "height": "7", "fill": c])
        case 2: svg.empty("path", ["d": "M\(n(x)) \(n(y - 4.5))L\(n(x + 4)) \(n(y + 3))L\(n(x - 4)) \(n(y + 3))Z", "fill": c])
        default: svg.empty("path", ["d": "M\(n(x)) \(n(y - 4.5))L\(n(x + 4.5)) \(n(y))L\(n(x)) \(n(y + 4.5))L\(n(x - 4.5)) \(n(y))Z", "fill": c])
        }
    }

    /// Horizontal gridlines with their labels on the left.
    static func yAxis(_ svg: inout SVGWriter, scale: Scale, unit: ChartUnit, f: LocaleFormat, left: Double, right: Double, y: (Double) -> Double) {
        svg.open("g", ["class": "grid", "stroke": grid, "stroke-width": "1"])
        for tick in scale.ticks { svg.empty("line", ["x1": n(left), "y1": n(y(tick)), "x2": n(right), "y2": n(y(tick))]) }
        svg.close("g")
        svg.empty("line", ["x1": n(left), "y1": n(y(max(scale.low, min(0, scale.high)))), "x2": n(right), "y2": n(y(max(scale.low, min(0, scale.high)))),
                           "stroke": ink, "stroke-width": "1.5"])
        svg.open("g", ["class": "axis", "fill": muted, "text-anchor": "end"])
        for tick in scale.ticks { svg.text("text", ["x": n(left - 6), "y": n(y(tick) + 4)], unit.tick(tick, f)) }
        svg.close("g")
    }

    /// Labels at the ends of lines, pushed apart so none overlaps another.
    static func endLabels(_ svg: inout SVGWriter, _ labels: [(y: Double, text: String, colour: String, x: Double)], top: Double, bottom: Double) {
        var placed = labels.sorted { $0.y < $1.y }
        for i in placed.indices {
            placed[i].y = max(placed[i].y, i == 0 ? top : placed[i - 1].y + 14)
        }
        if let last = placed.last, last.y > bottom {
            let shift = last.y - bottom
            for i in placed.indices { placed[i].y -= shift }
        }
        for label in placed {
            svg.text("text", ["class": "end-label", "x": n(label.x), "y": n(label.y), "fill": label.colour, "font-weight": "600"], label.text)
        }
    }

    // MARK: Legends

    /// Legend entries laid out in rows across the width: each row lists the indexes of its entries.
    static func legendRows(_ names: [String], extra: String?) -> [[(index: Int, text: String, x: Double)]] {
        let entries = names.enumerated().map { ($0.offset, shorten($0.element, 40)) } + (extra.map { [(-1, $0)] } ?? [])
        var rows: [[(index: Int, text: String, x: Double)]] = []
        var row: [(index: Int, text: String, x: Double)] = []
        var x = 4.0
        for (index, text) in entries {
            let w = 30 + Double(text.count) * 6.8 + 16
            if !row.isEmpty, x + w > width {
                rows.append(row)
                row = []
                x = 4
            }
            row.append((index, text, x))
            x += w
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }

    static func legendHeight(_ rows: [[(index: Int, text: String, x: Double)]]) -> Double { Double(rows.count) * 20 }

    static func barLegend(_ svg: inout SVGWriter, id: String, rows: [[(index: Int, text: String, x: Double)]]) {
        svg.open("g", ["class": "legend"])
        for (r, row) in rows.enumerated() {
            let y = Double(r) * 20 + 3
            for entry in row {
                let fill = entry.index >= 0 ? "url(#\(id)-s\(entry.index))" : "url(#\(id)-hatch)"
                let stroke = entry.index >= 0 ? colour(entry.index) : muted
                svg.empty("rect", ["x": n(entry.x), "y": n(y), "width": "22", "height": "13", "fill": fill, "stroke": stroke, "stroke-width": "1.5"])
                svg.text("text", ["x": n(entry.x + 28), "y": n(y + 11), "fill": ink], entry.text)
            }
        }
        svg.close("g")
    }

    static func lineLegend(_ svg: inout SVGWriter, id: String, rows: [[(index: Int, text: String, x: Double)]]) {
        svg.open("g", ["class": "legend"])
        for (r, row) in rows.enumerated() {
            let y = Double(r) * 20 + 3
            for entry in row {
                if entry.index >= 0 {
                    svg.empty("line", ["x1": n(entry.x), "y1": n(y + 6.5), "x2": n(entry.x + 22), "y2": n(y + 6.5), "stroke": colour(entry.index), "stroke-width": "2.5"],
                              more: dash(entry.index).isEmpty ? [] : [("stroke-dasharray", dash(entry.index))])
                    marker(&svg, index: entry.index, x: entry.x + 11, y: y + 6.5)
                } else {
                    svg.empty("rect", ["x": n(entry.x + 4), "y": n(y), "width": "14", "height": "13", "fill": "url(#\(id)-hatch)", "stroke": muted])
                }
                svg.text("text", ["x": n(entry.x + 28), "y": n(y + 11), "fill": ink], entry.text)
            }
        }
        svg.close("g")
    }

    /// The survival legend: one entry per group (hatched when suppressed), then the band.
    static func survivalLegend(_ svg: inout SVGWriter, id: String, rows: [[(index: Int, text: String, x: Double)]], groups: [SurvivalLine]) {
        svg.open("g", ["class": "legend"])
        for (r, row) in rows.enumerated() {
            let y = Double(r) * 20 + 3
            for entry in row {
                if entry.index < groups.count, entry.index >= 0 {
                    if groups[entry.index].suppressed {
                        svg.empty("rect", ["x": n(entry.x + 4), "y": n(y), "width": "14", "height": "13", "fill": "url(#\(id)-hatch)", "stroke": muted])
                    } else {
                        svg.empty("line", ["x1": n(entry.x), "y1": n(y + 6.5), "x2": n(entry.x + 22), "y2": n(y + 6.5), "stroke": colour(entry.index), "stroke-width": "2.5"],
                                  more: dash(entry.index).isEmpty ? [] : [("stroke-dasharray", dash(entry.index))])
                    }
                } else {
                    svg.empty("rect", ["x": n(entry.x), "y": n(y), "width": "22", "height": "13", "fill": colour(0), "fill-opacity": "0.14", "stroke": "none"])
                }
                svg.text("text", ["x": n(entry.x + 28), "y": n(y + 11), "fill": ink], entry.text)
            }
        }
        svg.close("g")
    }
}

/// The range a chart's value axis covers, from zero (or the lowest negative figure) to a round number, with its ticks.
struct Scale: Sendable, Equatable {
    var low: Double
    var high: Double
    var ticks: [Double]

    init(low: Double, high: Double, ticks: [Double]) {
        self.low = low
        self.high = high
        self.ticks = ticks
    }

    /// About five round ticks; shares never run past 100 %, and a chart without figures still gets an axis.
    init(values: [Double], unit: ChartUnit) {
        let finite = values.filter(\.isFinite)
        let lowest = min(0, finite.min() ?? 0)
        var highest = max(0, finite.max() ?? 0)
        if highest == lowest { highest = unit == .percent ? 100 : lowest + 1 }
        var step = Self.roundStep((highest - lowest) / 5)
        // Whole things are counted in whole steps, so no two ticks read the same.
        if unit != .percent, unit != .ratio { step = max(step, 1) }
        let low = (lowest / step).rounded(.down) * step
        var high = (highest / step).rounded(.up) * step
        if unit == .percent, high > 100, lowest >= 0 { high = 100 }
        var ticks: [Double] = []
        var tick = low
        while tick <= high + step / 1000 {
            ticks.append((tick / step).rounded() * step)
            tick += step
        }
        self.init(low: low, high: max(high, low + step), ticks: ticks)
    }

    /// 1, 2, 2.5 or 5 times a power of ten: the step a person would pick.
    static func roundStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        let f = raw / power
        let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10
        return nice * power
    }
}
