import Foundation
import Testing
@testable import DiversionCore

/// An independent attacker for small tables: it knows every line total, every published cell, that absent cells are 0
/// and that counts are whole numbers of at least 0, and searches for fillings of the withheld cells. It shares no code
/// with the implementation (its own lines, its own search), so it can catch the audit's mistakes.
enum SuppressionAttacker {
    struct Line {
        var unknowns: [Int] // positions into the withheld list
        var residual: Int   // line total minus the published cells
    }

    /// The line equations over the withheld cells.
    static func lines(_ cells: [SuppressionCell], withheld: [Int]) -> [Line] {
        let dimensions = cells.first?.coordinates.count ?? 0
        var byKey: [String: Line] = [:]
        let slot = Dictionary(uniqueKeysWithValues: withheld.enumerated().map { ($1, $0) })
        for (index, cell) in cells.enumerated() {
            for d in 0..<dimensions {
                let key = "\(d):" + cell.coordinates.enumerated().map { $0.offset == d ? "*" : String($0.element) }.joined(separator: ",")
                var line = byKey[key] ?? Line(unknowns: [], residual: 0)
                // The attacker knows the total and subtracts the published cells: what is left is the withheld sum.
                if let s = slot[index] {
                    line.unknowns.append(s)
                    line.residual += cell.value
                }
                byKey[key] = line
            }
        }
        return byKey.values.filter { !$0.unknowns.isEmpty }
    }

    /// For each withheld cell, whether some filling consistent with everything the attacker knows gives it another value.
    /// `budget` caps the search nodes per cell; nil in the answer means the search ran out (never expected here).
    static func hasAlternative(_ cells: [SuppressionCell], withheld: [Int], budget: Int = 2_000_000) -> [Int: Bool?] {
        let lines = lines(cells, withheld: withheld)
        var linesOf = [[Int]](repeating: [], count: withheld.count)
        for (l, line) in lines.enumerated() { for u in line.unknowns { linesOf[u].append(l) } }
        var answer: [Int: Bool?] = [:]
        for (target, cell) in withheld.enumerated() {
            let truth = cells[cell].value
            var order = [target]
            order += (0..<withheld.count).filter { $0 != target }
            var residual = lines.map(\.residual)
            var open = lines.map(\.unknowns.count)
            var nodes = 0
            func search(_ depth: Int) -> Bool? {
                nodes += 1
                if nodes > budget { return nil }
                if depth == order.count { return true }
                let u = order[depth]
                let cap = linesOf[u].map { residual[$0] }.min() ?? 0
                // A line whose last unknown this is fixes its value.
                var forced: Int?
                for l in linesOf[u] where open[l] == 1 {
                    if let f = forced, f != residual[l] { return false }
                    forced = residual[l]
                }
                let candidates: [Int] = if let f = forced { f >= 0 && f <= cap ? [f] : [] } else { cap >= 0 ? Array(0...cap) : [] }
                for value in candidates where !(depth == 0 && value == truth) {
                    for l in linesOf[u] { residual[l] -= value; open[l] -= 1 }
                    let found = search(depth + 1)
                    for l in linesOf[u] { residual[l] += value; open[l] += 1 }
                    if found != false { return found }
                }
                return false
            }
            answer[cell] = search(0)
        }
        return answer
    }

    /// Withheld cells the attacker pins to one value.
    static func leaks(_ cells: [SuppressionCell], withheld: some Sequence<Int>) -> [Int] {
        hasAlternative(cells, withheld: Array(withheld).sorted()).filter { $0.value == false }.map(\.key).sorted()
    }
}

/// A seeded generator so every run sees the same random tables.
struct SuppressionTestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("SmallCellSuppression withholds small counts so none can be worked out")
struct SmallCellSuppressionTests {
    static func oneWay(_ values: [Int]) -> [SuppressionCell] {
        values.enumerated().map { SuppressionCell(coordinates: [$0.offset], value: $0.element) }
    }

