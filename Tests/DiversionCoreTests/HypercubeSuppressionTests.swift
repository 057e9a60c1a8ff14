import Foundation
import Testing
@testable import DiversionCore

@Suite("Hypercube suppression hides every small count of many-way tables")
struct HypercubeSuppressionTests {
    static func table(_ sizes: [Int], sparse: Bool, using rng: inout SuppressionTestRandom) -> [SuppressionCell] {
        var places: [[Int]] = [[]]
        for size in sizes { places = places.flatMap { p in (0..<size).map { p + [$0] } } }
        var cells: [SuppressionCell] = []
        for place in places {
            if sparse && Int.random(in: 0..<4, using: &rng) == 0 { continue }
            let kind = Int.random(in: 0..<10, using: &rng)
            let value = kind < 2 ? 0 : kind < 5 ? Int.random(in: 1...4, using: &rng) : Int.random(in: 5...9, using: &rng)
            cells.append(.init(coordinates: place, value: value))
        }
        return cells
    }

    @Test("On random three- and four-way tables the attacker pins no small count that is not reported exposed", arguments: [
        ([2, 2, 2], false), ([3, 2, 2], false), ([2, 3, 3], true), ([2, 2, 2, 2], false), ([3, 2, 2, 2], true),
    ])
    func randomTablesResistTheAttacker(sizes: [Int], sparse: Bool) throws {
        var rng = SuppressionTestRandom(state: 77 &+ UInt64(sizes.reduce(0, +)) &+ (sparse ? 1000 : 0))
        var protected = 0
        for trial in 0..<120 {
            let cells = Self.table(sizes, sparse: sparse, using: &rng)
            guard !cells.isEmpty else { continue }
            let result = try SmallCellSuppression.protectByHypercubes(cells, threshold: 5)
            let primaries = cells.indices.filter { cells[$0].value > 0 && cells[$0].value < 5 }
            #expect(primaries.allSatisfy { result.suppressed[$0] == .primary })
            #expect(result.suppressed.filter { $0.value == .primary }.count == primaries.count)
            let pinned = Set(SuppressionAttacker.leaks(cells, withheld: result.suppressed.keys))
            for p in primaries where !result.exposed.contains(p) {
                #expect(!pinned.contains(p), "trial \(trial): small cell \(p) pinned in \(cells.map { "\($0.coordinates)=\($0.value)" }) withholding \(result.suppressed.keys.sorted())")
                protected += 1
            }
            #expect(try SmallCellSuppression.protectByHypercubes(cells, threshold: 5) == result, "deterministic")
        }
        // Absent cells block boxes, so sparse four-way tables protect fewer cells by boxes and expose the rest.
        #expect(protected > (sparse && sizes.count == 4 ? 5 : 50), "\(protected)")
    }

    @Test("A small count in a full two-by-two-by-two table withholds exactly its cube")
    func oneCube() throws {
        var cells: [SuppressionCell] = []
        for a in 0..<2 { for b in 0..<2 { for c in 0..<2 { cells.append(.init(coordinates: [a, b, c], value: a + b + c == 0 ? 2 : 10 + a + b + c)) } } }
        let result = try SmallCellSuppression.protectByHypercubes(cells, threshold: 5)
        #expect(result.suppressed.count == 8)
        #expect(result.exposed.isEmpty)
    }

    @Test("Primary cells share a box already withheld rather than opening a new one")
    func boxesAreShared() throws {
        // Two small cells on opposite corners of the same square: one square hides both.
        let cells = [
            SuppressionCell(coordinates: [0, 0, 0], value: 1), SuppressionCell(coordinates: [0, 1, 0], value: 20),
            SuppressionCell(coordinates: [1, 0, 0], value: 20), SuppressionCell(coordinates: [1, 1, 0], value: 2),
            SuppressionCell(coordinates: [0, 0, 1], value: 30), SuppressionCell(coordinates: [0, 1, 1], value: 30),
            SuppressionCell(coordinates: [1, 0, 1], value: 30), SuppressionCell(coordinates: [1, 1, 1], value: 30),
        ]
        let result = try SmallCellSuppression.protectByHypercubes(cells, threshold: 5)
        #expect(result.suppressed.count == 8)
        #expect(result.suppressed[0] == .primary && result.suppressed[3] == .primary)
    }

    @Test("A small count alone in its line is reported exposed and its lines are withheld")
    func aloneIsExposed() throws {
        let cells = [
            SuppressionCell(coordinates: [0, 0, 0], value: 3), SuppressionCell(coordinates: [1, 1, 1], value: 40),
            SuppressionCell(coordinates: [1, 0, 1], value: 40),
        ]
        let result = try SmallCellSuppression.protectByHypercubes(cells, threshold: 5)
        #expect(result.exposed == [0])
    }

    @Test("A large four-way table with hundreds of small cells is protected, every small cell hidden at a box corner")
    func largeTable() throws {
        var rng = SuppressionTestRandom(state: 9)
        let cells = Self.table([4, 8, 6, 10], sparse: false, using: &rng)
        let result = try SmallCellSuppression.protectByHypercubes(cells, threshold: 5)
        let primaries = cells.indices.filter { cells[$0].value > 0 && cells[$0].value < 5 }
        #expect(primaries.count > 400)
        #expect(result.exposed.isEmpty)
        #expect(primaries.allSatisfy { result.suppressed[$0] == .primary })
    }

    @Test("Malformed tables are refused")
    func malformed() {
        #expect(throws: SuppressionTableError.duplicateCoordinates(first: 0, second: 1)) {
            try SmallCellSuppression.protectByHypercubes([.init(coordinates: [0, 0, 0], value: 1), .init(coordinates: [0, 0, 0], value: 2)], threshold: 5)
        }
        #expect(throws: SuppressionTableError.negativeValue(cell: 0)) {
            try SmallCellSuppression.protectByHypercubes([.init(coordinates: [0, 0, 0], value: -1)], threshold: 5)
        }
    }
}
