import Foundation

/// One cell of a table of counts: its place (one index per dimension) and how many people it counts.
public struct SuppressionCell: Sendable, Equatable {
    public var coordinates: [Int]
    public var value: Int

    public init(coordinates: [Int], value: Int) {
        self.coordinates = coordinates
        self.value = value
    }
}

/// Why a cell is withheld: it is small itself, or it is withheld so a small one cannot be worked out.
public enum SuppressionReason: String, Sendable, Codable {
    case primary, complementary
}

/// The cells of a table to withhold, by index into the cells given.
public struct SuppressionResult: Sendable, Equatable {
    /// Withheld cells, by index into the input, with the reason.
    public var suppressed: [Int: SuppressionReason]
    /// Withheld cells whose values the published line totals reveal however many cells are withheld (for example a
    /// cell alone in its row, which equals the row total). Ascending. No cell suppression can protect them: when a
    /// primary cell is listed, merge categories or do not publish the table with these totals. (In three or more
    /// dimensions this can also list a cell for which no whole-number change was found, erring on the safe side.)
    public var exposed: [Int]

    public init(suppressed: [Int: SuppressionReason], exposed: [Int]) {
        self.suppressed = suppressed
        self.exposed = exposed
    }

    public func isSuppressed(_ index: Int) -> Bool { suppressed[index] != nil }

    /// False when the totals reveal a small count, so the table must not be published as it stands.
    public var isPublishable: Bool { !exposed.contains { suppressed[$0] == .primary } }
}

/// Why a table cannot be protected as given.
public enum SuppressionTableError: Error, Sendable, Equatable {
    /// A cell has no coordinates.
    case noDimensions(cell: Int)
    /// A cell has a different number of coordinates from the first cell.
    case dimensionMismatch(cell: Int, expected: Int, found: Int)
    /// Counts are never negative.
    case negativeValue(cell: Int)
    /// Two cells have the same coordinates.
    case duplicateCoordinates(first: Int, second: Int)
    /// A line total does not fit in `Int`.
    case totalTooLarge
}

/// Small-cell suppression for published tables of counts of people.
public enum SmallCellSuppression {
    /// Counts from 1 to this minus one are suppressed unless the policy says otherwise.
    public static let defaultThreshold = 5

    /// Method name published beside every table.
    public static let method = "primary cells 1..threshold-1 plus complementary cells so no suppressed cell is the only unknown in any row, column or total, audited by linear algebra"

    /// Chooses the cells of an n-dimensional table to withhold.
    ///
    /// - Primary: every cell with 0 < value < `threshold`. Zeros are not sensitive and are never primary.
    /// - The attacker is assumed to know every line total (for each dimension, every sum over that dimension with all
    ///   other coordinates fixed: the grand total in one dimension, row and column totals in two, and every coarser
    ///   margin follows), every published cell, that cells absent from `cells` are 0, and that counts are never
    ///   negative.
    /// - Complementary: first every line with exactly one withheld unknown gets a second one (a non-zero cell before
    ///   a zero one; then one whose other lines already hold withheld cells, so rectangles and cubes close instead of
    ///   spreading; then the smallest). Then an exact audit (fractions, no rounding) of each connected group of
    ///   withheld cells finds any cell still worked out exactly, from the line equations together with
    ///   non-negativity of withheld zeros, and withholds one more cell on its lines; repeat until none is.
    ///
    /// Guarantees and limits:
    /// - Exact disclosure is prevented: every withheld cell can take at least two whole-number values consistent
    ///   with everything the attacker knows, except those listed in `exposed`, which the totals reveal whatever is
    ///   withheld. In one and two dimensions the real-number audit settles this exactly (the line equations are
    ///   totally unimodular). In three or more, where whole numbers can pin a value the reals leave open, each
    ///   withheld cell must also be moved by an explicit whole-number change; a cell none is found for is treated
    ///   as worked out, so the method can withhold more than strictly needed there, never less.
    /// - Intervals are not audited: an attacker may still bound a withheld cell (for example "at most 3").
    /// - Deterministic: ties go to the lower index. Terminates: each round withholds or settles at least one cell;
    ///   after 32 rounds every non-zero cell is withheld, after 64 every cell.
    /// - Cost: two-dimensional tables of 10,000 cells take well under a second; three-dimensional tables with
    ///   about 500 withheld cells about half a second in a debug build, much more when many small counts link
    ///   into one group of over a thousand withheld cells.
    public static func protect(_ cells: [SuppressionCell], threshold: Int = defaultThreshold) throws(SuppressionTableError) -> SuppressionResult {
        let table = try SuppressionTable(cells)
        var run = SuppressionRun(table: table)
        for (index, value) in table.values.enumerated() where value > 0 && value < threshold {
            run.reasons[index] = .primary
        }
        run.protect()
        return run.result
    }

