import DiversionCore
import DiversionStore
import Foundation

/// One figure of an evidence page: the chart, the same figures as a table beside it, and how they were protected.
struct EvidenceFigure: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        var text: String
        var suppressed: Bool
    }

    struct Row: Encodable, Sendable {
        var header: String
        var cells: [Cell]
        var suppressed: Bool
    }

    var id: String
    var title: String
    /// The chart's SVG markup, written by `Charts`; nil when the cut is better read as a table alone.
    var svg: String?
    var hasChart: Bool
    var caption: String
    var columns: [String]
    var rows: [Row]
    var hasRows: Bool
    var notes: [String]
    var assumptions: [String]
    var hasAssumptions: Bool
}

/// A headline number: one indicator, one group, or withheld.
struct Headline: Encodable, Sendable {
    var id: String
    var label: String
    var value: String
    var suppressed: Bool
}

/// Everything an evidence page says about indicators, in the reader's language: names of cuts and their values,
/// units, notes. Indicator titles and definitions fall back to the catalogue's English.
struct EvidenceWording {
    let t: [String: String]
    let policy: JurisdictionPolicy
    /// How the page's language writes the figures; exports and data attributes keep machine numbers.
    var format: LocaleFormat = LocaleFormat(Localizer.fallback)

    func word(_ key: String, _ fallback: String) -> String { t[key] ?? fallback }

    func title(_ indicator: Indicator) -> String { word("indicator_\(indicator.code)", indicator.title) }
    func definition(_ indicator: Indicator) -> String { word("indicator_\(indicator.code)_definition", indicator.definition) }
    func dimension(_ d: EvidenceDimension) -> String { word("evidence_dim_\(d.rawValue)", d.rawValue) }

    /// A value of a cut as a reader knows it: "Female", "Under 18", "Diverted", a substance's name.
    func value(_ d: EvidenceDimension, _ raw: String) -> String {
        if raw == "unknown" { return word("evidence_value_unknown", "Unknown") }
        if raw == "none" { return word("evidence_value_none", "None") }
        switch d {
        case .sex: return word("sex_\(raw)", raw)
        case .stage: return word("stage_\(raw)", raw)
        case .measureType: return word("measure_\(raw)", raw)
        case .pathway, .comparison, .offence, .nationality: return word("evidence_\(d.rawValue)_\(raw)", raw)
        case .substance: return PolicyWording(language: format.language, messages: t).substance(raw, in: policy)
        case .ageGroup:
            if raw.hasPrefix("under ") { return word("evidence_age_under", "Under {age}").replacingOccurrences(of: "{age}", with: String(raw.dropFirst(6))) }
            if raw == "all" { return word("evidence_value_all", "All") }
            return raw.replacingOccurrences(of: "-", with: "–")
        case .month:
            guard let day = EvidenceFigure.start(raw) else { return raw }
            return format.month(year: day.year, month: day.month)
        case .quarter:
            guard let day = EvidenceFigure.start(raw) else { return raw }
            return word("evidence_period_quarter", "Q{quarter} {year}")
                .replacingOccurrences(of: "{quarter}", with: String((day.month - 1) / 3 + 1)).replacingOccurrences(of: "{year}", with: String(day.year))
        case .region, .year: return raw
        }
    }

    /// The order values of a cut read in: age groups youngest first, periods in time, "unknown" and "none" last.
    func ordered(_ d: EvidenceDimension, _ values: Set<String>) -> [String] {
        let known = d == .ageGroup ? AgeGroups(bands: policy.evidence.ageBands).labels : []
        return values.sorted { a, b in
            let rank = { (v: String) -> (Int, Int, String) in
                if v == "unknown" || v == "none" { return (2, 0, v) }
                if let i = known.firstIndex(of: v) { return (0, i, v) }
                return (1, 0, v)
            }
            return rank(a) < rank(b)
        }
    }

    func unit(_ kind: IndicatorKind) -> ChartUnit {
        switch kind {
        case .count: .count
        case .percent, .survival: .percent
        case .ratio: .ratio
        case .medianDays, .days: .days
        case .money: .money(policy.evidence.costs.currency)
        }
    }

    var chartWords: ChartWords {
        ChartWords(suppressed: word("evidence_suppressed", "suppressed"), noFigures: word("evidence_no_figures", "No figures to show."),
                   band: word("evidence_band", "95 % band"), language: format.language)
    }

    /// How small counts were withheld, printed under every table.
    func suppressionNote(_ table: IndicatorTable) -> String {
        var note = word("evidence_suppression_note", "Counts below {threshold} are suppressed, and so are other cells that would reveal them.")
            .replacingOccurrences(of: "{threshold}", with: format.number(table.suppression.threshold))
        if table.indicator.kind == .survival {
            note += " " + word("evidence_survival_note", "Curves stop where fewer than {threshold} people remain at risk.")
                .replacingOccurrences(of: "{threshold}", with: format.number(table.suppression.threshold))
        }
        return note
    }

