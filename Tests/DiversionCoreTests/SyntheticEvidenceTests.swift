import Foundation
import Testing
@testable import DiversionCore

private let end = CalendarDate(year: 2025, month: 12, day: 31)

/// One generated data set shared by the checks below; generating it once keeps the suite quick.
private let generated = SyntheticEvidence.generate(contacts: 20_000, seed: 42, policy: testPolicy, endingOn: end)

private func share(_ facts: [ContactFact], _ predicate: (ContactFact) -> Bool) -> Double {
    facts.isEmpty ? 0 : Double(facts.filter(predicate).count) / Double(facts.count)
}

@Suite("Generated evidence")
struct SyntheticEvidenceTests {
    @Test("The same seed gives the same data set; another seed gives another")
    func deterministic() {
        let a = SyntheticEvidence.generate(contacts: 500, seed: 7, policy: testPolicy, endingOn: end)
        let b = SyntheticEvidence.generate(contacts: 500, seed: 7, policy: testPolicy, endingOn: end)
        let c = SyntheticEvidence.generate(contacts: 500, seed: 8, policy: testPolicy, endingOn: end)
        #expect(a.facts == b.facts && a.tests == b.tests)
        #expect(a.facts != c.facts)
    }

    @Test("Exactly the contacts asked for, with unique keys, inside the three years up to the end, all of the generated source")
    func shape() {
        let facts = generated.facts
        #expect(facts.count == 20_000)
        #expect(Set(facts.map(\.contactKey)).count == facts.count)
        #expect(facts.allSatisfy { $0.source == .generated && $0.occurredOn <= end && $0.occurredOn.dayNumber >= end.dayNumber - 3 * 365 })
        #expect(SyntheticEvidence.generate(contacts: 0, seed: 1, policy: testPolicy, endingOn: end).facts.isEmpty)
    }

    @Test("People have one to four contacts under one person key, in time order, with the same sex")
    func people() {
        var byPerson: [String: [ContactFact]] = [:]
        for f in generated.facts { byPerson[f.personKey, default: []].append(f) }
        let sizes = byPerson.values.map(\.count)
        #expect(sizes.allSatisfy { (1...4).contains($0) })
        #expect(sizes.contains { $0 > 1 } && sizes.contains(1))
        for contacts in byPerson.values {
            #expect(zip(contacts, contacts.dropFirst()).allSatisfy { $0.occurredOn < $1.occurredOn })
            #expect(Set(contacts.map(\.sex)).count == 1)
        }
    }

    @Test("The population looks like people in contact for drug offences", arguments: [
        ("male", 0.85, 0.90), ("minors", 0.03, 0.12), ("under 25", 0.35, 0.55), ("foreign", 0.07, 0.13), ("within threshold", 0.62, 0.75),
        ("cannabis", 0.50, 0.80), ("screened", 0.33, 0.47), ("possession for personal use", 0.75, 0.95), ("region R1", 0.25, 0.35),
    ])
    func plausible(name: String, low: Double, high: Double) {
        let facts = generated.facts
        let value: Double = switch name {
        case "male": share(facts) { $0.sex == .male }
        case "minors": share(facts) { ($0.age ?? 99) < 18 }
        case "under 25": share(facts) { ($0.age ?? 99) < 25 }
        case "foreign": share(facts) { $0.nationality != nil && $0.nationality != "XD" }
        case "within threshold": share(facts) { f in
            guard let s = f.seizures.first, let sub = testPolicy.substance(s.substance) else { return false }
            let pure = sub.basis == .pure ? s.quantity * (s.purityPercent ?? sub.assumedPurityPercent ?? 100) / 100 : s.quantity
            return pure <= sub.threshold * 1.01
        }
        case "cannabis": share(facts) { $0.substance?.hasPrefix("cannabis") == true }
        case "screened": share(facts) { $0.screened }
        case "possession for personal use": share(facts) { $0.offence == "possession_personal_use" }
        default: share(facts) { $0.region == "R1" }
        }
        #expect(value >= low && value <= high, "\(name): \(value)")
    }

    @Test("Eligibility follows the threshold and the exclusions, and about four in five eligible contacts are diverted")
    func eligibility() {
        let facts = generated.facts
        for f in facts where f.eligible {
            let c = f.circumstances
            #expect(!(c.violence || c.weapon || c.supplyToMinors || c.organisedCrime), "\(f.contactKey)")
            #expect(f.offence == "possession_personal_use")
        }
        #expect(facts.allSatisfy { !$0.diverted || $0.eligible })
        let eligible = facts.filter(\.eligible)
        let diverted = share(eligible) { $0.diverted }
        #expect(diverted > 0.76 && diverted < 0.84, "\(diverted)")
    }

