import Foundation
import Testing
@testable import DiversionCore

/// A policy with mass thresholds in milligrams and micrograms, pure and gross bases, a trafficking multiple of 1
/// (so the presumption bites at the threshold itself), an offence that is minor but violent, and no history limits.
private let edgePolicy = JurisdictionPolicy(
    jurisdiction: "Edgeland", version: "E-1", effectiveDate: CalendarDate(year: 2026, month: 1, day: 1), illustrative: true,
    ageOfMajority: 18,
    substances: [
        .init(code: "cocaine", name: "Cocaine", unit: .mg, threshold: 500, basis: .gross, traffickingMultiple: 1),
        .init(code: "lsd", name: "LSD", unit: .µg, threshold: 500, basis: .pure, assumedPurityPercent: 100, traffickingMultiple: 10),
        .init(code: "heroin", name: "Heroin", unit: .g, threshold: 0.3, basis: .pure, traffickingMultiple: 3),
        .init(code: "cannabis_plants", name: "Cannabis plants", unit: .plants, threshold: 3, basis: .gross, traffickingMultiple: 10),
    ],
    nearThresholdBand: .init(fromPercent: 80, toPercent: 100),
    offenceCategories: [
        .init(code: "possession_personal_use", name: "Possession", minor: true, nonViolent: true),
        .init(code: "brawl", name: "Brawl", minor: true, nonViolent: false),
    ],
    exclusions: .init(violence: false, weapon: true, supplyToMinors: false, nearSchool: true, organisedCrime: false,
                      priorSeriousConvictionYears: 1, maxDiversions: .init(count: 1, years: 1)),
    routes: [.init(authority: .police, stage: .preTrial, routes: ["caution"], diversion: "caution", otherwise: "refer_to_prosecutor")],
    instruments: .init(adults: .assist, minors: .crafft)
)

/// The same, without a diversion route for the police: nothing is ever eligible.
private let closedPolicy: JurisdictionPolicy = {
    var p = edgePolicy
    p.version = "E-closed"
    p.routes = [.init(authority: .police, stage: .preTrial, routes: ["refer_to_prosecutor"], diversion: nil, otherwise: "refer_to_prosecutor")]
    p.exclusions.maxDiversions = nil
    p.exclusions.priorSeriousConvictionYears = nil
    return p
}()

/// Near-school contacts excluded and a limit of one diversion: a contact with a diversion in the two years before is refused.
private let limitlessPolicy = variant(testPolicy) { p in
    p.exclusions.nearSchool = true
    p.exclusions.maxDiversions = .init(count: 1, years: 2)
}

private func day(_ text: String) -> CalendarDate { CalendarDate(text) ?? CalendarDate(year: 1970, month: 1, day: 1) }

/// A recorded contact of `person` with one seizure of cannabis herb (or the given seizures).
private func fact(
    _ person: String, _ date: String, grams: Double? = nil, seizures: [SeizureRecord]? = nil, offence: String = "possession_personal_use",
    circumstances: ContactCircumstances = .init(), convictions: [CalendarDate] = [], sex: Sex = .male
) -> ContactFact {
    let list = seizures ?? grams.map { [SeizureRecord(substance: "cannabis_herb", quantity: $0, unit: "g")] } ?? []
    return ContactFact(
        source: .recorded, contactKey: "\(person)-\(date)-\(list.first?.quantity ?? 0)", personKey: person, occurredOn: day(date), sex: sex,
        age: 30, region: "R1", nationality: nil, offence: offence, substance: list.first?.substance, seizures: list,
        circumstances: circumstances, seriousConvictions: convictions
    )
}

private func contacts(_ facts: [ContactFact]) -> ReplayContacts {
    var builder = ReplayContactsBuilder()
    for f in facts { builder.append(f) }
    return builder.build()
}

private func variant(_ policy: JurisdictionPolicy, _ change: (inout JurisdictionPolicy) -> Void) -> JurisdictionPolicy {
    var p = policy
    p.version += "-candidate"
    change(&p)
    return p
}

