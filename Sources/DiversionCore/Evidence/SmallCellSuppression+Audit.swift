import Foundation

// The exact audit behind `SmallCellSuppression`: which suppressed cells an attacker who knows every line total,
// every published cell and that counts are never negative can still work out exactly.
//
// For one connected group of suppressed cells (the unknowns) the line totals give a linear system A·x = b with 0/1
// coefficients. A cell is worked out exactly when every change of the unknowns that keeps all totals (a vector v
// with A·v = 0) leaves it alone. Counts are never negative, so a suppressed cell whose true value is 0 can only
// go up: the changes the attacker cannot rule out are the cone K = {v : A·v = 0, v ≥ 0 on the zero cells}. All
// other suppressed cells are at least 1, so small changes either way keep them non-negative.
//
// 1. The zero cells that no change in K can raise (E) are known to be 0: a small linear programme finds them.
// 2. Adding "x = 0" for the cells of E, a cell is worked out exactly when its unit vector lies in the row space of
//    the system, which reduced row echelon form shows directly. Because K contains a change that raises every
//    zero cell outside E, the cone spans the whole remaining null space, so nothing else is pinned by signs.
// 3. Counts are whole numbers. In one and two dimensions the line equations are totally unimodular, so a value
//    free over the reals takes at least two whole values. In three or more it may not, so every cell must also be
//    moved by an explicit whole-number change (see `determined`).
//
// Arithmetic is exact (fractions of Int with overflow checks). Should a number ever overflow, the audit answers
// the cautious way: every zero cell known (E = all of them) or every cell of the group worked out.

/// Raised when exact arithmetic would overflow `Int`; the audit then takes its cautious answer.
struct AuditOverflow: Error {}

/// An exact fraction in lowest terms with a positive denominator; every operation checks for overflow.
struct AuditFraction: Equatable, Sendable {
    private(set) var numerator: Int
    private(set) var denominator: Int

    static let zero = AuditFraction(0)
    static let one = AuditFraction(1)

    init(_ value: Int) {
        numerator = value
        denominator = 1
    }

    init(_ numerator: Int, over denominator: Int) throws(AuditOverflow) {
        guard denominator != 0 else { throw AuditOverflow() }
        let divisor = Self.gcd(numerator.magnitude, denominator.magnitude)
        var n = numerator / Int(divisor)
        var d = denominator / Int(divisor)
        if d < 0 {
            n = try Self.checked(0.subtractingReportingOverflow(n))
            d = try Self.checked(0.subtractingReportingOverflow(d))
        }
        self.numerator = n
        self.denominator = d
    }

    var isZero: Bool { numerator == 0 }
    var isPositive: Bool { numerator > 0 }
    var isNegative: Bool { numerator < 0 }

    static func + (a: AuditFraction, b: AuditFraction) throws(AuditOverflow) -> AuditFraction {
        if a.denominator == 1 && b.denominator == 1 {
            return AuditFraction(try checked(a.numerator.addingReportingOverflow(b.numerator)))
        }
        let left = try checked(a.numerator.multipliedReportingOverflow(by: b.denominator))
        let right = try checked(b.numerator.multipliedReportingOverflow(by: a.denominator))
        let denominator = try checked(a.denominator.multipliedReportingOverflow(by: b.denominator))
        return try AuditFraction(try checked(left.addingReportingOverflow(right)), over: denominator)
    }

    static func - (a: AuditFraction, b: AuditFraction) throws(AuditOverflow) -> AuditFraction {
        try a + (try b.negated())
    }

    static func * (a: AuditFraction, b: AuditFraction) throws(AuditOverflow) -> AuditFraction {
        if a.isZero || b.isZero { return .zero }
        if a.denominator == 1 && b.denominator == 1 {
            return AuditFraction(try checked(a.numerator.multipliedReportingOverflow(by: b.numerator)))
        }
        // Cross-reducing first keeps the intermediate products small.
        let g1 = Int(gcd(a.numerator.magnitude, b.denominator.magnitude))
        let g2 = Int(gcd(b.numerator.magnitude, a.denominator.magnitude))
        let n = try checked((a.numerator / g1).multipliedReportingOverflow(by: b.numerator / g2))
        let d = try checked((a.denominator / g2).multipliedReportingOverflow(by: b.denominator / g1))
        return try AuditFraction(n, over: d)
    }

