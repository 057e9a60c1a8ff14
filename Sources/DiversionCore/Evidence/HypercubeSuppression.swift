import Foundation

extension SmallCellSuppression {
    /// Method name published beside tables protected by hypercubes.
    public static let hypercubeMethod = "primary cells 1..threshold-1, each hidden at a corner of a hypercube of withheld cells, so every line total stays the same when the corners move by one in alternating directions"

    /// Small-cell suppression for tables of three or more dimensions, or large ones, where an exact audit is too slow:
    /// the hypercube method (as in GHMITER and τ-ARGUS). Each primary cell becomes a corner of a box spanning one
    /// other category in every dimension, with all 2ⁿ corners withheld; moving the corners by +1 and −1 in turn keeps
    /// every line total, so each primary cell has at least two values consistent with everything published. A box
    /// qualifies only when the corners that would go down are at least 1 (counts are never negative). Boxes already
    /// withheld cost nothing, so they are shared; among the rest the cheapest (smallest counts, fewest cells) wins.
    /// A primary cell no box can hide (it is alone in a line, or absent cells block every box) is listed as exposed,
    /// and every cell on its lines is withheld.
    public static func protectByHypercubes(_ cells: [SuppressionCell], threshold: Int) throws(SuppressionTableError) -> SuppressionResult {
        guard let first = cells.first else { return SuppressionResult(suppressed: [:], exposed: []) }
        let n = first.coordinates.count
        guard n > 0 else { throw .noDimensions(cell: 0) }
        var size = [Int](repeating: 0, count: n)
        for (i, cell) in cells.enumerated() {
            guard cell.coordinates.count == n else { throw .dimensionMismatch(cell: i, expected: n, found: cell.coordinates.count) }
            guard cell.value >= 0 else { throw .negativeValue(cell: i) }
            for d in 0..<n { size[d] = max(size[d], cell.coordinates[d] + 1) }
        }
        // Cells by position in the full cross-classification, so a corner is one array read.
        var strides = [Int](repeating: 1, count: n)
        for d in Swift.stride(from: n - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * size[d + 1] }
        let stride = strides
        let volume = size.reduce(1, *)
        guard volume <= 50_000_000 else { return everything(cells, threshold: threshold) }
        var at = [Int32](repeating: -1, count: volume)
        for (i, cell) in cells.enumerated() {
            var p = 0
            for d in 0..<n { p += cell.coordinates[d] * stride[d] }
            if at[p] >= 0 { throw .duplicateCoordinates(first: Int(at[p]), second: i) }
            at[p] = Int32(i)
        }

        var reasons: [Int: SuppressionReason] = [:]
        let primaries = cells.indices.filter { cells[$0].value > 0 && cells[$0].value < threshold }
            .sorted { (cells[$0].value, $0) < (cells[$1].value, $1) }
        for p in primaries { reasons[p] = .primary }
        var exposed: [Int] = []
        let cornerCount = 1 << n

        for p in primaries {
            let origin = cells[p].coordinates
            // Per dimension, the other categories to try, cheapest neighbour first.
            var options: [[Int]] = []
            for d in 0..<n {
                var alternatives: [(Int, Int)] = []
                for a in 0..<size[d] where a != origin[d] {
                    var pos = 0
                    for e in 0..<n { pos += (e == d ? a : origin[e]) * stride[e] }
                    let cell = at[pos]
                    guard cell >= 0 else { continue }
                    let cost = reasons[Int(cell)] != nil ? 0 : cells[Int(cell)].value + 1
                    alternatives.append((cost, a))
                }
                options.append(alternatives.sorted { $0 < $1 }.map(\.1))
            }
            var best: (cost: Int, corners: [Int])?
            // A narrow search first; the whole space only when it finds nothing.
            for limit in [max(2, Int(pow(512.0, 1.0 / Double(n)))), Int.max] {
                let choices = options.map { Array($0.prefix(limit)) }
                if choices.contains(where: \.isEmpty) { break }
                var pick = [Int](repeating: 0, count: n)
                var corners = [Int](repeating: 0, count: cornerCount)
                var examined = 0
                search: while true {
                    examined += 1
                    var cost = 0, evenOK = true, oddOK = true, present = true
                    for mask in 1..<cornerCount {
                        var pos = 0
                        for d in 0..<n { pos += ((mask >> d) & 1 == 1 ? choices[d][pick[d]] : origin[d]) * stride[d] }
                        let cell = Int(at[pos])
                        if cell < 0 { present = false; break }
                        corners[mask] = cell
                        let value = cells[cell].value
                        if mask.nonzeroBitCount % 2 == 0 { evenOK = evenOK && value >= 1 } else { oddOK = oddOK && value >= 1 }
                        if reasons[cell] == nil { cost += value + 1 }
                    }
                    if present, evenOK || oddOK, cost < (best?.cost ?? Int.max) {
                        best = (cost, Array(corners[1...]))
                        if cost == 0 { break search }
                    }
                    // Next combination, odometer style.
                    var d = 0
                    while d < n {
                        pick[d] += 1
                        if pick[d] < choices[d].count { break }
                        pick[d] = 0
                        d += 1
                    }
                    if d == n || examined > 200_000 { break }
                }
                if best != nil || limit == Int.max { break }
            }
            if let best {
                for c in best.corners where reasons[c] == nil { reasons[c] = .complementary }
            } else {
                exposed.append(p)
                for (i, cell) in cells.enumerated() where reasons[i] == nil {
                    let differing = zip(cell.coordinates, origin).filter { $0 != $1 }.count
                    if differing <= 1 { reasons[i] = .complementary }
                }
            }
        }
        return SuppressionResult(suppressed: reasons, exposed: exposed.sorted())
    }

    /// Withholds every non-zero cell: the answer for tables too large to index.
    static func everything(_ cells: [SuppressionCell], threshold: Int) -> SuppressionResult {
        var reasons: [Int: SuppressionReason] = [:]
        for (i, c) in cells.enumerated() where c.value > 0 { reasons[i] = c.value < threshold ? .primary : .complementary }
        return SuppressionResult(suppressed: reasons, exposed: [])
    }
}