    @Test("Referrals, treatment and measures follow each other in order and stop at the end date")
    func pathwayInOrder() {
        for f in generated.facts {
            #expect(!f.referralAccepted || f.referralSent)
            #expect(!f.referralEngaged || f.referralAccepted)
            #expect((f.intakeOn != nil) == f.referralEngaged)
            if let intake = f.intakeOn {
                let days = intake.dayNumber - f.occurredOn.dayNumber
                #expect((3...20).contains(days) && intake <= end)
            }
            if let dropped = f.treatmentDroppedOn, let intake = f.intakeOn { #expect(dropped > intake && dropped <= end) }
            #expect(f.treatmentDroppedOn == nil || f.intakeOn != nil)
            if f.measureType != nil { #expect(f.diverted) }
            if let start = f.measureStartOn { #expect(start > f.occurredOn && start <= end && f.measureType != nil) }
            if let outcome = f.measureOutcome, let measureEnd = f.measureEndOn {
                #expect(MeasureOutcome(rawValue: outcome) != nil && measureEnd <= end)
            }
            #expect(f.measureOutcome == nil || f.measureEndOn != nil)
            #expect(f.incentives >= 0 && f.sanctions >= 0)
        }
    }

    @Test("About 60 % of ended measures are completed and incentives outnumber sanctions about four to one")
    func measuresAndResponses() {
        let ended = generated.facts.filter { $0.measureOutcome != nil }
        let completed = share(ended) { $0.measureOutcome == "completed" }
        #expect(completed > 0.5 && completed < 0.7, "\(completed)")
        let incentives = generated.facts.reduce(0) { $0 + $1.incentives }, sanctions = generated.facts.reduce(0) { $0 + $1.sanctions }
        let ratio = Double(incentives) / Double(max(sanctions, 1))
        #expect(ratio > 3.5 && ratio < 4.5, "\(ratio)")
    }

    @Test("Testing days and relapses agree with the generated tests, and negative results grow more common with time in the programme")
    func testsAgree() {
        var byContact: [String: [TestFact]] = [:]
        for t in generated.tests { byContact[t.contactKey, default: []].append(t) }
        #expect(!byContact.isEmpty)
        #expect(generated.tests.allSatisfy { $0.testOn <= end })
        var early = (0, 0), late = (0, 0)
        for f in generated.facts {
            let tests = byContact[f.contactKey] ?? []
            #expect(f.testingStartOn == tests.map(\.testOn).min())
            #expect(f.lastTestOn == tests.map(\.testOn).max())
            #expect(f.relapseOn == Relapse.day(tests.map { ($0.testOn, $0.negative) }, after: testPolicy.evidence.relapseAfterNegatives))
            guard let start = f.testingStartOn else { continue }
            for t in tests {
                let weeks = (t.testOn.dayNumber - start.dayNumber) / 7
                if weeks < 8 { early = (early.0 + (t.negative ? 1 : 0), early.1 + 1) } else if weeks >= 20 { late = (late.0 + (t.negative ? 1 : 0), late.1 + 1) }
            }
        }
        #expect(generated.facts.contains { $0.relapseOn != nil })
        #expect(Double(late.0) / Double(late.1) > Double(early.0) / Double(early.1) + 0.1)
    }

    @Test("Within 24 months about 38 % of diverted contacts and 50 % of the others are followed by a new contact")
    func recidivism() {
        var byPerson: [String: [Int]] = [:]
        for f in generated.facts { byPerson[f.personKey, default: []].append(f.occurredOn.dayNumber) }
        var diverted = (0, 0), other = (0, 0)
        for f in generated.facts where f.occurredOn.dayNumber + 730 <= end.dayNumber {
            let day = f.occurredOn.dayNumber
            let again = (byPerson[f.personKey] ?? []).contains { $0 > day && $0 - day <= 730 }
            if f.diverted { diverted = (diverted.0 + (again ? 1 : 0), diverted.1 + 1) } else { other = (other.0 + (again ? 1 : 0), other.1 + 1) }
        }
        let d = Double(diverted.0) / Double(diverted.1), o = Double(other.0) / Double(other.1)
        #expect(d > 0.34 && d < 0.42, "diverted \(d)")
        #expect(o > 0.46 && o < 0.54, "not diverted \(o)")
    }

    @Test("Measures are of the policy's menu at stages its routes use, and minors get only the measures allowed them")
    func measuresFollowPolicy() {
        var policy = testPolicy
        policy.juvenile.allowed = [.cautionWarning, .educationProgramme]
        let facts = SyntheticEvidence.generate(contacts: 5000, seed: 3, policy: policy, endingOn: end).facts
        let allowed = Set(policy.measures.filter { $0.stage == .preTrial }.flatMap(\.allowed).map(\.rawValue))
        #expect(facts.contains { $0.measureType != nil })
        for f in facts {
            guard let type = f.measureType else { continue }
            #expect(f.stage == .preTrial && allowed.contains(type))
            if let age = f.age, age < 18 { #expect(["caution_warning", "education_programme"].contains(type)) }
        }
    }
}