    /// Which contacts the figures count and how long they were followed.
    func periodNote(_ table: IndicatorTable) -> String {
        let follow = word("evidence_follow_up", "Follow-up to {date}.").replacingOccurrences(of: "{date}", with: format.date(table.asOf))
        let region = table.region.map { " " + word("evidence_region_note", "Region {region} only.").replacingOccurrences(of: "{region}", with: $0) } ?? ""
        switch (table.from, table.to) {
        case (let from?, let to?):
            return word("evidence_period", "Contacts from {from} to {to}.").replacingOccurrences(of: "{from}", with: format.date(from))
                .replacingOccurrences(of: "{to}", with: format.date(to)) + " " + follow + region
        case (let from?, nil):
            return word("evidence_period_from", "Contacts from {from}.").replacingOccurrences(of: "{from}", with: format.date(from)) + " " + follow + region
        case (nil, let to?):
            return word("evidence_period_to", "Contacts up to {to}.").replacingOccurrences(of: "{to}", with: format.date(to)) + " " + follow + region
        case (nil, nil):
            return word("evidence_period_all", "All contacts on record.") + " " + follow + region
        }
    }

    func asOfNote(_ refreshed: String?) -> String {
        guard let refreshed else { return word("evidence_never_refreshed", "The figures have not been counted yet.") }
        return word("evidence_as_of", "Figures as of {time}.").replacingOccurrences(of: "{time}", with: refreshed)
    }

    func valueColumn(_ kind: IndicatorKind) -> String {
        switch kind {
        case .money: word("evidence_col_money", "Amount ({currency})").replacingOccurrences(of: "{currency}", with: policy.evidence.costs.currency)
        default: word("evidence_col_\(kind.rawValue)", kind.rawValue)
        }
    }
}

/// How a table is best drawn.
enum ChartChoice: Equatable {
    case bars(category: EvidenceDimension, series: EvidenceDimension?)
    case lines(period: EvidenceDimension, series: EvidenceDimension?)
    case survival
    case tableOnly

    /// Bars for one or two plain cuts, lines when one cut is a period, survival curves for survival indicators,
    /// and the table alone when a chart would hold too many series to read.
    static func fitting(_ table: IndicatorTable) -> ChartChoice {
        if table.indicator.kind == .survival { return .survival }
        let by = table.by
        func distinct(_ d: EvidenceDimension) -> Int { Set(table.rows.compactMap { $0.dimensions[d.rawValue] }).count }
        if let period = by.first(where: \.isPeriod) {
            let others = by.filter { $0 != period }
            if others.isEmpty { return .lines(period: period, series: nil) }
            if others.count == 1, distinct(others[0]) <= Charts.palette.count { return .lines(period: period, series: others[0]) }
            return .tableOnly
        }
        if by.count == 1, distinct(by[0]) <= 40 { return .bars(category: by[0], series: nil) }
        if by.count == 2 {
            // The cut with fewer values becomes the series, so each group of bars stays short.
            let (many, few) = distinct(by[1]) > distinct(by[0]) ? (by[1], by[0]) : (by[0], by[1])
            if distinct(few) <= Charts.palette.count, distinct(many) <= 20 { return .bars(category: many, series: few) }
        }
        return .tableOnly
    }
}

extension EvidenceFigure {
    /// The figure of one table: the chart that fits it (or the one asked for), the table and its notes.
    init(_ table: IndicatorTable, id: String, title: String? = nil, description: String? = nil, chart: ChartChoice? = nil,
         wording w: EvidenceWording, survivalAxis: String? = nil) {
        let name = title ?? w.title(table.indicator)
        let label = ChartLabel(id: "chart-" + id, title: name, description: description ?? w.definition(table.indicator))
        let unit = w.unit(table.indicator.kind)
        let choice = chart ?? ChartChoice.fitting(table)
        let svg: String?
        switch choice {
        case .survival:
            let groups = table.curves.map { group in
                SurvivalLine(
                    name: Self.groupName(group.dimensions, by: table.by, wording: w),
                    steps: (group.curve?.points ?? []).map { SurvivalStep(time: $0.time, survival: $0.survival, lower: $0.lower, upper: $0.upper) },
                    suppressed: group.suppressed
                )
            }
            svg = Charts.survival(label, groups: groups, axis: survivalAxis ?? w.word("evidence_days_since_start", "Days since the start"), words: w.chartWords)
        case .bars(let category, let series):
            let (categories, lines) = Self.grid(table, first: category, second: series, wording: w)
            svg = Charts.bars(label, categories: categories.map { w.value(category, $0) }, series: lines, unit: unit, words: w.chartWords)
        case .lines(let period, let series):
            let periods = Self.periods(table, period)
            let (_, lines) = Self.grid(table, first: period, second: series, wording: w, firstValues: periods)
            svg = Charts.lines(label, periods: periods, series: lines, unit: unit, words: w.chartWords)
        case .tableOnly:
            svg = nil
        }
        let (columns, rows) = table.indicator.kind == .survival ? Self.survivalTable(table, wording: w) : Self.table(table, wording: w)
        self.init(
            id: id, title: name, svg: svg, hasChart: svg != nil,
            caption: name, columns: columns, rows: rows, hasRows: !rows.isEmpty,
            notes: [w.periodNote(table)] + (table.indicator.kind == .survival ? Self.medianNote(table, wording: w).map { [$0] } ?? [] : [])
                + [w.suppressionNote(table)],
            assumptions: table.assumptions, hasAssumptions: !table.assumptions.isEmpty
        )
    }

