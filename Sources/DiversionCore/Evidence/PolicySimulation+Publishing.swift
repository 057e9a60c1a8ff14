import Foundation

/// A simulation report as it may be shown: small counts and the cells that would give them away are withheld (nil).
public struct PublishedSimulation: Sendable, Equatable, Codable {
    /// A row of counts; nil where a count is withheld.
    public struct Row: Sendable, Equatable, Codable {
        public var group: [String]
        public var contacts: Int?
        public var recordedEligible: Int?
        public var recordedDiverted: Int?
        public var baselineDiverted: Int?
        public var candidateDiverted: Int?
        /// Shown only when both sides are.
        public var difference: Int?
    }

    /// A rule that made the difference, with its counts withheld when small.
    public struct Rule: Sendable, Equatable, Codable {
        public var rule: String
        public var subject: String?
        public var change: String
        public var becameEligible: Int?
        public var becameIneligible: Int?
        public var sentence: String
    }

    /// Custody and cost figures; a side's figures are withheld when its count of diverted contacts is.
    public struct Custody: Sendable, Equatable, Codable {
        public var currency: String
        public var prisonPerDay: Double
        public var alternative: String
        public var alternativePerDay: Double
        public var baselineDays: Int?
        public var candidateDays: Int?
        public var daysDifference: Int?
        public var baselineSaving: Double?
        public var candidateSaving: Double?
        public var savingDifference: Double?
        public var source: String
    }

    public var baseline: SimulationReport.PolicyName
    public var candidate: SimulationReport.PolicyName
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var dimensions: [SimulationDimension]
    public var total: Row
    public var groups: [Row]
    public var rules: [Rule]
    public var custody: Custody
    public var assumptions: [String]
    public var suppressionThreshold: Int
    /// How cells were chosen for withholding, printed with the table.
    public var suppressionMethod: String
}

