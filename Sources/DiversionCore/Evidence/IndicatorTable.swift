import Foundation

/// What an analyst asks of one indicator: the cuts, the period of contacts and a region.
public struct IndicatorQuery: Sendable, Equatable {
    public var indicator: Indicator
    public var by: [EvidenceDimension]
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var region: String?
    /// The end of follow-up: recidivism and retention count only what could be observed by then.
    public var asOf: CalendarDate

    public init(indicator: Indicator, by: [EvidenceDimension] = [], from: CalendarDate? = nil, to: CalendarDate? = nil, region: String? = nil, asOf: CalendarDate) {
        self.indicator = indicator
        self.by = by
        self.from = from
        self.to = to
        self.region = region
        self.asOf = asOf
    }
}

/// One cell as the database counts it, before suppression.
public struct IndicatorCell: Sendable, Equatable {
    /// One value per dimension of the query, in its order.
    public var keys: [String]
    /// Contacts (or tests) behind the cell: what suppression protects.
    public var support: Int
    public var numerator: Double
    public var denominator: Double
    /// Every contact (or test) in the cell, whether or not it adds to the figure: protected too, so a figure of 0
    /// never speaks for one or two people.
    public var contacts: Int

    public init(keys: [String], support: Int, numerator: Double, denominator: Double, contacts: Int? = nil) {
        self.keys = keys
        self.support = support
        self.numerator = numerator
        self.denominator = denominator
        self.contacts = contacts ?? support
    }
}

/// One published row: the cut's values, the figure and its parts, or suppressed.
public struct IndicatorRow: Sendable, Equatable, Codable {
    public var dimensions: [String: String]
    public var value: Double?
    public var numerator: Double?
    public var denominator: Double?
    public var suppressed: Bool

    public init(dimensions: [String: String], value: Double?, numerator: Double?, denominator: Double?, suppressed: Bool) {
        self.dimensions = dimensions
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.suppressed = suppressed
    }
}

/// A survival curve for one group, with the tail cut where fewer people than the threshold remain at risk.
public struct SurvivalGroup: Sendable, Equatable, Codable {
    public var dimensions: [String: String]
    public var curve: SurvivalCurve?
    public var suppressed: Bool

    public init(dimensions: [String: String], curve: SurvivalCurve?, suppressed: Bool) {
        self.dimensions = dimensions
        self.curve = curve
        self.suppressed = suppressed
    }
}

/// How a table was protected, printed beside it.
public struct SuppressionNote: Sendable, Equatable, Codable {
    public var threshold: Int
    public var method: String
    /// Why the whole table is withheld, when it is.
    public var withheld: String?

    public static let withheldExplanation = "This cut is withheld: its totals would reveal a small count whatever cells were hidden. Cut by fewer dimensions, or a longer period."

    public init(threshold: Int, method: String, withheld: String? = nil) {
        self.threshold = threshold
        self.method = method
        self.withheld = withheld
    }
}

/// An indicator's published table: every row suppressed where a person could be singled out.
public struct IndicatorTable: Sendable, Equatable {
    public var indicator: Indicator
    public var by: [EvidenceDimension]
    public var rows: [IndicatorRow]
    public var suppression: SuppressionNote
    public var asOf: CalendarDate
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var region: String?
    /// Survival indicators only: one curve per group.
    public var curves: [SurvivalGroup]
    /// Assumptions to print beside the figures (costs and custody days).
    public var assumptions: [String]
    /// Whether the whole table holds any unsuppressed figure.
    public var hasFigures: Bool { rows.contains { !$0.suppressed } || curves.contains { !$0.suppressed } }

    public init(indicator: Indicator, by: [EvidenceDimension], rows: [IndicatorRow], suppression: SuppressionNote, asOf: CalendarDate, from: CalendarDate? = nil, to: CalendarDate? = nil, region: String? = nil, curves: [SurvivalGroup] = [], assumptions: [String] = []) {
        self.indicator = indicator
        self.by = by
        self.rows = rows
        self.suppression = suppression
        self.asOf = asOf
        self.from = from
        self.to = to
        self.region = region
        self.curves = curves
        self.assumptions = assumptions
    }
}