    /// Whether a rate (numerator out of denominator) must be withheld: when the denominator is below `threshold`,
    /// when the numerator is a primary count (1 to threshold − 1), or when the rest of the denominator
    /// (denominator − numerator) is one, since "48 of 50 completed" tells that 2 did not. A rate with an
    /// impossible pair (negative, or numerator above denominator) or a zero denominator is withheld too.
    public static func rateSuppressed(numerator: Int, denominator: Int, threshold: Int) -> Bool {
        guard numerator >= 0, denominator > 0, numerator <= denominator else { return true }
        if denominator < threshold { return true }
        func primary(_ count: Int) -> Bool { count > 0 && count < threshold }
        return primary(numerator) || primary(denominator - numerator)
    }
}

/// A validated table: each cell's value and the lines (sets of cells sharing all coordinates but one) through it.
struct SuppressionTable {
    let values: [Int]
    let coordinates: [[Int]]
    let dimensions: Int
    /// Cells on each line, ascending.
    let lines: [[Int]]
    /// The lines through each cell, one per dimension.
    let linesOfCell: [[Int]]
    let totals: [Int]

    private struct LineKey: Hashable {
        var dimension: Int
        var others: [Int]
    }

    init(_ cells: [SuppressionCell]) throws(SuppressionTableError) {
        let dimensions = cells.first?.coordinates.count ?? 0
        var seen: [[Int]: Int] = [:]
        var lineIDs: [LineKey: Int] = [:]
        var lines: [[Int]] = []
        var totals: [Int] = []
        var linesOfCell: [[Int]] = []
        for (index, cell) in cells.enumerated() {
            guard !cell.coordinates.isEmpty else { throw .noDimensions(cell: index) }
            guard cell.coordinates.count == dimensions else {
                throw .dimensionMismatch(cell: index, expected: dimensions, found: cell.coordinates.count)
            }
            guard cell.value >= 0 else { throw .negativeValue(cell: index) }
            if let first = seen[cell.coordinates] { throw .duplicateCoordinates(first: first, second: index) }
            seen[cell.coordinates] = index
            var through: [Int] = []
            for dimension in 0..<dimensions {
                var others = cell.coordinates
                others.remove(at: dimension)
                let key = LineKey(dimension: dimension, others: others)
                let id: Int
                if let existing = lineIDs[key] {
                    id = existing
                } else {
                    id = lines.count
                    lineIDs[key] = id
                    lines.append([])
                    totals.append(0)
                }
                lines[id].append(index)
                let (sum, overflow) = totals[id].addingReportingOverflow(cell.value)
                guard !overflow else { throw .totalTooLarge }
                totals[id] = sum
                through.append(id)
            }
            linesOfCell.append(through)
        }
        self.values = cells.map(\.value)
        self.coordinates = cells.map(\.coordinates)
        self.dimensions = dimensions
        self.lines = lines
        self.linesOfCell = linesOfCell
        self.totals = totals
    }
}

/// The state of one protection run: what is withheld and what the attacker knows whatever is withheld.
struct SuppressionRun {
    let table: SuppressionTable
    var reasons: [SuppressionReason?]
    /// Cells whose value the totals reveal whatever is withheld; they are constants to the attacker.
    private(set) var known: [Bool]
    /// Cells on each line not yet known.
    private var unknownInLine: [Int]
    /// Audit answers by group (the group's cells fix its equations, so the answer never changes).
    private var audits: [[Int]: [Int]] = [:]

    static let roundBudget = 32

    init(table: SuppressionTable) {
        self.table = table
        reasons = Array(repeating: nil, count: table.values.count)
        known = Array(repeating: false, count: table.values.count)
        unknownInLine = table.lines.map(\.count)
        for line in table.lines.indices {
            if table.totals[line] == 0 {
                // A zero total with non-negative counts makes every cell on the line 0.
                for cell in table.lines[line] { learn(cell) }
            } else if table.lines[line].count == 1 {
                learn(table.lines[line][0])
            }
        }
    }

    var result: SuppressionResult {
        var suppressed: [Int: SuppressionReason] = [:]
        for (index, reason) in reasons.enumerated() { if let reason { suppressed[index] = reason } }
        let exposed = reasons.indices.filter { reasons[$0] != nil && known[$0] }
        return SuppressionResult(suppressed: suppressed, exposed: exposed)
    }

    /// A withheld cell the attacker does not already know.
    private func isUnknown(_ cell: Int) -> Bool { reasons[cell] != nil && !known[cell] }

    /// A cell that could still be withheld to some purpose.
    private func isEligible(_ cell: Int) -> Bool { reasons[cell] == nil && !known[cell] }

    /// Marks a cell known and follows the consequence: a line left with one unknown cell gives that cell away too.
    mutating func learn(_ cell: Int) {
        var queue = [cell]
        while let next = queue.popLast() {
            guard !known[next] else { continue }
            known[next] = true
            for line in table.linesOfCell[next] {
                unknownInLine[line] -= 1
                if unknownInLine[line] == 1, let last = table.lines[line].first(where: { !known[$0] }) {
                    queue.append(last)
                }
            }
        }
    }

