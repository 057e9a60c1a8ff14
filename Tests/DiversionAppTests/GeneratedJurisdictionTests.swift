import DiversionCore
import DiversionStore
import Foundation
import SQLKit
import Testing
import Vapor
@testable import DiversionApp

/// A generated jurisdiction in the pathway's own tables: the evidence counted back from its records is what the
/// generator says it wrote, and the records read back through the stores like any recorded ones.
@Suite("Generated jurisdiction")
struct GeneratedJurisdictionTests {
    static let end = CalendarDate(year: 2026, month: 10, day: 31)

    /// Recorded facts per sex: contacts, eligible, diverted, and measures per type.
    struct Counted: Equatable {
        var contacts: [String: Int] = [:]
        var diverted: [String: Int] = [:]
        var eligible = 0
        var measures: [String: Int] = [:]
    }

    static func counted(_ db: any SQLDatabase) async throws -> Counted {
        var counted = Counted()
        for row in try await db.raw("SELECT sex, eligible, diverted, measure_type FROM evidence_contacts WHERE source = 'recorded'").all() {
            let sex = try row.decode(column: "sex", as: String.self)
            counted.contacts[sex, default: 0] += 1
            if try row.decode(column: "diverted", as: Int.self) == 1 { counted.diverted[sex, default: 0] += 1 }
            if try row.decode(column: "eligible", as: Int.self) == 1 { counted.eligible += 1 }
            if let type = try row.decode(column: "measure_type", as: String?.self) { counted.measures[type, default: 0] += 1 }
        }
        return counted
    }

    @Test("the evidence counted from a generated jurisdiction is exactly what the generator wrote, by sex and by measure")
    func evidenceMatchesWhatWasWritten() async throws {
        try await TestApp.run { t in
            let active = try #require(try await t.app.diversion.policies.active(on: t.app.db))
            let staff = try await DemoJurisdiction.generationStaff(policyVersionID: active.id, on: t.app.db)
            let sql = try #require(t.app.db as? any SQLDatabase)
            try await EvidenceRefresh().run(policy: active.policy, at: Date(), on: t.app.db)
            let before = try await Self.counted(sql)

            let summary = try await GeneratedJurisdiction(policy: active.policy, staff: staff)
                .write(people: 400, seed: 11, endingOn: Self.end, batch: 150, on: t.app.db)
            #expect(summary.people == 400)
            #expect(summary.contacts > 400 && summary.diverted > 100 && summary.measures > 20 && summary.referrals == summary.diverted)
            try await EvidenceRefresh().run(policy: active.policy, at: Date(), on: t.app.db)
            let after = try await Self.counted(sql)

            func added(_ a: [String: Int], _ b: [String: Int]) -> [String: Int] {
                Dictionary(uniqueKeysWithValues: Set(a.keys).union(b.keys).map { ($0, (a[$0] ?? 0) - (b[$0] ?? 0)) }).filter { $0.value != 0 }
            }
            #expect(added(after.contacts, before.contacts) == summary.contactsBySex)
            #expect(added(after.diverted, before.diverted) == summary.divertedBySex)
            #expect(after.eligible - before.eligible == summary.eligible)
            #expect(added(after.measures, before.measures) == summary.measuresByType)
            // Plausible shares: most contacts are men, most of the eligible are diverted.
            let men = Double(summary.contactsBySex["male"] ?? 0) / Double(summary.contacts)
            #expect(men > 0.75 && men < 0.95, "\(men)")
            #expect(Double(summary.diverted) / Double(summary.eligible) > 0.6)
        }
    }

    @Test("the same seed writes the same jurisdiction, and its records read back through the stores")
    func sameSeedSameJurisdiction() async throws {
        var summaries: [GeneratedJurisdiction.Summary] = []
        var firstContacts: [UUID] = []
        for _ in 0..<2 {
            try await TestApp.run { t in
                let active = try #require(try await t.app.diversion.policies.active(on: t.app.db))
                let staff = try await DemoJurisdiction.generationStaff(policyVersionID: active.id, on: t.app.db)
                summaries.append(try await GeneratedJurisdiction(policy: active.policy, staff: staff)
                    .write(people: 60, seed: 5, endingOn: Self.end, on: t.app.db))
                let sql = try #require(t.app.db as? any SQLDatabase)
                let ids = try await sql.raw("SELECT id FROM contacts ORDER BY occurred_at, id").all().map { try $0.decode(column: "id", as: UUID.self) }
                for id in ids.prefix(25) {
                    let contact = try #require(try await ContactStore().find(id, on: t.app.db), "contact \(id) reads back")
                    #expect(!contact.evaluation.reasons.isEmpty)
                }
                let measures = try await MeasureStore().active(on: t.app.db)
                for measure in measures.prefix(10) { #expect(try await CaseStore().find(measure.caseID, on: t.app.db) != nil) }
                if firstContacts.isEmpty { firstContacts = ids } else { #expect(ids == firstContacts) }
            }
        }
        #expect(summaries.count == 2 && summaries[0] == summaries[1])
    }
}