    static func twoWay(_ rows: [[Int]]) -> [SuppressionCell] {
        rows.enumerated().flatMap { r, row in row.enumerated().map { SuppressionCell(coordinates: [r, $0.offset], value: $0.element) } }
    }

    static func index(_ cells: [SuppressionCell], _ coordinates: [Int]) -> Int {
        cells.firstIndex { $0.coordinates == coordinates } ?? -1
    }

    static func primaries(_ cells: [SuppressionCell], threshold: Int) -> [Int] {
        cells.indices.filter { cells[$0].value > 0 && cells[$0].value < threshold }
    }

    // MARK: one dimension

    @Test("A single small count in a list gets a second cell withheld, since the total minus the rest would reveal it")
    func oneSmallCellInOneDimension() throws {
        let cells = Self.oneWay([3, 10, 7, 12])
        #expect(SuppressionAttacker.leaks(cells, withheld: [0]) == [0], "withholding the small cell alone gives it away")
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        #expect(result.suppressed == [0: .primary, 2: .complementary], "the smallest other cell is the complement")
        #expect(result.exposed.isEmpty)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty)
    }

    @Test("Ties between complement candidates go to the lower index, and non-zero cells come before zeros", arguments: [
        ([3, 7, 7], [0: SuppressionReason.primary, 1: .complementary]),
        ([3, 0, 9, 0], [0: .primary, 2: .complementary]),
        ([3, 0, 0], [0: .primary, 1: .complementary]),
        ([0, 0, 4, 6, 2], [2: .primary, 4: .primary]),
    ])
    func tieBreaking(values: [Int], expected: [Int: SuppressionReason]) throws {
        let cells = Self.oneWay(values)
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        #expect(result.suppressed == expected)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty)
    }

    // MARK: two dimensions

    static let leakyTwoWayTables: [(String, [[Int]])] = [
        ("one small cell", [[2, 9, 8], [7, 6, 11], [10, 12, 13]]),
        ("two small cells in one row", [[2, 3, 20], [10, 11, 12], [13, 14, 15]]),
        ("small cells on the diagonal", [[1, 9, 9, 9], [9, 2, 9, 9], [9, 9, 3, 9], [9, 9, 9, 4]]),
        ("small cells in an L", [[1, 2, 30], [4, 40, 50], [60, 70, 80]]),
        ("a small cell beside large ones", [[4, 500, 600], [700, 800, 900]]),
    ]