/// Turns counted cells into a published table: values, then small-cell suppression over every count the table shows.
public enum IndicatorAssembly {
    /// Whether the numerator is a count of contacts or people (and so needs protecting itself).
    static func numeratorIsCount(_ kind: IndicatorKind) -> Bool { kind == .count || kind == .percent }

    /// Cross-classified tables up to this many cells are filled with their zero cells before suppression, so every
    /// line has cells to hide a small count behind; larger, sparser tables are protected as they come.
    public static let denseLimit = 20_000

    public static func table(_ query: IndicatorQuery, cells: [IndicatorCell], threshold: Int, assumptions: [String] = []) -> IndicatorTable {
        let ordered = dense(cells, dimensions: query.by.count).sorted { $0.keys.lexicographicallyPrecedes($1.keys) }
        // A table without cuts is one cell: protected as a one-cell line, so only a small total hides.
        let coordinates = query.by.isEmpty ? ordered.indices.map { [$0] } : coordinatesOf(ordered.map(\.keys), dimensions: query.by.count)
        let kind = query.indicator.kind
        // Every count the row shows is protected with its own complementary pattern; a row hides when any of them does.
        var hidden = Set<Int>()
        var withheld = false
        var tables: [[Int]] = [ordered.map(\.support), ordered.map(\.contacts)]
        if numeratorIsCount(kind) { tables.append(ordered.map { Int($0.numerator.rounded()) }) }
        if query.indicator.denominator != nil, kind == .percent || kind == .ratio {
            tables.append(ordered.map { Int($0.denominator.rounded()) })
        }
        // A share also tells the rest of its denominator ("6 of 10 diverted" says 4 were not): protected as a count too.
        if kind == .percent, query.indicator.denominator != nil {
            tables.append(ordered.map { max(0, Int($0.denominator.rounded()) - Int($0.numerator.rounded())) })
        }
        // Up to two dimensions the exact audit is quick; beyond, hypercubes give the same guarantee against exact
        // disclosure in time that grows with the number of small cells, not with the size of the table cubed.
        let useHypercubes = query.by.count > 2 || ordered.count > 2_500
        // A percent's support is its denominator, and a count's contacts are often its support: protect each pattern once.
        var protected = Set<[Int]>()
        for values in tables where protected.insert(values).inserted {
            do {
                let table = zip(coordinates, values).map { SuppressionCell(coordinates: $0, value: $1) }
                let result = useHypercubes
                    ? try SmallCellSuppression.protectByHypercubes(table, threshold: threshold)
                    : try SmallCellSuppression.protect(table, threshold: threshold)
                hidden.formUnion(result.suppressed.keys)
                // A small count its own totals give away cannot be hidden cell by cell: the table is not published.
                if !result.isPublishable { withheld = true }
            } catch {
                // A table the protection cannot read is not published at all.
                hidden.formUnion(ordered.indices)
            }
        }
        let rows = ordered.enumerated().map { i, cell -> IndicatorRow in
            var dims: [String: String] = [:]
            for (d, key) in zip(query.by, cell.keys) { dims[d.rawValue] = key }
            let num = Int(cell.numerator.rounded()), den = Int(cell.denominator.rounded())
            let smallRate: Bool = switch kind {
            case .percent: den > 0 && SmallCellSuppression.rateSuppressed(numerator: num, denominator: den, threshold: threshold)
            case .ratio: den > 0 && den < threshold
            default: false
            }
            if withheld || hidden.contains(i) || smallRate {
                return IndicatorRow(dimensions: dims, value: nil, numerator: nil, denominator: nil, suppressed: true)
            }
            return IndicatorRow(
                dimensions: dims, value: value(kind, cell), numerator: cell.numerator,
                denominator: query.indicator.denominator == nil ? nil : cell.denominator, suppressed: false
            )
        }
        return IndicatorTable(
            indicator: query.indicator, by: query.by, rows: rows,
            suppression: SuppressionNote(
                threshold: threshold, method: useHypercubes ? SmallCellSuppression.hypercubeMethod : SmallCellSuppression.method,
                withheld: withheld ? SuppressionNote.withheldExplanation : nil
            ),
            asOf: query.asOf, from: query.from, to: query.to, region: query.region, assumptions: assumptions
        )
    }

