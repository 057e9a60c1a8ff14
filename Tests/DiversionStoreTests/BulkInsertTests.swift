import DiversionCore
import FluentKit
import Foundation
import SQLKit
import Testing
@testable import DiversionStore

@Suite("Bulk writes of evidence facts")
struct BulkInsertTests {
    /// Text that COPY's text format must escape, and text SQLite binds as it is.
    static let awkward = ["plain", "tab\there", "line\nbreak", "carriage\rreturn", "back\\slash", "\\N", "quote ' and \"", "Ñúñez 张 مرحبا", ""]

    @Test("Every value comes back as written, awkward text and empty cells included, across several statements")
    func roundTrip() async throws {
        try await TestDatabase.with { test in
            // More rows than one SQLite statement holds (30 000 bound values) and than one COPY block (a megabyte).
            let rows = (0..<9_000).map { i in (key: "K\(i)", text: Self.awkward[i % Self.awkward.count] + String(repeating: "x", count: i % 200), number: i % 7 == 0 ? nil : i) }
            try await BulkInsert.run(into: "evidence_tests", columns: ["contact_key", "source", "test_day", "period_month", "period_quarter", "period_year", "negative"],
                                     rows: rows, on: test.db) { r in
                [.text(r.key), .text("historical"), BulkValue(r.number ?? -1), .text(r.text), .text("2025-Q1"), .text("2025"), .integer(1)]
            }
            guard let sql = test.db as? any SQLDatabase else { Issue.record("not SQL"); return }
            let back = try await sql.raw("SELECT contact_key, test_day, period_month FROM evidence_tests").all()
            var found: [String: (Int, String)] = [:]
            for row in back {
                found[try row.decode(column: "contact_key", as: String.self)] = (try row.decode(column: "test_day", as: Int.self), try row.decode(column: "period_month", as: String.self))
            }
            #expect(found.count == rows.count)
            for r in rows {
                #expect(found[r.key]?.0 == (r.number ?? -1))
                #expect(found[r.key]?.1 == r.text, "\(r.key)")
            }
        }
    }

    @Test("Facts written with their follow-ups match the links the database works out")
    func linkedWriteMatchesTheTableWalk() async throws {
        let policy = try PolicyFile.read(String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)).get()
        var facts = SyntheticEvidence.generate(contacts: 3_000, seed: 11, policy: policy, endingOn: CalendarDate(year: 2025, month: 12, day: 31)).facts
        for i in facts.indices { facts[i].source = .historical }
        facts[5].nationality = "tab\tand\\back"
        func links(_ db: any Database) async throws -> [String: Int?] {
            guard let sql = db as? any SQLDatabase else { return [:] }
            var links: [String: Int?] = [:]
            for row in try await sql.raw("SELECT contact_key, next_contact_day FROM evidence_contacts").all() {
                links[try row.decode(column: "contact_key", as: String.self)] = try row.decode(column: "next_contact_day", as: Int?.self)
            }
            return links
        }
        let store = EvidenceStore()
        let (linked, walked) = try await TestDatabase.with { test in
            try await store.writeLinked(facts, tests: [], source: .historical, on: test.db)
            let linked = try await links(test.db)
            try await store.linkFollowUps(source: .historical, on: test.db)
            return (linked, try await links(test.db))
        }
        #expect(linked.count == facts.count)
        #expect(linked == walked)
        #expect(linked.values.contains { $0 != nil })
    }
}