    /// The best complementary cell on the given lines, by in turn: non-zero before zero (a withheld zero only hides
    /// changes that raise it); fewest of its other lines with no withheld unknown yet (each such line would need a
    /// complement of its own, so this closes rectangles and cubes instead of spreading across the table); smallest
    /// value; lowest index.
    private func candidate(on lines: [Int]) -> Int? {
        var best: Int?
        var bestKey = (0, 0, 0, 0)
        for line in lines {
            for cell in table.lines[line] where isEligible(cell) {
                let opened = table.linesOfCell[cell].count { other in
                    other != line && !table.lines[other].contains(where: isUnknown)
                }
                let key = (table.values[cell] == 0 ? 1 : 0, opened, table.values[cell], cell)
                if best == nil || key < bestKey {
                    best = cell
                    bestKey = key
                }
            }
        }
        return best
    }

    mutating func protect() {
        var rounds = 0
        while true {
            completeLines()
            guard auditRound() else { return }
            rounds += 1
            if rounds == Self.roundBudget {
                withholdEveryEligible(includingZeros: false)
            } else if rounds == 2 * Self.roundBudget {
                withholdEveryEligible(includingZeros: true)
            }
        }
    }

    /// The cheap pass: a line with exactly one unknown withheld cell would give it away as the line total minus the
    /// published cells, so withhold a second cell on that line.
    private mutating func completeLines() {
        var changed = true
        while changed {
            changed = false
            for line in table.lines.indices {
                var only: Int?
                var count = 0
                for cell in table.lines[line] where isUnknown(cell) {
                    count += 1
                    only = cell
                    if count > 1 { break }
                }
                guard count == 1, let lone = only else { continue }
                if let extra = candidate(on: [line]) {
                    reasons[extra] = .complementary
                } else {
                    // Every other cell on the line is known (it may be the only cell): the line total gives the lone
                    // cell away, and nothing withheld on this or any other line can change that (the total is
                    // published). Withholding in a neighbouring line would only hide cells for nothing, so the cell
                    // is recorded as exposed instead. The initial pass over the totals already settles this case,
                    // so this branch only keeps the loop safe.
                    learn(lone)
                }
                changed = true
            }
        }
    }

    /// The exact pass: audits each connected group of unknown withheld cells and withholds one more cell next to
    /// each cell still worked out. Returns whether anything changed.
    private mutating func auditRound() -> Bool {
        var changed = false
        for group in groups() {
            let determined = audit(group)
            guard !determined.isEmpty else { continue }
            let groupLines = Array(Set(group.flatMap { table.linesOfCell[$0] })).sorted()
            var touched = Set<Int>()
            var added = false
            var closed = false
            for cell in determined {
                let lines = table.linesOfCell[cell]
                // A cell sharing a line with a cell just withheld may already be protected by it: audit again first.
                if lines.contains(where: touched.contains) { continue }
                if let extra = candidate(on: lines) ?? candidate(on: groupLines) {
                    reasons[extra] = .complementary
                    touched.formUnion(table.linesOfCell[extra])
                    added = true
                } else {
                    closed = !added
                    break
                }
            }
            if closed {
                // Every cell on every line of the group is withheld or known, so the group is worked out from the
                // totals alone: these cells are exposed whatever else is withheld.
                for cell in determined { learn(cell) }
            }
            changed = changed || added || closed
        }
        return changed
    }

    /// Unknown withheld cells, grouped by sharing lines (equations never link different groups). Each group is
    /// ascending; groups are ordered by their lowest cell.
    private func groups() -> [[Int]] {
        var parent = Array(table.values.indices)
        func root(_ cell: Int) -> Int {
            var c = cell
            while parent[c] != c {
                parent[c] = parent[parent[c]]
                c = parent[c]
            }
            return c
        }
        for line in table.lines {
            var first: Int?
            for cell in line where isUnknown(cell) {
                if let f = first {
                    let (a, b) = (root(f), root(cell))
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else {
                    first = cell
                }
            }
        }
        var members: [Int: [Int]] = [:]
        var order: [Int] = []
        for cell in table.values.indices where isUnknown(cell) {
            let r = root(cell)
            if members[r] == nil { order.append(r) }
            members[r, default: []].append(cell)
        }
        return order.compactMap { members[$0] }
    }

    /// The cells of a group an attacker can work out exactly.
    private mutating func audit(_ group: [Int]) -> [Int] {
        if let cached = audits[group] { return cached }
        let position = Dictionary(uniqueKeysWithValues: group.enumerated().map { ($1, $0) })
        let lines = Array(Set(group.flatMap { table.linesOfCell[$0] })).sorted()
        let equations = lines.map { line in table.lines[line].compactMap { position[$0] } }
        let determined = SuppressionAudit.determined(.init(
            equations: equations, values: group.map { table.values[$0] }, coordinates: group.map { table.coordinates[$0] },
            realAnswerIsWhole: table.dimensions <= 2
        )).map { group[$0] }
        audits[group] = determined
        return determined
    }

    /// The fallback for tables the rounds do not settle: withhold everything still eligible.
    private mutating func withholdEveryEligible(includingZeros: Bool) {
        for cell in table.values.indices where isEligible(cell) && (includingZeros || table.values[cell] > 0) {
            reasons[cell] = .complementary
        }
    }
}