    @Test("Withholding only the small cells leaks in two dimensions; the result does not", arguments: leakyTwoWayTables)
    func twoWayTablesThatLeakWithPrimariesAlone(name: String, rows: [[Int]]) throws {
        let cells = Self.twoWay(rows)
        let primaries = Self.primaries(cells, threshold: 5)
        #expect(!SuppressionAttacker.leaks(cells, withheld: primaries).isEmpty, "\(name): the example should leak without complements")
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        for p in primaries { #expect(result.suppressed[p] == .primary) }
        #expect(result.suppressed.values.contains(.complementary))
        #expect(result.exposed.isEmpty)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty, "\(name)")
    }

    @Test("One small cell in a full table is hidden by the smallest rectangle of cells the heuristic finds")
    func rectangle() throws {
        let cells = Self.twoWay([[2, 9, 8], [7, 6, 11], [10, 12, 13]])
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        let expected = [[0, 0]: SuppressionReason.primary, [0, 2]: .complementary, [1, 0]: .complementary, [1, 2]: .complementary]
        #expect(Dictionary(uniqueKeysWithValues: result.suppressed.map { (cells[$0.key].coordinates, $0.value) }) == expected)
    }

    @Test("Two rectangles joined by one cell pass the two-per-line check yet leak the joining cell, and the audit fixes it")
    func bridgeBetweenTwoRectangles() throws {
        // Rows 0–1 × columns 0–1 and rows 2–3 × columns 2–3 are small, and so is (1, 2), which joins them.
        let small: [[Int]: Int] = [[0, 0]: 2, [0, 1]: 3, [1, 0]: 4, [1, 1]: 1, [2, 2]: 2, [2, 3]: 3, [3, 2]: 1, [3, 3]: 4, [1, 2]: 2]
        var rows = (0..<5).map { r in (0..<5).map { c in 10 + 5 * r + c } }
        for (place, value) in small { rows[place[0]][place[1]] = value }
        let cells = Self.twoWay(rows)
        let primaries = Self.primaries(cells, threshold: 5)
        #expect(primaries.count == 9)

        // The cheap rule is already met: every row and column with a withheld cell has at least two.
        for dimension in 0..<2 {
            let perLine = Dictionary(grouping: primaries, by: { cells[$0].coordinates[dimension] })
            #expect(perLine.values.allSatisfy { $0.count >= 2 })
        }
        // Yet rows 0 + 1 minus columns 0 + 1 is exactly the joining cell.
        let bridge = Self.index(cells, [1, 2])
        #expect(SuppressionAttacker.leaks(cells, withheld: primaries) == [bridge])

        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        #expect(result.suppressed.values.contains(.complementary), "the audit must add a complement")
        #expect(result.exposed.isEmpty)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty)
    }

    @Test("Withheld zeros only hide changes that raise them, and the audit knows it")
    func auditUsesNonNegativity() {
        // A 2 × 2 block a b / c d with one equation per row and column: a + b, c + d, a + c, b + d.
        let block = [[0, 1], [2, 3], [0, 2], [1, 3]]
        let square = [[0, 0], [0, 1], [1, 0], [1, 1]]
        for whole in [true, false] {
            // a = 3 with b = c = d = 0: raising b forces lowering d below 0, so every cell is pinned.
            #expect(SuppressionAudit.determined(.init(equations: block, values: [3, 0, 0, 0], coordinates: square, realAnswerIsWhole: whole)) == [0, 1, 2, 3])
            // a = 3, d = 4 with b = c = 0: b and c can both rise by lowering a and d, so nothing is pinned.
            #expect(SuppressionAudit.determined(.init(equations: block, values: [3, 0, 0, 4], coordinates: square, realAnswerIsWhole: whole)).isEmpty)
            // Without zeros the block is a cycle: nothing is pinned.
            #expect(SuppressionAudit.determined(.init(equations: block, values: [3, 5, 6, 4], coordinates: square, realAnswerIsWhole: whole)).isEmpty)
            // A lone unknown on a line is pinned whatever the zeros.
            #expect(SuppressionAudit.determined(.init(equations: [[0], [0, 1]], values: [2, 3], coordinates: [[0, 0], [1, 0]], realAnswerIsWhole: whole)) == [0, 1])
        }

        // The same through the whole method: zeros on the diagonal can hide the small cells.
        let diagonal = Self.twoWay([[3, 0], [0, 4]])
        let result = try? SmallCellSuppression.protect(diagonal, threshold: 5)
        #expect(result?.suppressed.count == 4)
        #expect(result?.exposed == [])
        #expect(SuppressionAttacker.leaks(diagonal, withheld: [0, 1, 2, 3]).isEmpty)
    }

    @Test("In three dimensions whole numbers can pin a value the reals leave open, and the audit checks for it")
    func wholeNumbersInThreeDimensions() throws {
        // Found by the random search below: with these 22 cells withheld, the real-number audit sees no pinned cell,
        // yet cell 20 can only lie between 1.5 and 2 over the reals, so a count must be 2.
        let values = [1, 0, 5, 4, 0, 1, 0, 2, 2, 1, 1, 5, 1, 0, 0, 2, 0, 1, 0, 0, 2, 0, 1, 0, 5, 0, 0]
        var cells: [SuppressionCell] = []
        for a in 0..<3 { for b in 0..<3 { for c in 0..<3 { cells.append(.init(coordinates: [a, b, c], value: values[9 * a + 3 * b + c])) } } }
        let withheld = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25]
        let pinned = SuppressionAttacker.leaks(cells, withheld: withheld)
        #expect(Set([15, 20, 22]).isSubset(of: pinned), "\(pinned)")

        let equations = SuppressionAttacker.lines(cells, withheld: withheld).map(\.unknowns)
        let group = SuppressionAudit.Group(
            equations: equations, values: withheld.map { cells[$0].value },
            coordinates: withheld.map { cells[$0].coordinates }, realAnswerIsWhole: false
        )
        #expect(SuppressionAudit.auditOverReals(group).pinned.isEmpty, "the reals alone miss it")
        let flagged = Set(SuppressionAudit.determined(group).map { withheld[$0] })
        #expect(Set(pinned).isSubset(of: flagged), "every cell the attacker pins is flagged: \(pinned) ⊄ \(flagged.sorted())")

        let result = try SmallCellSuppression.protect(cells, threshold: 3)
        let alternatives = SuppressionAttacker.hasAlternative(cells, withheld: result.suppressed.keys.sorted())
        for (cell, alternative) in alternatives { #expect(alternative == !result.exposed.contains(cell), "cell \(cell)") }
    }

    // MARK: three dimensions, sparse tables, edge cases

    @Test("A three-way table is protected against every line total")
    func threeWay() throws {
        var cells: [SuppressionCell] = []
        for a in 0..<3 { for b in 0..<3 { for c in 0..<2 { cells.append(.init(coordinates: [a, b, c], value: 6 + (7 * a + 5 * b + 3 * c) % 11)) } } }
        cells[Self.index(cells, [1, 1, 0])].value = 2
        cells[Self.index(cells, [2, 0, 1])].value = 4
        let primaries = Self.primaries(cells, threshold: 5)
        #expect(!SuppressionAttacker.leaks(cells, withheld: primaries).isEmpty)
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        #expect(result.exposed.isEmpty)
        #expect(Set(primaries).isSubset(of: result.suppressed.keys))
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty)
    }