    static func / (a: AuditFraction, b: AuditFraction) throws(AuditOverflow) -> AuditFraction {
        guard !b.isZero else { throw AuditOverflow() }
        return try a * (try AuditFraction(b.denominator, over: b.numerator))
    }

    func negated() throws(AuditOverflow) -> AuditFraction {
        var copy = self
        copy.numerator = try Self.checked(0.subtractingReportingOverflow(numerator))
        return copy
    }

    /// True when `a < b`.
    static func less(_ a: AuditFraction, _ b: AuditFraction) throws(AuditOverflow) -> Bool {
        try (a - b).isNegative
    }

    private static func checked(_ result: (partialValue: Int, overflow: Bool)) throws(AuditOverflow) -> Int {
        if result.overflow { throw AuditOverflow() }
        return result.partialValue
    }

    private static func gcd(_ a: UInt, _ b: UInt) -> UInt {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }
}

/// Exact linear algebra over the line equations of one group of suppressed cells.
enum SuppressionAudit {
    /// The unknowns of a group (suppressed cells the totals do not already give away) and the lines through them.
    struct Group {
        /// Each equation lists the positions (into the unknowns) of the cells on one line; coefficients are all 1.
        var equations: [[Int]]
        /// The true value of each unknown.
        var values: [Int]
        /// The table coordinates of each unknown.
        var coordinates: [[Int]]
        /// True when a value free over the real numbers is also free over the whole numbers: so for one and two
        /// dimensions, whose line equations are totally unimodular (every corner of the feasible region is whole).
        var realAnswerIsWhole: Bool

        var unknowns: Int { values.count }
        /// Positions of unknowns whose true value is 0 (the only ones non-negativity can pin over the reals).
        var zeros: [Int] { values.indices.filter { values[$0] == 0 } }
    }

    /// Positions of the unknowns an attacker can work out exactly, ascending.
    ///
    /// In three or more dimensions a value can be free over the reals yet pinned over the whole numbers (the
    /// feasible region can have half-integer corners, so "between 1.5 and 2" means 2). There each cell must also be
    /// moved by an explicit whole-number change that keeps every line total and every count at 0 or more. Changes
    /// are tried cheapest first: the fundamental circuits of the elimination (`circuitMoves`), a hypercube through
    /// the cell (`cubeMove`), then a bounded search (`unitMove`). A cell no change is found for counts as worked
    /// out, which can only withhold more.
    static func determined(_ group: Group) -> [Int] {
        let overReals = auditOverReals(group)
        guard !group.realAnswerIsWhole else { return overReals.pinned }
        var settled = Set(overReals.pinned)
        var moved = Set<Int>()
        if let echelon = overReals.echelon {
            for move in circuitMoves(echelon, values: group.values) { moved.formUnion(move) }
        }
        var linesOf = [[Int]](repeating: [], count: group.unknowns)
        for (l, equation) in group.equations.enumerated() { for p in equation { linesOf[p].append(l) } }
        let place = Dictionary(uniqueKeysWithValues: group.coordinates.enumerated().map { ($1, $0) })
        for position in 0..<group.unknowns where !settled.contains(position) && !moved.contains(position) {
            if let move = cubeMove(from: position, group: group, linesOf: linesOf, place: place) ?? unitMove(from: position, group: group, linesOf: linesOf) {
                moved.formUnion(move) // every cell the change touches takes a second value too
            } else {
                settled.insert(position)
            }
        }
        return settled.sorted()
    }