@Suite("The policy simulation")
struct PolicySimulationTests {
    @Test("The compiled evaluator fails exactly the rules the full evaluation fails, on 40,000 generated questions",
          arguments: ["T-1", "E-1", "E-closed", "T-1-candidate"])
    func compiledAgreesWithTheFullRules(version: String) throws {
        let policies = [testPolicy, edgePolicy, closedPolicy, limitlessPolicy]
        let policy = try #require(policies.first { $0.version == version })
        let seed = UInt64(policies.firstIndex { $0.version == version } ?? 0) + 1
        let outcome = SimulationCheck.compare(policy, questions: SimulationCheck.questions(for: policy, count: 10_000, seed: seed))
        #expect(outcome.mismatches.isEmpty, "\(outcome.mismatches.prefix(5).map(\.description))")
        #expect(outcome.questions == 10_000)
        // The questions must reach every rule the policy has, or agreement would prove little.
        let e = policy.exclusions
        var reached: [RuleSet] = [.unreadable, .offence, .threshold, .trafficking, .route]
        if policy.routeRule(.police, .preTrial)?.diversion != nil {
            reached.removeLast()
            #expect(outcome.eligible > 500, "only \(outcome.eligible) eligible")
            if e.weapon { reached.append(.weapon) }
            if e.violence { reached.append(.violence) }
            if e.nearSchool { reached.append(.nearSchool) }
            if e.priorSeriousConvictionYears != nil { reached.append(.priorSeriousConviction) }
            if e.maxDiversions != nil { reached.append(.diversionLimit) }
        } else {
            #expect(outcome.eligible == 0)
        }
        for rule in reached {
            #expect(outcome.failures[rule.position] > 20, "\(rule.code) failed only \(outcome.failures[rule.position]) times")
        }
    }

    @Test("The look-back windows end exactly where the full rules end them, 29 February included")
    func windowEdges() {
        // Limit 3 in 5 years: a diversion exactly five years back no longer counts, one a day later does.
        let contact = day("2028-02-29")
        let since = contact.adding(years: -5) // 2023-02-28
        for (diversions, eligible) in [
            ([since, since.adding(days: 10), since.adding(days: 20)], true),
            ([since.adding(days: 1), since.adding(days: 10), since.adding(days: 20)], false),
            ([since.adding(days: 10), since.adding(days: 20), contact], false),
            ([since.adding(days: 10), since.adding(days: 20), contact.adding(days: 1)], true),
        ] {
            let q = EligibilityQuestion(occurredOn: contact, offences: ["possession_personal_use"],
                                        seizures: [.init(substance: "cannabis_herb", quantity: 5, unit: "g")],
                                        history: PriorRecord(diversions: diversions))
            let outcome = SimulationCheck.compare(testPolicy, questions: [q])
            #expect(outcome.mismatches.isEmpty)
            #expect(outcome.eligible == (eligible ? 1 : 0), "\(diversions)")
        }
    }

    @Test("A contact with an unknown substance, unit or offence is unreadable, not silently dropped")
    func unreadableContacts() {
        var builder = ReplayContactsBuilder()
        let rows: [(String, String)] = [
            ("cannabis_herb:5.0:kg:", "possession_personal_use"), ("khat:5.0:g:", "possession_personal_use"),
            ("cannabis_herb:5.0:g:", "loitering"), ("cannabis_herb:five:g:", "possession_personal_use"),
            ("cannabis_herb:5.0:tablets:", "possession_personal_use"), ("cannabis_herb:5.0:g:", "possession_personal_use"),
        ]
        for (i, row) in rows.enumerated() {
            builder.append(personKey: "p\(i)", day: 20_000, sex: "female", age: 20, region: "R1", nationality: nil, offence: row.1,
                           substance: "cannabis_herb", seizures: row.0, circumstances: 0, seriousConvictions: "", eligible: false, diverted: false)
        }
        let set = builder.build()
        let compiled = CompiledPolicy(testPolicy, for: set)
        let failed = set.contacts.map { compiled.decide($0, in: set, priorDiversions: []).failed }
        #expect(failed == [.unreadable, .unreadable, .unreadable, .unreadable, .unreadable, []])
    }