    @Test("In a sparse table absent cells are known zeros and are never withheld")
    func sparse() throws {
        let cells: [SuppressionCell] = [
            .init(coordinates: [0, 0], value: 3), .init(coordinates: [0, 1], value: 8), .init(coordinates: [0, 3], value: 9),
            .init(coordinates: [1, 0], value: 9), .init(coordinates: [1, 1], value: 7), .init(coordinates: [1, 2], value: 6),
            .init(coordinates: [2, 1], value: 10), .init(coordinates: [2, 2], value: 12), .init(coordinates: [2, 3], value: 5),
        ]
        #expect(!SuppressionAttacker.leaks(cells, withheld: [0]).isEmpty)
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        #expect(result.exposed.isEmpty)
        #expect(result.suppressed.count >= 4)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty)
    }

    @Test("A small count alone in its row equals the row total, so it is withheld and reported as exposed")
    func aloneInALineIsExposed() throws {
        let cells: [SuppressionCell] = [
            .init(coordinates: [0, 0], value: 20), .init(coordinates: [0, 1], value: 30),
            .init(coordinates: [1, 0], value: 25), .init(coordinates: [1, 1], value: 35),
            .init(coordinates: [2, 1], value: 3), // the only cell in row 2
        ]
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        #expect(result.suppressed[4] == .primary)
        #expect(result.exposed == [4])
        #expect(!result.isPublishable)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys) == [4])
        // A one-cell list is its own total.
        let single = try SmallCellSuppression.protect(Self.oneWay([2]), threshold: 5)
        #expect(single.suppressed == [0: .primary] && single.exposed == [0] && !single.isPublishable)
    }

    @Test("Tables with nothing small withhold nothing", arguments: [
        (Self.twoWay([[0, 0, 0], [0, 0, 0]]), 5),
        (Self.oneWay([0]), 5),
        (Self.twoWay([[1, 2], [3, 4]]), 1),
        (Self.twoWay([[1, 0], [0, 4]]), 0),
        ([SuppressionCell](), 5),
    ])
    func nothingToWithhold(cells: [SuppressionCell], threshold: Int) throws {
        let result = try SmallCellSuppression.protect(cells, threshold: threshold)
        #expect(result.suppressed.isEmpty && result.exposed.isEmpty && result.isPublishable)
    }

