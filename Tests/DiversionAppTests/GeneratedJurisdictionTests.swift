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
        var screened = 0
        var tested = 0
        var relapsed = 0
        var incentives = 0
        var sanctions = 0
        var tests = 0
        var positives = 0
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
        let supervision = try await db.raw("""
            SELECT CAST(SUM(screened) AS BIGINT) AS screened, CAST(SUM(CASE WHEN testing_start_day IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS tested,
            CAST(SUM(CASE WHEN relapse_day IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS relapsed, CAST(SUM(incentives) AS BIGINT) AS incentives,
            CAST(SUM(sanctions) AS BIGINT) AS sanctions FROM evidence_contacts WHERE source = 'recorded'
            """).first()
        counted.screened = try supervision?.decode(column: "screened", as: Int?.self) ?? 0
        counted.tested = try supervision?.decode(column: "tested", as: Int?.self) ?? 0
        counted.relapsed = try supervision?.decode(column: "relapsed", as: Int?.self) ?? 0
        counted.incentives = try supervision?.decode(column: "incentives", as: Int?.self) ?? 0
        counted.sanctions = try supervision?.decode(column: "sanctions", as: Int?.self) ?? 0
        let tests = try await db.raw("""
            SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN t.negative = 1 THEN 0 ELSE 1 END) AS BIGINT) AS positives
            FROM evidence_tests t JOIN evidence_contacts c ON c.contact_key = t.contact_key WHERE c.source = 'recorded'
            """).first()
        counted.tests = try tests?.decode(column: "n", as: Int.self) ?? 0
        counted.positives = try tests?.decode(column: "positives", as: Int?.self) ?? 0
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
            // Screenings, tests and responses: what the relapse and incentive-to-sanction indicators rest on.
            #expect(after.screened - before.screened == summary.screenedContacts)
            #expect(after.tested - before.tested == summary.testedMeasures)
            #expect(after.relapsed - before.relapsed == summary.relapses)
            #expect(after.tests - before.tests == summary.drugTests)
            #expect(after.positives - before.positives == summary.positiveTests)
            #expect(after.incentives - before.incentives == summary.incentives)
            #expect(after.sanctions - before.sanctions == summary.sanctions)
            #expect(summary.screenings >= summary.screenedContacts / 2 && summary.testedMeasures > 10 && summary.relapses > 0 && summary.sanctions > 0)
            #expect(summary.relapses < summary.testedMeasures && summary.drugTests <= 14 * summary.testedMeasures)

            // The published indicators over everything on record, generated and before, are the true values.
            let relapseIndicator = try #require(IndicatorCatalogue.named("relapse"))
            let relapse = try await EvidenceStore().table(IndicatorQuery(indicator: relapseIndicator, asOf: Self.end), policy: active.policy, on: t.app.db)
            let relapseRow = try #require(relapse.rows.first)
            #expect(relapseRow.numerator == Double(after.relapsed) && relapseRow.denominator == Double(after.tested))
            #expect(relapseRow.numerator == Double(before.relapsed + summary.relapses))
            #expect(relapseRow.value == (Double(before.relapsed + summary.relapses) / Double(before.tested + summary.testedMeasures) * 1000).rounded() / 10)
            let ratioIndicator = try #require(IndicatorCatalogue.named("incentive_sanction_ratio"))
            let ratio = try await EvidenceStore().table(IndicatorQuery(indicator: ratioIndicator, asOf: Self.end), policy: active.policy, on: t.app.db)
            let ratioRow = try #require(ratio.rows.first)
            let (incentives, sanctions) = (before.incentives + summary.incentives, before.sanctions + summary.sanctions)
            #expect(ratioRow.numerator == Double(incentives) && ratioRow.denominator == Double(sanctions))
            #expect(ratioRow.value == (Double(incentives) / Double(sanctions) * 100).rounded() / 100)

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
                // Plans, results, responses and screenings read back as recorded ones do.
                let tested = try await sql.raw("SELECT person_id FROM drug_test_plans ORDER BY created_at, id").all().map { try $0.decode(column: "person_id", as: UUID.self) }
                let testedPerson = try #require(tested.first)
                let plan = try #require(try await DrugTestStore().plans(forPerson: testedPerson, on: t.app.db).first)
                let measure = try #require(try await MeasureStore().find(plan.measureID, on: t.app.db))
                #expect(measure.conditions.contains { $0.type == .drugTesting })
                let results = try await DrugTestStore().results(of: plan.plan.id, on: t.app.db)
                #expect(!results.isEmpty && results.map(\.result.testDay) == plan.plan.testDays)
                #expect(MissedTests.find(plan.plan, results: results.map(\.result), through: Date()).isEmpty)
                let responded = try await ResponseStore().responses(measureID: plan.measureID, on: t.app.db)
                for response in responded { #expect(response.option.kind != .treatmentAdjustment && response.personID == plan.personID) }
                #expect(try await ScreeningStore().latest(for: plan.personID, on: t.app.db) != nil)
                if firstContacts.isEmpty { firstContacts = ids } else { #expect(ids == firstContacts) }
            }
        }
        #expect(summaries.count == 2 && summaries[0] == summaries[1])
    }
}