    static func groupName(_ dimensions: [String: String], by: [EvidenceDimension], wording w: EvidenceWording) -> String {
        guard !by.isEmpty else { return w.word("evidence_value_all", "All") }
        return by.map { w.value($0, dimensions[$0.rawValue] ?? "unknown") }.joined(separator: " · ")
    }

    /// Values laid out as first cut × second cut: the categories (or periods) and one series per value of the second.
    static func grid(_ table: IndicatorTable, first: EvidenceDimension, second: EvidenceDimension?, wording w: EvidenceWording,
                     firstValues: [String]? = nil) -> ([String], [ChartSeries]) {
        let categories = firstValues ?? w.ordered(first, Set(table.rows.compactMap { $0.dimensions[first.rawValue] }))
        let seriesValues = second.map { s in w.ordered(s, Set(table.rows.compactMap { $0.dimensions[s.rawValue] })) } ?? [""]
        let series = seriesValues.map { key in
            ChartSeries(
                name: second.map { w.value($0, key) } ?? w.title(table.indicator),
                values: categories.map { category in
                    guard let row = table.rows.first(where: {
                        $0.dimensions[first.rawValue] == category && (second == nil || $0.dimensions[second?.rawValue ?? ""] == key)
                    }) else { return .missing }
                    if row.suppressed { return .suppressed }
                    return row.value.map { .value($0) } ?? .missing
                }
            )
        }
        return (categories, series)
    }

