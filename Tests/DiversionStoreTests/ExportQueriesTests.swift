import DiversionCore
import FluentKit
import Foundation
import Testing
@testable import DiversionStore

/// Three years of synthetic contacts, stored as historical (generated facts are never exported), plus a few written
/// by hand for the edges: two intakes of one person on one day, an intake at a housing service, a modality not
/// recorded, a generated fact with an intake, and a foreign national convicted after trafficking.
private func withFacts(_ body: (any Database, JurisdictionPolicy, [ContactFact]) async throws -> Void) async throws {
    let policy = try PolicyFile.read(String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)).get()
    var facts = SyntheticEvidence.generate(contacts: 2500, seed: 7_2025, policy: policy, endingOn: CalendarDate(year: 2025, month: 12, day: 31)).facts
    for i in facts.indices { facts[i].source = .historical }
    func day(_ text: String) -> CalendarDate { CalendarDate(text) ?? CalendarDate(year: 1970, month: 1, day: 1) }
    func hand(_ key: String, person: String, substance: String?, intake: String?, modality: String?, stage: Stage = .preTrial,
              measure: MeasureType? = nil, offence: String = "possession_personal_use", nationality: String? = "DRP", source: FactSource = .historical) -> ContactFact {
        ContactFact(source: source, contactKey: key, personKey: person, occurredOn: day("2025-03-01"), sex: .male, age: 41, region: "R1",
                    nationality: nationality, offence: offence, substance: substance, stage: stage, measureType: measure?.rawValue,
                    diverted: true, referralSent: true, treatmentModality: modality, intakeOn: intake.map(day))
    }
    facts += [
        hand("H:1b", person: "H:1", substance: "heroin_hand", intake: "2025-03-10", modality: "residential"),
        hand("H:1a", person: "H:1", substance: "cocaine_hand", intake: "2025-03-10", modality: "outpatient"),
        hand("H:1c", person: "H:1", substance: "cannabis_hand", intake: "2025-02-01", modality: "housing"),
        hand("H:2", person: "H:2", substance: nil, intake: "2025-04-01", modality: nil),
        hand("H:3", person: "H:3", substance: "mdma_generated", intake: "2025-04-01", modality: "outpatient", source: .generated),
        hand("H:4", person: "H:4", substance: "cocaine", intake: nil, modality: nil, stage: .sentencing, measure: .probation,
             offence: "supply", nationality: "BR"),
    ]
    try await TestDatabase.with { test in
        try await EvidenceStore().insert(facts, tests: [], source: .historical, on: test.db)
        try await body(test.db, policy, facts)
    }
}

@Suite("Statistical exports counted by the database")
struct ExportQueriesTests {
    @Test("UN-CTS persons and alternatives from the database equal the mapping's own count of the same facts, year by year")
    func uncts() async throws {
        try await withFacts { db, policy, facts in
            let mapping = UNCTSMapping(policy: policy)
            var prosecuted = 0, convicted = 0, foreign = 0
            for year in 2022...2025 {
                let stored = try await ExportQueries().uncts(year: year, mapping: mapping, on: db)
                let truth = mapping.count(facts, year: year)
                func levels(_ cells: [UNCTSMapping.Count]) -> [[String]: [Int]] {
                    Dictionary(uniqueKeysWithValues: cells.map { ([$0.breakdown.rawValue] + $0.keys, [$0.formalContact, $0.prosecuted, $0.convicted]) })
                }
                func alternatives(_ list: [UNCTSMapping.AlternativeCount]) -> [[String]: Int] {
                    Dictionary(uniqueKeysWithValues: list.map { ([$0.measure, $0.stage, $0.sex], $0.persons) })
                }
                #expect(levels(stored.cells) == levels(truth.cells), "\(year)")
                #expect(alternatives(stored.alternatives) == alternatives(truth.alternatives), "\(year)")
                prosecuted += stored.cells.reduce(0) { $0 + $1.prosecuted }
                convicted += stored.cells.reduce(0) { $0 + $1.convicted }
                foreign += stored.cells.filter { $0.keys[1] == "foreign" }.reduce(0) { $0 + $1.formalContact }
            }
            // The data reach every level and both citizenships, so the comparison above means something.
            #expect(prosecuted > 0 && convicted > 0 && foreign > 0)
            let h4 = try await ExportQueries().uncts(year: 2025, mapping: mapping, on: db).cells.first { $0.breakdown == .citizenship && $0.keys == ["06012", "foreign"] }
            #expect((h4?.convicted ?? 0) >= 1)
        }
    }

    @Test("TDI entries from the database equal the mapping's own, one per person at the first treatment intake")
    func tdi() async throws {
        try await withFacts { db, _, facts in
            for year in 2022...2025 {
                let stored = try await ExportQueries().tdi(year: year, on: db)
                let truth = TDIMapping.entries(facts, year: year)
                func grouped(_ entries: [TDIMapping.Entry]) -> [TDIMapping.Entry: Int] {
                    Dictionary(entries.map { e -> (TDIMapping.Entry, Int) in
                        var key = e
                        key.persons = 0
                        return (key, e.persons)
                    }, uniquingKeysWith: +)
                }
                #expect(grouped(stored) == grouped(truth), "\(year)")
                let days = ExportTables.days(of: year)
                let people = Set(facts.filter { f in
                    guard f.source != .generated, let intake = f.intakeOn?.dayNumber, days.contains(intake) else { return false }
                    return f.treatmentModality.map { TDIMapping.centreOfModality[$0] != nil } ?? true
                }.map(\.personKey))
                #expect(stored.reduce(0) { $0 + $1.persons } == people.count, "\(year)")
            }
            let entries = try await ExportQueries().tdi(year: 2025, on: db)
            // H:1's two intakes on 2025-03-10 count once, with the lower contact key (cocaine, outpatient); the housing intake not at all.
            #expect(entries.filter { $0.substance == "cocaine_hand" } == [
                .init(sex: "male", ageAtEntry: 41, substance: "cocaine_hand", stage: .preTrial, measureType: nil, modality: "outpatient", persons: 1),
            ])
            #expect(!entries.contains { $0.substance == "heroin_hand" || $0.substance == "cannabis_hand" || $0.modality == "housing" })
            #expect(!entries.contains { $0.substance == "mdma_generated" })
            #expect(entries.contains { $0.modality == nil && $0.substance == nil })
        }
    }

    @Test("The whole export comes out of the database suppressed, and the span of years is the records'")
    func export() async throws {
        try await withFacts { db, policy, _ in
            let queries = ExportQueries()
            let uncts = try await queries.export(.uncts, year: 2025, policy: policy, generatedAt: Date(), on: db)
            #expect(uncts.tables.count == 10)
            // With about a thousand contacts a year every table can be published.
            #expect(!uncts.notes.contains { $0.hasPrefix("Withheld whole") })
            #expect(uncts.tables.flatMap(\.rows).contains { !$0.suppressed && ($0.persons ?? 0) > 0 })
            #expect(uncts.threshold == policy.evidence.suppressionThreshold)
            let published = uncts.tables.flatMap(\.rows).compactMap(\.persons)
            #expect(!published.contains { $0 > 0 && $0 < uncts.threshold })
            let tdi = try await queries.export(.tdi, year: 2025, policy: policy, generatedAt: Date(), on: db)
            #expect(tdi.tables.flatMap(\.rows).compactMap(\.persons).reduce(0, +) > 0)
            let span = try #require(try await queries.years(on: db))
            #expect(span.upperBound == 2025 && (2022...2023).contains(span.lowerBound))
        }
    }
}