    @Test("A table of small counts withholds every non-zero cell and nothing can be worked out")
    func everythingSmall() throws {
        let cells = Self.twoWay([[1, 2, 0], [3, 0, 4], [0, 2, 1]])
        let result = try SmallCellSuppression.protect(cells, threshold: 5)
        // The six small cells form one cycle through the rows and columns, so they protect each other.
        #expect(result.suppressed.keys.sorted() == Self.primaries(cells, threshold: 5))
        #expect(result.suppressed.values.allSatisfy { $0 == .primary })
        #expect(result.exposed.isEmpty)
        #expect(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys).isEmpty)
    }

    @Test("Malformed tables are refused", arguments: [
        ([SuppressionCell(coordinates: [0], value: 1), .init(coordinates: [0, 1], value: 2)], SuppressionTableError.dimensionMismatch(cell: 1, expected: 1, found: 2)),
        ([.init(coordinates: [0], value: 1), .init(coordinates: [1], value: -2)], .negativeValue(cell: 1)),
        ([.init(coordinates: [0, 1], value: 1), .init(coordinates: [1, 1], value: 6), .init(coordinates: [0, 1], value: 2)], .duplicateCoordinates(first: 0, second: 2)),
        ([.init(coordinates: [], value: 1)], .noDimensions(cell: 0)),
        ([.init(coordinates: [0], value: Int.max), .init(coordinates: [1], value: 1)], .totalTooLarge),
    ])
    func malformed(cells: [SuppressionCell], error: SuppressionTableError) {
        #expect(throws: error) { try SmallCellSuppression.protect(cells, threshold: 5) }
    }

    @Test("A rate is withheld when its denominator, its numerator or the rest is small", arguments: [
        (0, 0, 5, true), (0, 4, 5, true), (2, 50, 5, true), (48, 50, 5, true), (0, 50, 5, false), (50, 50, 5, false),
        (5, 50, 5, false), (45, 50, 5, false), (10, 5, 5, true), (-1, 50, 5, true), (4, 4, 5, true), (5, 5, 5, false),
        (1, 3, 1, false), (0, 0, 1, true), (6, 10, 5, true), (6, 10, 4, false),
    ])
    func rates(numerator: Int, denominator: Int, threshold: Int, suppressed: Bool) {
        #expect(SmallCellSuppression.rateSuppressed(numerator: numerator, denominator: denominator, threshold: threshold) == suppressed)
    }

    // MARK: random tables against the independent attacker

    enum Shape: String, CaseIterable {
        case oneWay, twoWay, threeWay, sparseTwoWay, sparseThreeWay
        /// Full 3 × 3 × 3 tables of mostly 0, 1 and 2: where whole numbers can pin a value the reals leave open.
        case denseThreeWay
    }

    static func randomTable(_ shape: Shape, using rng: inout SuppressionTestRandom) -> [SuppressionCell] {
        let sizes: [Int] = switch shape {
        case .oneWay: [Int.random(in: 1...7, using: &rng)]
        case .twoWay, .sparseTwoWay: [Int.random(in: 1...4, using: &rng), Int.random(in: 1...4, using: &rng)]
        case .threeWay, .sparseThreeWay: (0..<3).map { _ in Int.random(in: 1...3, using: &rng) }
        case .denseThreeWay: [3, 3, 3]
        }
        let sparse = shape == .sparseTwoWay || shape == .sparseThreeWay
        var places: [[Int]] = [[]]
        for size in sizes { places = places.flatMap { p in (0..<size).map { p + [$0] } } }
        var cells: [SuppressionCell] = []
        for place in places {
            if sparse && Int.random(in: 0..<4, using: &rng) == 0 { continue }
            let kind = Int.random(in: 0..<10, using: &rng)
            let value = if shape == .denseThreeWay {
                kind < 3 ? 0 : kind < 7 ? Int.random(in: 1...2, using: &rng) : Int.random(in: 3...5, using: &rng)
            } else {
                kind < 2 ? 0 : kind < 6 ? Int.random(in: 1...4, using: &rng) : Int.random(in: 5...(sizes.count == 3 ? 8 : 12), using: &rng)
            }
            cells.append(.init(coordinates: place, value: value))
        }
        return cells
    }