    /// Every period from the first to the last asked for (or on record), so a month without figures shows as a gap.
    static func periods(_ table: IndicatorTable, _ period: EvidenceDimension) -> [String] {
        let present = table.rows.compactMap { $0.dimensions[period.rawValue] }.sorted()
        guard let first = table.from ?? present.first.flatMap(Self.start), let last = table.to ?? present.last.flatMap(Self.start) else { return present }
        var out: [String] = []
        var year = first.year, month = first.month
        while (year, month) <= (last.year, last.month), out.count < 400 {
            let label: String = switch period {
            case .month: String(year) + "-" + (month < 10 ? "0" : "") + String(month)
            case .quarter: String(year) + "-Q" + String((month - 1) / 3 + 1)
            default: String(year)
            }
            if out.last != label { out.append(label) }
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        // A period on record outside the range asked for (there should be none) is still shown.
        return out + present.filter { !out.contains($0) }
    }

    /// The first day of a period label such as 2026-03, 2026-Q2 or 2026.
    static func start(_ label: String) -> CalendarDate? {
        let parts = label.split(separator: "-")
        guard let year = parts.first.flatMap({ Int($0) }) else { return nil }
        if parts.count == 1 { return CalendarDate(year: year, month: 1, day: 1) }
        if parts[1].hasPrefix("Q"), let q = Int(parts[1].dropFirst()) { return CalendarDate(year: year, month: (q - 1) * 3 + 1, day: 1) }
        return Int(parts[1]).map { CalendarDate(year: year, month: $0, day: 1) }
    }

    /// The published rows: each cut, the figure, and what it was counted from; suppressed cells say so.
    static func table(_ table: IndicatorTable, wording w: EvidenceWording) -> ([String], [Row]) {
        let unit = w.unit(table.indicator.kind)
        let parts = table.indicator.denominator != nil && (table.indicator.kind == .percent || table.indicator.kind == .ratio)
        var columns = table.by.map(w.dimension)
        if columns.isEmpty { columns = [w.word("evidence_col_group", "Group")] }
        columns.append(w.valueColumn(table.indicator.kind))
        if parts { columns += [w.word("evidence_col_numerator", "Counted"), w.word("evidence_col_denominator", "Out of")] }
        let suppressed = w.chartWords.suppressed
        let rows = sortedRows(table, wording: w).map { row -> Row in
            let keys = table.by.isEmpty ? [w.word("evidence_value_all", "All")] : table.by.map { w.value($0, row.dimensions[$0.rawValue] ?? "unknown") }
            var cells = keys.dropFirst().map { Cell(text: $0, suppressed: false) }
            if row.suppressed {
                cells += Array(repeating: Cell(text: suppressed, suppressed: true), count: parts ? 3 : 1)
            } else {
                cells.append(Cell(text: row.value.map { unit.format($0, w.format) } ?? "–", suppressed: false))
                if parts {
                    cells.append(Cell(text: row.numerator.map { ChartUnit.count.format($0, w.format) } ?? "–", suppressed: false))
                    cells.append(Cell(text: row.denominator.map { ChartUnit.count.format($0, w.format) } ?? "–", suppressed: false))
                }
            }
            return Row(header: keys.first ?? "", cells: cells, suppressed: row.suppressed)
        }
        return (columns, rows)
    }

    /// Rows in reading order: each cut's values in their natural order, cut by cut.
    static func sortedRows(_ table: IndicatorTable, wording w: EvidenceWording) -> [IndicatorRow] {
        let orders = table.by.map { d in w.ordered(d, Set(table.rows.compactMap { $0.dimensions[d.rawValue] })) }
        func key(_ row: IndicatorRow) -> [Int] {
            zip(table.by, orders).map { d, order in order.firstIndex(of: row.dimensions[d.rawValue] ?? "") ?? order.count }
        }
        return table.rows.sorted { key($0).lexicographicallyPrecedes(key($1)) }
    }

    /// The median time of each group drawn, or that half of the group never had the event within follow-up.
    static func medianNote(_ table: IndicatorTable, wording w: EvidenceWording) -> String? {
        let drawn = table.curves.filter { !$0.suppressed && $0.curve != nil }
        guard !drawn.isEmpty else { return nil }
        let parts = drawn.map { group in
            groupName(group.dimensions, by: table.by, wording: w) + ": "
                + (group.curve?.medianTime.map { ChartUnit.days.format(Double($0), w.format) } ?? w.word("evidence_median_not_reached", "not reached"))
        }
        return w.word("evidence_median", "Median days to the event") + " — " + parts.joined(separator: "; ") + "."
    }

    /// The curves as a table: each group's survival and band at round times.
    static func survivalTable(_ table: IndicatorTable, wording w: EvidenceWording) -> ([String], [Row]) {
        let columns = [
            w.word("evidence_col_group", "Group"), w.word("evidence_col_day", "Day"), w.word("evidence_col_at_risk", "At risk"),
            w.word("evidence_col_survival", "Without the event"), w.word("evidence_band", "95 % band"),
        ]
        let suppressed = w.chartWords.suppressed
        var rows: [Row] = []
        for group in table.curves {
            let name = groupName(group.dimensions, by: table.by, wording: w)
            guard !group.suppressed, let points = group.curve?.points, let last = points.last else {
                rows.append(Row(header: name, cells: Array(repeating: Cell(text: suppressed, suppressed: true), count: 4), suppressed: true))
                continue
            }
            for day in [0, 30, 90, 180, 365, 545, 730, 1095] where day <= last.time {
                guard let point = points.last(where: { $0.time <= day }) else { continue }
                let atRisk = points.first(where: { $0.time >= day })?.atRisk ?? point.atRisk
                rows.append(Row(header: name, cells: [
                    Cell(text: w.format.number(day), suppressed: false), Cell(text: ChartUnit.count.format(Double(atRisk), w.format), suppressed: false),
                    Cell(text: ChartUnit.percent.format(point.survival * 100, w.format), suppressed: false),
                    Cell(text: ChartUnit.decimals(point.lower * 100, 1, w.format) + "–" + ChartUnit.percent.format(point.upper * 100, w.format), suppressed: false),
                ], suppressed: false))
            }
        }
        return (columns, rows)
    }
}

extension Headline {
    /// The headline of a table cut by nothing (or the one row whose cut matches `where`).
    init(id: String, label: String, table: IndicatorTable, where match: [String: String] = [:], wording w: EvidenceWording) {
        let row = table.rows.first { r in match.allSatisfy { r.dimensions[$0.key] == $0.value } }
        let unit = w.unit(table.indicator.kind)
        if let row, row.suppressed {
            self.init(id: id, label: label, value: w.chartWords.suppressed, suppressed: true)
        } else {
            self.init(id: id, label: label, value: row?.value.map { unit.format($0, w.format) } ?? w.word("evidence_no_figure", "No figure yet"), suppressed: false)
        }
    }
}