    /// Positions of the unknowns pinned over the real numbers (exact for one and two dimensions), with the final
    /// elimination (nil when arithmetic overflowed and every cell was taken as pinned).
    static func auditOverReals(_ group: Group) -> (pinned: [Int], echelon: Echelon?) {
        do {
            let echelon = try Echelon(group.equations, columns: group.unknowns)
            let pinnedByLines = echelon.pinned
            let open = group.zeros.filter { !pinnedByLines.contains($0) }
            guard !open.isEmpty else { return (pinnedByLines.sorted(), echelon) }

            var knownZeros: [Int]
            do {
                knownZeros = try zerosThatCannotRise(open, echelon: echelon)
            } catch {
                knownZeros = open // Cautious: treat every suppressed zero as known to be zero.
            }
            guard !knownZeros.isEmpty else { return (pinnedByLines.sorted(), echelon) }
            let widened = try Echelon(group.equations + knownZeros.map { [$0] }, columns: group.unknowns)
            return (widened.pinned.sorted(), widened)
        } catch {
            return (Array(0..<group.unknowns), nil) // Cautious: every cell counts as pinned, so more are suppressed.
        }
    }

    /// Whole-number changes read off the elimination: for each free column f, the null vector with 1 at f and
    /// −R[row][f] at each pivot column, scaled to whole numbers, keeps every line total. Returns the supports of
    /// those that, added or subtracted, leave every count at 0 or more.
    static func circuitMoves(_ echelon: Echelon, values: [Int]) -> [[Int]] {
        var moves: [[Int]] = []
        var column = [AuditFraction](repeating: .zero, count: echelon.pivotRow.count)
        for free in echelon.pivotRow.indices where echelon.pivotRow[free] == nil {
            var support = [free]
            for (pivot, row) in echelon.pivotRow.enumerated() {
                guard let row else { continue }
                let entry = echelon.entry(row, free)
                if !entry.isZero { support.append(pivot); column[pivot] = entry }
            }
            // v = common multiple of the denominators × (1 at free, −entry at each pivot).
            var scale = 1
            for p in support.dropFirst() {
                let d = column[p].denominator
                let g = gcdOf(scale, d)
                let (product, overflow) = (scale / g).multipliedReportingOverflow(by: d)
                if overflow { scale = 0; break }
                scale = product
            }
            guard scale > 0 else { continue }
            var step: [(Int, Int)] = [(free, scale)]
            var fits = true
            for p in support.dropFirst() {
                let (n, overflow) = (scale / column[p].denominator).multipliedReportingOverflow(by: column[p].numerator)
                if overflow || n == Int.min { fits = false; break }
                step.append((p, -n))
            }
            guard fits else { continue }
            // A cell moved by −k needs a value of at least k; cells moved up are always fine.
            let up = step.allSatisfy { $0.1 >= 0 || values[$0.0] >= -$0.1 }
            let down = step.allSatisfy { $0.1 <= 0 || values[$0.0] >= $0.1 }
            if up || down { moves.append(support) }
        }
        return moves
    }

