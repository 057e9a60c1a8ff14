import DiversionCore
import DiversionStore
import Foundation
import Testing

@Suite("The policy simulation on stored facts and shipped policies")
struct PolicySimulationStoreTests {
    @Test("The compiled evaluator fails exactly the rules the full evaluation fails under each shipped policy",
          arguments: ["demo.yaml", "portugal-illustrative.yaml", "czechia-illustrative.yaml", "mexico-illustrative.yaml"])
    func shippedPoliciesAgree(file: String) throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent(file), encoding: .utf8)
        guard case .success(let policy) = PolicyFile.read(text) else {
            Issue.record("\(file) does not read")
            return
        }
        let outcome = SimulationCheck.compare(policy, questions: SimulationCheck.questions(for: policy, count: 10_000, seed: UInt64(file.count)))
        #expect(outcome.mismatches.isEmpty, "\(outcome.mismatches.prefix(5).map(\.description))")
        #expect(outcome.eligible > 500)
        for rule in [RuleSet.unreadable, .offence, .threshold, .trafficking, .weapon] {
            #expect(outcome.failures[rule.position] > 20, "\(rule.code) failed only \(outcome.failures[rule.position]) times")
        }
    }

    @Test("The loader reads the fact table by person and day, up to a date, with unreadable seizures kept as unreadable")
    func loader() async throws {
        try await TestDatabase.with { test in
            let day = { (text: String) in CalendarDate(text) ?? CalendarDate(year: 1970, month: 1, day: 1) }
            func fact(_ key: String, _ person: String, _ date: String, _ seizures: [SeizureRecord], convictions: [CalendarDate] = []) -> ContactFact {
                ContactFact(source: .recorded, contactKey: key, personKey: person, occurredOn: day(date), sex: .female, age: 31, region: "R2",
                            nationality: "PT", offence: "possession_personal_use", substance: seizures.first?.substance, seizures: seizures,
                            circumstances: .init(weapon: key == "c3"), seriousConvictions: convictions, eligible: true, diverted: key != "c2")
            }
            let herb = { (grams: Double) in SeizureRecord(substance: "cannabis_herb", quantity: grams, unit: "g") }
            try await EvidenceStore().insert([
                fact("c3", "b", "2026-02-01", [herb(3)]),
                fact("c1", "a", "2026-03-01", [herb(10), SeizureRecord(substance: "cocaine", quantity: 400, unit: "mg", purityPercent: 60)],
                     convictions: [day("2020-05-05")]),
                fact("c2", "a", "2026-01-15", [SeizureRecord(substance: "cannabis_herb", quantity: 5, unit: "kg")]),
                fact("c4", "b", "2027-01-01", [herb(1)]),
            ], tests: [], source: .recorded, on: test.db)

            let all = try await SimulationLoader().load(on: test.db)
            #expect(all.count == 4)
            #expect(all.contacts.map(\.day) == ["2026-01-15", "2026-03-01", "2026-02-01", "2027-01-01"].map { Int32(day($0).dayNumber) })
            #expect(all.contacts.map(\.malformed) == [true, false, false, false])
            #expect(all.contacts.map(\.recordedDiverted) == [false, true, true, true])
            #expect(all.contacts[1].seizureCount == 2)
            #expect(all.seizure(1, of: all.contacts[1]).purity == 60)
            #expect(Array(all.convictions(of: all.contacts[1])) == [Int32(day("2020-05-05").dayNumber)])
            #expect(all.contacts[2].circumstances == 2)
            #expect(all.personCount == 2)

            let early = try await SimulationLoader().load(to: day("2026-12-31"), on: test.db)
            #expect(early.count == 3)
            let none = try await SimulationLoader().load(sources: [.historical], on: test.db)
            #expect(none.count == 0)

            // The demo policy decides them as the full rules do: the kilogram seizure is unreadable.
            let text = try String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)
            guard case .success(let demo) = PolicyFile.read(text) else { return }
            let report = try #require(PolicySimulation.run(contacts: all, baseline: demo, candidates: [demo]).first)
            #expect(report.total.baselineDiverted == 2) // a's second (10 g herb, 0.24 g pure cocaine, a conviction over five years back) and b's second
            #expect(report.total.recordedDiverted == 3)
        }
    }
}