    @Test("Raising the cannabis herb threshold from 25 g to 30 g makes exactly the contacts between them eligible")
    func raisedThreshold() throws {
        let set = contacts([
            fact("a", "2026-03-01", grams: 20), // eligible under both
            fact("b", "2026-03-02", grams: 27), // becomes eligible
            fact("c", "2026-03-03", grams: 30), // the new threshold itself: becomes eligible
            fact("d", "2026-03-04", grams: 30.5), // over both
            fact("e", "2026-03-05", seizures: [.init(substance: "cannabis_herb", quantity: 27_000, unit: "mg")]), // becomes eligible
            fact("f", "2026-03-06", grams: 27, circumstances: .init(weapon: true)), // excluded under both
            fact("g", "2026-03-07", grams: 27, sex: .female), // becomes eligible
        ])
        let candidate = variant(testPolicy) { $0.substances[0].threshold = 30 }
        let report = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [candidate], groupBy: [.sex]).first)
        #expect(report.total.contacts == 7)
        #expect(report.total.baselineDiverted == 1)
        #expect(report.total.candidateDiverted == 5)
        #expect(report.groups.map(\.group) == [["female"], ["male"]])
        #expect(report.groups.map(\.difference) == [1, 3])
        #expect(report.rules == [SimulationReport.RuleChange(
            rule: "personal_use_threshold", subject: "cannabis_herb", change: "Threshold for Cannabis herb raised from 25 g to 30 g",
            becameEligible: 4, becameIneligible: 0,
            sentence: "Threshold for Cannabis herb raised from 25 g to 30 g: 4 contacts became eligible."
        )])
        // Standard costs: 30 custody days for possession, prison 97 a day, the referral costs probation's 9 a day.
        #expect(report.custody.baselineDays == 30)
        #expect(report.custody.candidateDays == 150)
        #expect(report.custody.daysDifference == 120)
        #expect(report.custody.savingDifference == 120 * 88)
        #expect(report.custody.alternative == "referral_to_treatment")
        #expect(report.assumptions.contains { $0.contains("Officers follow the recommendation") })
    }

    @Test("The diversion limit counts the diversions of the replay: the fourth contact in five years is refused")
    func diversionLimitReplay() throws {
        let person = [
            fact("p", "2024-01-10", grams: 10), fact("p", "2024-06-01", grams: 24), fact("p", "2025-01-01", grams: 10),
            fact("p", "2025-06-01", grams: 10),
            fact("q", "2020-01-10", grams: 10), fact("q", "2021-01-10", grams: 10), fact("q", "2022-01-10", grams: 10),
            fact("q", "2025-01-10", grams: 10), // the first diversion is exactly five years back: it no longer counts
        ]
        let set = contacts(person.reversed()) // the builder sorts by person (in order of first appearance) and day
        #expect(set.contacts.map(\.day) == (person[4...] + person[..<4]).map { Int32($0.occurredOn.dayNumber) })

        let same = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [testPolicy]).first)
        #expect(same.total.baselineDiverted == 7) // p's fourth is over the limit of 3 in 5 years; q's fourth is not

        let raised = variant(testPolicy) { $0.exclusions.maxDiversions = .init(count: 4, years: 5) }
        let up = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [raised]).first)
        #expect(up.total.candidateDiverted == 8)
        #expect(up.rules.map(\.sentence) == ["Diversion limit changed from 3 in 5 years to 4 in 5 years: 1 contact became eligible."])

        // Lowering the threshold refuses p's second contact, which leaves room under the unchanged limit for the fourth.
        let lowered = variant(testPolicy) { $0.substances[0].threshold = 20 }
        let down = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [lowered]).first)
        #expect(down.total.candidateDiverted == 7)
        #expect(down.rules.map(\.sentence) == [
            "Threshold for Cannabis herb lowered from 25 g to 20 g: 1 contact became ineligible.",
            "Diversion limit of 3 in 5 years (unchanged), reached with a different number of earlier diversions in the replay: 1 contact became eligible.",
        ])
    }

    @Test("Each changed contact is put down to the first rule that decided it, in the order the rules are checked")
    func ruleAttribution() throws {
        let set = contacts([
            fact("a", "2026-03-01", grams: 10, circumstances: .init(weapon: true)),
            fact("b", "2026-03-02", grams: 10, circumstances: .init(violence: true, weapon: true)), // violence still excludes
            fact("c", "2026-03-03", grams: 30, circumstances: .init(weapon: true)), // the threshold fails first under both
            fact("d", "2026-03-04", seizures: [.init(substance: "mdma", quantity: 2, unit: "tablets")]),
            fact("e", "2026-03-05", seizures: [.init(substance: "heroin", quantity: 1, unit: "g", purityPercent: 20)]),
            fact("f", "2026-03-06", grams: 10, offence: "supply"),
        ])
        let candidate = variant(testPolicy) { p in
            p.exclusions.weapon = false
            p.substances.removeAll { $0.code == "mdma" }
            p.substances[1].threshold = 0.1 // heroin: 1 g at 20 % is 0.2 g pure
            p.offenceCategories[1].minor = true
        }
        let report = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [candidate]).first)
        #expect(report.rules.map(\.rule) == ["unreadable", "offence_category", "personal_use_threshold", "exclusion.weapon"])
        #expect(report.rules.map(\.sentence) == [
            "An offence category, substance or unit only one of the two policies knows: 1 contact became ineligible.",
            "Offence category Supply now counts as minor and non-violent: 1 contact became eligible.",
            "Threshold for Heroin lowered from 0.5 g pure to 0.1 g pure: 1 contact became ineligible.",
            "Exclusion for a weapon dropped: 1 contact became eligible.",
        ])
        #expect(report.rules.map(\.subject) == [nil, "supply", "heroin", nil])
        #expect(report.total.baselineDiverted == 2) // d and e
        #expect(report.total.candidateDiverted == 2) // a and f

        let closed = variant(testPolicy) { $0.routes = [] }
        let none = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [closed]).first)
        #expect(none.rules.map(\.sentence) == ["Police diversion route at the pre-trial stage closed (referral to treatment): 2 contacts became ineligible."])
    }

    @Test("An identical policy changes nothing, in any group, rule or figure")
    func identicalPolicy() throws {
        let set = SimulationBenchmark.contacts(for: testPolicy, count: 20_000)
        let reports = PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [testPolicy, testPolicy], groupBy: [.sex, .ageGroup, .substance])
        #expect(reports.count == 2)
        for report in reports {
            #expect(report.total.contacts == 20_000)
            #expect(report.total.baselineDiverted > 2_000)
            #expect(report.groups.allSatisfy { $0.difference == 0 })
            #expect(report.groups.map(\.contacts).reduce(0, +) == 20_000)
            #expect(report.rules.isEmpty)
            #expect(report.custody.daysDifference == 0 && report.custody.savingDifference == 0)
        }
    }

    @Test("Generated candidates change something, and every change is put down to a rule")
    func generatedCandidates() {
        let set = SimulationBenchmark.contacts(for: testPolicy, count: 20_000)
        let candidates = SimulationBenchmark.candidates(from: testPolicy, count: 6)
        let reports = PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: candidates, groupBy: [.region])
        #expect(reports.map(\.candidate.version) == candidates.map(\.version))
        #expect(reports.contains { !$0.rules.isEmpty })
        for report in reports {
            let up = report.rules.map(\.becameEligible).reduce(0, +), down = report.rules.map(\.becameIneligible).reduce(0, +)
            #expect(up - down == report.total.difference)
            #expect(report.groups.map(\.difference).reduce(0, +) == report.total.difference)
        }
    }

    @Test("Only contacts in the period are counted, but earlier ones still count as history")
    func period() throws {
        let set = contacts([
            fact("p", "2024-01-10", grams: 10), fact("p", "2024-06-01", grams: 10), fact("p", "2025-01-01", grams: 10),
            fact("p", "2025-06-01", grams: 10), fact("q", "2025-06-02", grams: 10),
        ])
        let report = try #require(PolicySimulation.run(contacts: set, baseline: testPolicy, candidates: [testPolicy], from: day("2025-03-01"), to: day("2025-12-31")).first)
        #expect(report.total.contacts == 2)
        #expect(report.total.baselineDiverted == 1) // p's contact is the fourth in five years
        #expect(report.assumptions.last == "Only contacts from 2025-03-01 up to 2025-12-31 are counted; earlier contacts still count as history.")
    }

    @Test("Published reports withhold a small group count and the cell that would give it away, but keep the totals")
    func publishedGroups() throws {
        var facts: [ContactFact] = []
        for (sex, eligible, not) in [(Sex.female, 2, 6), (.male, 10, 5), (.other, 6, 7)] {
            for i in 0..<(eligible + not) {
                facts.append(fact("\(sex)-\(i)", "2026-03-01", grams: i < eligible ? 10 : 30, sex: sex))
            }
        }
        let report = try #require(PolicySimulation.run(contacts: contacts(facts), baseline: testPolicy, candidates: [testPolicy], groupBy: [.sex]).first)
        let published = report.published()
        #expect(published.groups.map(\.group) == [["female"], ["male"], ["other"]])
        #expect(published.groups.map(\.contacts) == [8, 15, 13])
        // 2 is small; the smallest other count on the line (6) goes with it, so 2 cannot be worked out from the total 18.
        #expect(published.groups.map(\.baselineDiverted) == [nil, 10, nil])
        #expect(published.groups.map(\.difference) == [nil, 0, nil])
        #expect(published.total.baselineDiverted == 18 && published.total.difference == 0)
        #expect(published.custody.baselineDays == 18 * 30)
        #expect(published.suppressionThreshold == 5)
    }

    @Test("Published reports withhold small rule counts in their sentences, and every figure of a tiny data set")
    func publishedRulesAndTinyTotals() throws {
        let many = (0..<12).map { fact("p\($0)", "2026-03-01", grams: 27) } + (0..<3).map { fact("q\($0)", "2026-03-01", grams: 10, circumstances: .init(weapon: true)) }
        let candidate = variant(testPolicy) { p in
            p.substances[0].threshold = 30
            p.exclusions.weapon = false
        }
        let report = try #require(PolicySimulation.run(contacts: contacts(many), baseline: testPolicy, candidates: [candidate]).first)
        #expect(report.rules.map(\.becameEligible) == [12, 3])
        let published = report.published()
        #expect(published.rules.map(\.becameEligible) == [nil, nil])
        #expect(published.rules.map(\.sentence) == [
            "Threshold for Cannabis herb raised from 25 g to 30 g: a withheld number of contacts became eligible.",
            "Exclusion for a weapon dropped: a withheld number of contacts became eligible.",
        ])
        #expect(published.total.baselineDiverted == 0 && published.total.candidateDiverted == 15 && published.total.difference == 15)
        let tiny = try #require(PolicySimulation.run(contacts: contacts(Array(many.prefix(3))), baseline: testPolicy, candidates: [candidate]).first).published()
        #expect(tiny.total.contacts == nil && tiny.total.candidateDiverted == nil && tiny.custody.candidateDays == nil && tiny.custody.daysDifference == nil)
        #expect(tiny.rules.map(\.sentence) == ["Threshold for Cannabis herb raised from 25 g to 30 g: a withheld number of contacts became eligible."])
    }

    @Test("Dimensions are read from a list, naming what is wrong",
          arguments: [("sex,age_group", true), ("sex, region", true), ("", true), ("sex,sex", false), ("colour", false), ("sex,age_group,region,substance,offence", false)])
    func dimensions(text: String, valid: Bool) {
        #expect(((try? SimulationDimension.parse(text)) != nil) == valid)
    }

    @Test("Counts read with a comma between thousands")
    func counts() {
        #expect([0, 7, 999, 1_000, 1_204, 1_000_000, -12_345].map(RuleWording.count) == ["0", "7", "999", "1,000", "1,204", "1,000,000", "-12,345"])
    }
}