    @Test("On hundreds of random small tables no withheld cell can be pinned, and only truly pinned cells are reported exposed", arguments: Shape.allCases)
    func randomTablesResistTheAttacker(shape: Shape) throws {
        var rng = SuppressionTestRandom(state: 2026 &+ UInt64(Shape.allCases.firstIndex(of: shape) ?? 0))
        var naiveLeaks = 0, complements = 0, zeroComplements = 0, exposedTables = 0
        for trial in 0..<(shape == .denseThreeWay ? 100 : 200) {
            let cells = Self.randomTable(shape, using: &rng)
            let threshold = shape == .denseThreeWay || trial % 4 == 3 ? 3 : 5
            let result = try SmallCellSuppression.protect(cells, threshold: threshold)
            #expect(try SmallCellSuppression.protect(cells, threshold: threshold) == result, "deterministic")
            let primaries = Self.primaries(cells, threshold: threshold)
            for (index, reason) in result.suppressed {
                #expect((reason == .primary) == primaries.contains(index), "trial \(trial): cell \(index) has the wrong reason")
            }
            #expect(primaries.allSatisfy { result.suppressed[$0] != nil })

            let alternatives = SuppressionAttacker.hasAlternative(cells, withheld: result.suppressed.keys.sorted())
            for (cell, alternative) in alternatives {
                let exposed = result.exposed.contains(cell)
                #expect(alternative == !exposed, "trial \(trial) \(shape): cell \(cell) exposed \(exposed) but the attacker finds an alternative: \(String(describing: alternative)) in \(cells.map { "\($0.coordinates)=\($0.value)" }) withholding \(result.suppressed.keys.sorted())")
            }
            #expect(Set(result.exposed).isSubset(of: result.suppressed.keys))

            if !SuppressionAttacker.leaks(cells, withheld: primaries).isEmpty { naiveLeaks += 1 }
            complements += result.suppressed.values.filter { $0 == .complementary }.count
            zeroComplements += result.suppressed.filter { $0.value == .complementary && cells[$0.key].value == 0 }.count
            if !result.exposed.isEmpty { exposedTables += 1 }
        }
        // The tables exercise what they should: primary-only suppression often leaks, complements (zeros among
        // them) are needed, and some sparse or thin tables cannot be protected at all.
        #expect(naiveLeaks > 30, "\(naiveLeaks)")
        #expect(complements > 40, "\(complements)")
        if shape != .oneWay { #expect(zeroComplements > 3, "\(zeroComplements)") }
        #expect(exposedTables > 0)
    }

    // MARK: size

    /// Whether a withheld cell of a two-way table can be pinned when every withheld cell is at least 1: cells are
    /// edges between their row and column, and a cell is pinned exactly when it is a bridge of that graph (no cycle
    /// of withheld cells passes through it). Found with Tarjan's bridge search.
    static func bridges(rows: Int, columns: Int, edges: [(Int, Int)]) -> Set<Int> {
        let nodes = rows + columns
        var adjacent = [[(node: Int, edge: Int)]](repeating: [], count: nodes)
        for (e, (r, c)) in edges.enumerated() {
            adjacent[r].append((rows + c, e))
            adjacent[rows + c].append((r, e))
        }
        var order = [Int](repeating: -1, count: nodes), low = [Int](repeating: 0, count: nodes)
        var counter = 0
        var result = Set<Int>()
        for start in 0..<nodes where order[start] < 0 {
            // Iterative depth-first search: (node, edge it was entered by, next neighbour to look at).
            var stack: [(node: Int, via: Int, next: Int)] = [(start, -1, 0)]
            order[start] = counter; low[start] = counter; counter += 1
            while let top = stack.last {
                if top.next < adjacent[top.node].count {
                    stack[stack.count - 1].next += 1
                    let (to, edge) = adjacent[top.node][top.next]
                    if edge == top.via { continue }
                    if order[to] < 0 {
                        order[to] = counter; low[to] = counter; counter += 1
                        stack.append((to, edge, 0))
                    } else {
                        low[top.node] = min(low[top.node], order[to])
                    }
                } else {
                    stack.removeLast()
                    if let parent = stack.last {
                        low[parent.node] = min(low[parent.node], low[top.node])
                        if low[top.node] > order[parent.node] { result.insert(top.via) }
                    }
                }
            }
        }
        return result
    }

    @Test("A 100 × 100 table with about 500 small cells is protected quickly and no withheld cell is a bridge")
    func largeTable() throws {
        var rng = SuppressionTestRandom(state: 99)
        var rows: [[Int]] = []
        for _ in 0..<100 { rows.append((0..<100).map { _ in Int.random(in: 0..<20, using: &rng) == 0 ? Int.random(in: 1...4, using: &rng) : Int.random(in: 5...80, using: &rng) }) }
        let cells = Self.twoWay(rows)
        let primaries = Self.primaries(cells, threshold: 5)
        #expect(primaries.count > 400)
        let clock = ContinuousClock()
        var result = SuppressionResult(suppressed: [:], exposed: [])
        let elapsed = try clock.measure { result = try SmallCellSuppression.protect(cells, threshold: 5) }
        #expect(elapsed < .seconds(3), "took \(elapsed)")
        #expect(Set(primaries).isSubset(of: result.suppressed.keys))
        #expect(result.exposed.isEmpty)
        let withheld = result.suppressed.keys.sorted()
        let pinned = Self.bridges(rows: 100, columns: 100, edges: withheld.map { (cells[$0].coordinates[0], cells[$0].coordinates[1]) })
        #expect(pinned.isEmpty, "bridges: \(pinned.map { cells[withheld[$0]].coordinates })")
        // Bridges appear when only the small cells are withheld, so the check can fail.
        #expect(!Self.bridges(rows: 100, columns: 100, edges: primaries.map { (cells[$0].coordinates[0], cells[$0].coordinates[1]) }).isEmpty)
    }

    @Test("The bridge check itself finds the joining cell of two rectangles")
    func bridgeCheck() {
        let edges = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]
        #expect(Self.bridges(rows: 4, columns: 4, edges: edges) == [8])
        #expect(Self.bridges(rows: 4, columns: 4, edges: Array(edges.prefix(8))).isEmpty)
    }