    private static func gcdOf(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a.magnitude, b.magnitude)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : Int(x)
    }

    /// A hypercube of unknowns through `start` (two values in every dimension, 2ⁿ cells) with +1 and −1 alternating:
    /// each line through the cube holds two of its cells with opposite signs, so every total is kept. Returns the
    /// cube's positions when one orientation leaves every count at 0 or more.
    static func cubeMove(from start: Int, group: Group, linesOf: [[Int]], place: [[Int]: Int]) -> [Int]? {
        let origin = group.coordinates[start]
        let dimensions = origin.count
        guard dimensions < 8 else { return nil }
        // For each dimension, the other values along the line through `start` that hold unknowns.
        var alternatives = [[Int]](repeating: [], count: dimensions)
        for line in linesOf[start] {
            for p in group.equations[line] where p != start {
                let c = group.coordinates[p]
                guard let d = (0..<dimensions).first(where: { c[$0] != origin[$0] }) else { continue }
                if !alternatives[d].contains(c[d]) { alternatives[d].append(c[d]) }
            }
        }
        guard alternatives.allSatisfy({ !$0.isEmpty }) else { return nil }
        alternatives = alternatives.map { $0.sorted() }
        var choice = [Int](repeating: 0, count: dimensions)
        for _ in 0..<512 {
            var cube: [(position: Int, odd: Bool)] = []
            for mask in 0..<(1 << dimensions) {
                var c = origin
                for d in 0..<dimensions where mask & (1 << d) != 0 { c[d] = alternatives[d][choice[d]] }
                guard let p = place[c] else { break }
                cube.append((p, mask.nonzeroBitCount % 2 == 1))
            }
            if cube.count == 1 << dimensions {
                // Raise the even corners and lower the odd ones, or the other way round.
                if cube.allSatisfy({ !$0.odd || group.values[$0.position] >= 1 }) || cube.allSatisfy({ $0.odd || group.values[$0.position] >= 1 }) {
                    return cube.map(\.position)
                }
            }
            // Next combination of alternatives, like an odometer.
            var d = 0
            while d < dimensions {
                choice[d] += 1
                if choice[d] < alternatives[d].count { break }
                choice[d] = 0
                d += 1
            }
            if d == dimensions { return nil }
        }
        return nil
    }

    /// A change of +1 or −1 on some unknowns, including `start`, that keeps every line total and leaves every count
    /// at 0 or more: proof that each cell it touches can take a second whole-number value. Depth-first with growing
    /// depth limits: while some line is out of balance, change one more cell on it, preferring cells that also
    /// rebalance their other lines. A branch stops when the imbalance left exceeds what the remaining changes could
    /// repair (each cell sits on one line per dimension). Returns the touched positions, or nil when none is found
    /// within the step budget.
    static func unitMove(from start: Int, group: Group, linesOf: [[Int]], budget: Int = 1_000) -> [Int]? {
        let perCell = linesOf.map(\.count).max() ?? 1
        var budget = budget
        var change = [Int](repeating: 0, count: group.unknowns)
        var imbalance = [Int](repeating: 0, count: group.equations.count)
        var totalImbalance = 0
        var touched: [Int] = []

        func apply(_ position: Int, _ step: Int) {
            change[position] += step
            for l in linesOf[position] {
                totalImbalance -= abs(imbalance[l])
                imbalance[l] += step
                totalImbalance += abs(imbalance[l])
            }
        }

        func search(limit: Int) -> Bool {
            budget -= 1
            if budget < 0 { return false }
            if totalImbalance == 0 { return true }
            if totalImbalance > perCell * (limit - touched.count) { return false }
            var unbalanced: Int?
            search: for p in touched {
                for l in linesOf[p] where imbalance[l] != 0 {
                    unbalanced = l
                    break search
                }
            }
            guard let line = unbalanced else { return true }
            let step = imbalance[line] > 0 ? -1 : 1
            let choices = group.equations[line]
                .filter { change[$0] == 0 && (step > 0 || group.values[$0] >= 1) }
                .map { p in (p, linesOf[p].count { $0 != line && imbalance[$0] * step < 0 }) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            for (position, _) in choices {
                apply(position, step)
                touched.append(position)
                if search(limit: limit) { return true }
                touched.removeLast()
                apply(position, -step)
                if budget < 0 { return false }
            }
            return false
        }

        var limit = 4
        while limit <= min(group.unknowns, 32) * 2 {
            for step in [1, -1] where step > 0 || group.values[start] >= 1 {
                apply(start, step)
                touched = [start]
                if search(limit: min(limit, group.unknowns)) { return touched }
                apply(start, -step)
                if budget < 0 { return nil }
            }
            if limit >= group.unknowns { break }
            limit *= 2
        }
        return nil
    }

    /// The reduced row echelon form of a 0/1 matrix, by Gauss–Jordan elimination over exact fractions. Stored flat
    /// (row after row) and worked through a buffer pointer, which keeps large groups fast in debug builds too.
    struct Echelon {
        let columns: Int
        /// Row-major entries after elimination.
        private(set) var entries: [AuditFraction]
        /// For each column, the row whose pivot it is, or nil for a free column.
        private(set) var pivotRow: [Int?]

        /// `rows` lists, for each row, the columns holding a 1.
        init(_ rows: [[Int]], columns: Int) throws(AuditOverflow) {
            self.columns = columns
            var entries = [AuditFraction](repeating: .zero, count: rows.count * columns)
            for (r, row) in rows.enumerated() { for c in row { entries[r * columns + c] = .one } }
            var pivotRow = [Int?](repeating: nil, count: columns)
            let rowCount = rows.count
            let outcome: Result<Void, AuditOverflow> = entries.withUnsafeMutableBufferPointer { m in
                do throws(AuditOverflow) {
                    var rank = 0
                    var support: [Int] = []
                    support.reserveCapacity(columns)
                    for column in 0..<columns where rank < rowCount {
                        var found = -1
                        for r in rank..<rowCount where !m[r * columns + column].isZero {
                            found = r
                            break
                        }
                        guard found >= 0 else { continue }
                        if found != rank {
                            for c in 0..<columns { m.swapAt(found * columns + c, rank * columns + c) }
                        }
                        let base = rank * columns
                        let pivot = m[base + column]
                        support.removeAll(keepingCapacity: true)
                        for c in 0..<columns where !m[base + c].isZero { support.append(c) }
                        if pivot != .one {
                            for c in support { m[base + c] = try m[base + c] / pivot }
                        }
                        for r in 0..<rowCount where r != rank {
                            let factor = m[r * columns + column]
                            if factor.isZero { continue }
                            let target = r * columns
                            for c in support { m[target + c] = try m[target + c] - (try factor * m[base + c]) }
                        }
                        pivotRow[column] = rank
                        rank += 1
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            try outcome.get()
            self.entries = entries
            self.pivotRow = pivotRow
        }

        func entry(_ row: Int, _ column: Int) -> AuditFraction { entries[row * columns + column] }

        /// The non-zero entries of a row, by column.
        func row(_ r: Int) -> [(column: Int, value: AuditFraction)] {
            (0..<columns).compactMap { c in
                let value = entries[r * columns + c]
                return value.isZero ? nil : (c, value)
            }
        }

        /// Unknowns whose pivot row has no other entry: that row reads "this unknown = a known number".
        var pinned: Set<Int> {
            var result = Set<Int>()
            for (column, row) in pivotRow.enumerated() {
                guard let row else { continue }
                let base = row * columns
                if !(0..<columns).contains(where: { $0 != column && !entries[base + $0].isZero }) { result.insert(column) }
            }
            return result
        }
    }

    /// The zero cells (among `zeros`) that no change keeping every line total and every zero cell non-negative
    /// can raise. Solves: maximise Σ t_j over null-space coordinates w, with v = N·w, t_j ≤ v_j and 0 ≤ t_j ≤ 1.
    /// The cone is closed under scaling and addition, so at the optimum t_j = 1 exactly for the cells that can rise.
    static func zerosThatCannotRise(_ zeros: [Int], echelon: Echelon) throws(AuditOverflow) -> [Int] {
        // Null-space basis: one vector per free column f, 1 at f and −R[row][f] at each pivot column. Only the
        // entries at the zero cells matter, and only the free columns that move some zero cell.
        var basis: [[Int: AuditFraction]] = []
        for z in zeros {
            var entries: [Int: AuditFraction] = [:]
            if let r = echelon.pivotRow[z] {
                for (c, value) in echelon.row(r) where c != z { entries[c] = try value.negated() }
            } else {
                entries[z] = .one
            }
            basis.append(entries)
        }
        let used = Array(Set(basis.flatMap(\.keys))).sorted()
        let k = used.count, m = zeros.count
        // Variables: w⁺ (k), w⁻ (k), t (m). Constraints: −v_j + t_j ≤ 0 and t_j ≤ 1 for each zero cell j.
        var constraints: [[AuditFraction]] = []
        var bounds: [AuditFraction] = []
        for (j, entries) in basis.enumerated() {
            var line = [AuditFraction](repeating: .zero, count: 2 * k + m)
            for (i, f) in used.enumerated() {
                guard let value = entries[f] else { continue }
                line[i] = try value.negated()
                line[k + i] = value
            }
            line[2 * k + j] = .one
            constraints.append(line)
            bounds.append(.zero)
        }
        for j in 0..<m {
            var line = [AuditFraction](repeating: .zero, count: 2 * k + m)
            line[2 * k + j] = .one
            constraints.append(line)
            bounds.append(.one)
        }
        var objective = [AuditFraction](repeating: .zero, count: 2 * k + m)
        for j in 0..<m { objective[2 * k + j] = .one }
        let solution = try maximise(objective, constraints: constraints, bounds: bounds)
        return zeros.enumerated().filter { solution[2 * k + $0.offset] != .one }.map(\.element)
    }

    /// Maximises c·x subject to A·x ≤ b and x ≥ 0, where b ≥ 0 so the slack basis is a feasible start.
    /// Bland's rule (lowest index enters and leaves) rules out cycling, so the simplex method terminates.
    /// Returns the optimal x. Throws on overflow or if the programme turns out unbounded (it cannot here).
    static func maximise(_ objective: [AuditFraction], constraints: [[AuditFraction]], bounds: [AuditFraction]) throws(AuditOverflow) -> [AuditFraction] {
        let variables = objective.count, rows = constraints.count
        let width = variables + rows + 1 // decision variables, slacks, right-hand side
        var tableau: [[AuditFraction]] = []
        for (r, constraint) in constraints.enumerated() {
            var row = constraint + [AuditFraction](repeating: .zero, count: rows + 1)
            row[variables + r] = .one
            row[width - 1] = bounds[r]
            tableau.append(row)
        }
        // Reduced costs: entering candidates are columns with a negative entry.
        var costs = [AuditFraction](repeating: .zero, count: width)
        for (i, c) in objective.enumerated() { costs[i] = try c.negated() }
        var basis = (0..<rows).map { variables + $0 }

        for _ in 0..<10_000 {
            guard let entering = (0..<(width - 1)).first(where: { costs[$0].isNegative }) else {
                var x = [AuditFraction](repeating: .zero, count: variables)
                for (r, b) in basis.enumerated() where b < variables { x[b] = tableau[r][width - 1] }
                return x
            }
            var leaving: Int?
            var best = AuditFraction.zero
            for r in 0..<rows where tableau[r][entering].isPositive {
                let ratio = try tableau[r][width - 1] / tableau[r][entering]
                if let current = leaving {
                    if try AuditFraction.less(ratio, best) || (ratio == best && basis[r] < basis[current]) {
                        leaving = r
                        best = ratio
                    }
                } else {
                    leaving = r
                    best = ratio
                }
            }
            guard let pivotRow = leaving else { throw AuditOverflow() }
            let pivot = tableau[pivotRow][entering]
            for c in 0..<width where !tableau[pivotRow][c].isZero {
                tableau[pivotRow][c] = try tableau[pivotRow][c] / pivot
            }
            let support = (0..<width).filter { !tableau[pivotRow][$0].isZero }
            for r in 0..<rows where r != pivotRow {
                let factor = tableau[r][entering]
                if factor.isZero { continue }
                for c in support { tableau[r][c] = try tableau[r][c] - (try factor * tableau[pivotRow][c]) }
            }
            let factor = costs[entering]
            for c in support { costs[c] = try costs[c] - (try factor * tableau[pivotRow][c]) }
            basis[pivotRow] = entering
        }
        throw AuditOverflow() // Bland's rule cannot cycle; this only guards against a bug.
    }
}