extension SimulationReport {
    /// The report with small-cell suppression applied at the active policy's threshold: each column of the group table
    /// (and its complement within the contacts, since "48 of 50" tells that 2 were not) is protected by
    /// `SmallCellSuppression` with complementary cells; a total from 1 to threshold − 1, or one whose complement is,
    /// is withheld with every cell under it; the rules' counts are protected as one line.
    public func published() -> PublishedSimulation {
        let t = suppressionThreshold
        func small(_ n: Int) -> Bool { n > 0 && n < t }
        let columns: [KeyPath<GroupRow, Int>] = [\.contacts, \.recordedEligible, \.recordedDiverted, \.baselineDiverted, \.candidateDiverted]
        let totalHidden = columns.map { c in small(total[keyPath: c]) || (c != \GroupRow.contacts && small(total.contacts - total[keyPath: c])) }

        // Coordinates: the position of each label among the labels of its dimension.
        let labelsByDimension = dimensions.indices.map { k in Array(Set(groups.map { $0.group[k] })).sorted() }
        let coordinates = groups.map { row in row.group.enumerated().map { k, label in labelsByDimension[k].firstIndex(of: label) ?? 0 } }
        var hidden = [Set<Int>](repeating: [], count: columns.count)
        for (m, column) in columns.enumerated() where !groups.isEmpty {
            let values = groups.map { $0[keyPath: column] }
            if totalHidden[m] || (columns[0] != column && totalHidden[0]) {
                hidden[m] = Set(values.indices.filter { values[$0] != 0 })
                continue
            }
            hidden[m] = Self.withheld(values, coordinates: coordinates, threshold: t)
            if column != \GroupRow.contacts {
                let rest = groups.map { $0.contacts - $0[keyPath: column] }
                hidden[m].formUnion(Self.withheld(rest, coordinates: coordinates, threshold: t))
            }
        }
        func row(_ r: GroupRow, hiddenColumns: [Bool]) -> PublishedSimulation.Row {
            let shown = columns.enumerated().map { m, c in hiddenColumns[m] ? nil : Optional(r[keyPath: c]) }
            return .init(group: r.group, contacts: shown[0], recordedEligible: shown[1], recordedDiverted: shown[2], baselineDiverted: shown[3],
                         candidateDiverted: shown[4], difference: shown[3] != nil && shown[4] != nil ? r.difference : nil)
        }
        let publishedGroups = groups.enumerated().map { i, r in row(r, hiddenColumns: hidden.map { $0.contains(i) }) }

        // The rules' counts as one line: both directions of every rule.
        let counts = rules.flatMap { [$0.becameEligible, $0.becameIneligible] }
        let ruleHidden = totalHidden[3] || totalHidden[4]
            ? Set(counts.indices.filter { counts[$0] != 0 })
            : Self.withheld(counts, coordinates: counts.indices.map { [$0] }, threshold: t)
        let publishedRules = rules.enumerated().map { i, r -> PublishedSimulation.Rule in
            let up = ruleHidden.contains(2 * i) ? nil : Optional(r.becameEligible)
            let down = ruleHidden.contains(2 * i + 1) ? nil : Optional(r.becameIneligible)
            return .init(rule: r.rule, subject: r.subject, change: r.change, becameEligible: up, becameIneligible: down,
                         sentence: RuleWording.sentence(r.change, becameEligible: r.becameEligible, shown: up, becameIneligible: r.becameIneligible, shown: down))
        }

        let c = custody
        let baseShown = !totalHidden[3], candidateShown = !totalHidden[4]
        return PublishedSimulation(
            baseline: baseline, candidate: candidate, from: from, to: to, dimensions: dimensions,
            total: row(total, hiddenColumns: totalHidden), groups: publishedGroups, rules: publishedRules,
            custody: .init(
                currency: c.currency, prisonPerDay: c.prisonPerDay, alternative: c.alternative, alternativePerDay: c.alternativePerDay,
                baselineDays: baseShown ? c.baselineDays : nil, candidateDays: candidateShown ? c.candidateDays : nil,
                daysDifference: baseShown && candidateShown ? c.daysDifference : nil,
                baselineSaving: baseShown ? c.baselineSaving : nil, candidateSaving: candidateShown ? c.candidateSaving : nil,
                savingDifference: baseShown && candidateShown ? c.savingDifference : nil, source: c.source
            ),
            assumptions: assumptions, suppressionThreshold: t, suppressionMethod: SmallCellSuppression.method
        )
    }

    /// The cells of one table to withhold; all non-zero cells when the table cannot be protected as it stands.
    static func withheld(_ values: [Int], coordinates: [[Int]], threshold: Int) -> Set<Int> {
        let everything = Set(values.indices.filter { values[$0] != 0 })
        guard !values.isEmpty, !coordinates.contains(where: \.isEmpty) else { return values.contains { $0 > 0 && $0 < threshold } ? everything : [] }
        let cells = zip(coordinates, values).map { SuppressionCell(coordinates: $0, value: max($1, 0)) }
        guard let result = try? SmallCellSuppression.protect(cells, threshold: threshold), result.isPublishable else { return everything }
        return Set(result.suppressed.keys)
    }
}

extension RuleWording {
    /// The sentence of a published rule: withheld counts are said to be withheld, not given.
    static func sentence(_ what: String, becameEligible up: Int, shown shownUp: Int?, becameIneligible down: Int, shown shownDown: Int?) -> String {
        var parts: [String] = []
        if up > 0 { parts.append(shownUp.map { "\(count($0)) contact\($0 == 1 ? "" : "s") became eligible" } ?? "a withheld number of contacts became eligible") }
        if down > 0 { parts.append(shownDown.map { "\(count($0)) contact\($0 == 1 ? "" : "s") became ineligible" } ?? "a withheld number of contacts became ineligible") }
        return "\(what): \(parts.joined(separator: "; "))."
    }
}