    @Test("A 22 × 22 × 22 table needing about 500 withheld cells is protected quickly")
    func largeThreeWayTable() throws {
        var rng = SuppressionTestRandom(state: 7)
        var cells: [SuppressionCell] = []
        for a in 0..<22 { for b in 0..<22 { for c in 0..<22 {
            let value = Int.random(in: 0..<100, using: &rng) == 0 ? Int.random(in: 1...4, using: &rng) : Int.random(in: 5...40, using: &rng)
            cells.append(.init(coordinates: [a, b, c], value: value))
        } } }
        let primaries = Self.primaries(cells, threshold: 5)
        #expect(primaries.count > 100)
        let clock = ContinuousClock()
        var result = SuppressionResult(suppressed: [:], exposed: [])
        let elapsed = try clock.measure { result = try SmallCellSuppression.protect(cells, threshold: 5) }
        #expect(elapsed < .seconds(3), "took \(elapsed)")
        #expect(Set(primaries).isSubset(of: result.suppressed.keys))
        #expect(result.exposed.isEmpty)
        #expect(result.suppressed.count > 400 && result.suppressed.count < 700, "\(result.suppressed.count) withheld")
        // Every line with a withheld cell has at least two.
        for dimension in 0..<3 {
            let lines = Dictionary(grouping: result.suppressed.keys, by: { var c = cells[$0].coordinates; c[dimension] = -1; return c })
            #expect(lines.values.allSatisfy { $0.count >= 2 })
        }
    }
}