    /// The full cross-classification of the keys seen in each dimension, with zero cells where nothing was counted.
    static func dense(_ cells: [IndicatorCell], dimensions: Int) -> [IndicatorCell] {
        guard dimensions > 0 else { return cells }
        var values = Array(repeating: Set<String>(), count: dimensions)
        for cell in cells { for (d, key) in cell.keys.enumerated() where d < dimensions { values[d].insert(key) } }
        let size = values.reduce(1) { $0 * max($1.count, 1) }
        guard size <= denseLimit, size > cells.count else { return cells }
        var present = Set(cells.map(\.keys))
        var out = cells
        var combos: [[String]] = [[]]
        for set in values { combos = combos.flatMap { prefix in set.sorted().map { prefix + [$0] } } }
        for keys in combos where !present.contains(keys) {
            present.insert(keys)
            out.append(IndicatorCell(keys: keys, support: 0, numerator: 0, denominator: 0))
        }
        return out
    }

    /// The figure of one cell; nil when it has no meaning (a share of nothing, a ratio without sanctions).
    static func value(_ kind: IndicatorKind, _ cell: IndicatorCell) -> Double? {
        switch kind {
        case .count, .days, .money: return cell.numerator
        case .medianDays: return cell.support > 0 ? cell.numerator : nil
        case .percent: return cell.denominator > 0 ? (cell.numerator / cell.denominator * 1000).rounded() / 10 : nil
        case .ratio: return cell.denominator > 0 ? (cell.numerator / cell.denominator * 100).rounded() / 100 : nil
        case .survival: return nil
        }
    }

    /// Each distinct key of each dimension becomes an index, so the table can be handled as an n-way array.
    static func coordinatesOf(_ keys: [[String]], dimensions: Int) -> [[Int]] {
        var indexes = Array(repeating: [String: Int](), count: dimensions)
        return keys.map { row in
            row.enumerated().map { d, key in
                if let i = indexes[d][key] { return i }
                let i = indexes[d].count
                indexes[d][key] = i
                return i
            }
        }
    }

    /// The median of a distribution given as (value, count) pairs; the lower middle for an even total.
    public static func median(_ distribution: [(value: Int, count: Int)]) -> Double? {
        let total = distribution.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        let sorted = distribution.sorted { $0.value < $1.value }
        let lowerRank = (total + 1) / 2, upperRank = total / 2 + 1
        var seen = 0
        var lower: Int?
        for item in sorted {
            seen += item.count
            if lower == nil, seen >= lowerRank { lower = item.value }
            if seen >= upperRank, let lower { return Double(lower + item.value) / 2 }
        }
        return lower.map(Double.init)
    }

    /// Survival curves per group; a group with fewer subjects than the threshold is suppressed, and each curve
    /// stops before the number at risk falls under the threshold, so no step reveals a small count.
    public static func survival(_ query: IndicatorQuery, groups: [([String], [SurvivalObservation])], threshold: Int) -> IndicatorTable {
        var curves: [SurvivalGroup] = []
        var rows: [IndicatorRow] = []
        for (keys, observations) in groups.sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
            var dims: [String: String] = [:]
            for (d, key) in zip(query.by, keys) { dims[d.rawValue] = key }
            let subjects = observations.reduce(0) { $0 + $1.count }
            if subjects < threshold {
                curves.append(SurvivalGroup(dimensions: dims, curve: nil, suppressed: true))
                rows.append(IndicatorRow(dimensions: dims, value: nil, numerator: nil, denominator: nil, suppressed: true))
                continue
            }
            var curve = KaplanMeier.estimate(observations)
            curve.points = curve.points.filter { $0.atRisk >= threshold }
            let events = observations.filter(\.event).reduce(0) { $0 + $1.count }
            curves.append(SurvivalGroup(dimensions: dims, curve: curve, suppressed: false))
            let hideEvents = events > 0 && events < threshold
            rows.append(IndicatorRow(
                dimensions: dims, value: curve.medianTime.map(Double.init), numerator: hideEvents ? nil : Double(events),
                denominator: Double(subjects), suppressed: false
            ))
        }
        return IndicatorTable(
            indicator: query.indicator, by: query.by, rows: rows,
            suppression: SuppressionNote(threshold: threshold, method: SmallCellSuppression.method + "; survival curves stop where fewer than the threshold remain at risk"),
            asOf: query.asOf, from: query.from, to: query.to, region: query.region, curves: curves
        )
    }
}
