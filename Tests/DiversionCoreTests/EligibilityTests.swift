import Foundation
import Testing
@testable import DiversionCore

/// A small policy with both bases, counts, the exclusions and the third-contact rule.
let testPolicy = JurisdictionPolicy(
    jurisdiction: "Testland", version: "T-1", effectiveDate: CalendarDate(year: 2026, month: 1, day: 1), illustrative: true,
    ageOfMajority: 18,
    substances: [
        .init(code: "cannabis_herb", name: "Cannabis herb", unit: .g, threshold: 25, basis: .gross, traffickingMultiple: 20),
        .init(code: "heroin", name: "Heroin", unit: .g, threshold: 0.5, basis: .pure, assumedPurityPercent: 35, traffickingMultiple: 10),
        .init(code: "mdma", name: "MDMA", unit: .tablets, threshold: 4, basis: .gross, traffickingMultiple: 25),
    ],
    nearThresholdBand: .init(fromPercent: 80, toPercent: 100),
    offenceCategories: [
        .init(code: "possession_personal_use", name: "Possession for personal use", minor: true, nonViolent: true),
        .init(code: "supply", name: "Supply", minor: false, nonViolent: true),
    ],
    exclusions: .init(violence: true, weapon: true, supplyToMinors: true, nearSchool: false, organisedCrime: true,
                      priorSeriousConvictionYears: 5, maxDiversions: .init(count: 3, years: 5)),
    routes: [.init(authority: .police, stage: .preTrial, routes: ["caution", "referral_to_treatment", "refer_to_prosecutor"],
                   diversion: "referral_to_treatment", otherwise: "refer_to_prosecutor")],
    instruments: .init(adults: .assist, minors: .crafft),
    treatmentRequiredFromContact: 3
)

let contactDay = CalendarDate(year: 2026, month: 11, day: 20)

func question(_ seizures: [SeizureRecord], offences: [String] = ["possession_personal_use"],
              circumstances: ContactCircumstances = .init(), history: PriorRecord = .init()) -> EligibilityQuestion {
    EligibilityQuestion(occurredOn: contactDay, offences: offences, seizures: seizures, circumstances: circumstances, history: history)
}

func failedFields(_ q: EligibilityQuestion) -> [String] {
    do {
        _ = try Eligibility.evaluate(q, under: testPolicy)
        return []
    } catch {
        return error.errors.map(\.field)
    }
}

@Suite("Eligibility, explained")
struct EligibilityTests {
    @Test func aSmallGrossAmountIsEligibleAndSaysWhy() throws {
        let answer = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: 12.5, unit: "g")]), under: testPolicy)
        #expect(answer.eligible)
        #expect(answer.route == "referral_to_treatment")
        #expect(answer.stage == .preTrial)
        #expect(answer.policyVersion == "T-1")
        let threshold = try #require(answer.reasons.first { $0.rule == "personal_use_threshold" })
        #expect(threshold.detail == "Cannabis herb 12.5 g ≤ 25 g personal-use threshold (gross).")
        #expect(answer.reasons.contains { $0.rule == "exclusion.violence" && $0.passed })
        #expect(!answer.reasons.contains { $0.rule == "exclusion.near_school" }) // this policy does not exclude it
    }

    @Test(arguments: [
        (25.0, "g", true), (25.001, "g", false), (25_000.0, "mg", true), (25_001.0, "mg", false), (0.024, "g", true),
    ])
    func theThresholdItselfIsStillPersonalUse(quantity: Double, unit: String, eligible: Bool) throws {
        let answer = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: quantity, unit: unit)]), under: testPolicy)
        #expect(answer.eligible == eligible)
    }

    @Test func pureThresholdsUseTheAssumedPurityWhenUntestedAndSaySo() throws {
        let untested = try Eligibility.evaluate(question([.init(substance: "heroin", quantity: 1.2, unit: "g")]), under: testPolicy)
        #expect(untested.eligible) // 1.2 g × 35 % = 0.42 g pure
        #expect(untested.reasons.first { $0.rule == "personal_use_threshold" }?.detail
                == "Heroin 1.2 g at 35 % assumed purity = 0.42 g pure ≤ 0.5 g personal-use threshold (pure).")
        let tested = try Eligibility.evaluate(question([.init(substance: "heroin", quantity: 1.2, unit: "g", purityPercent: 60)]), under: testPolicy)
        #expect(!tested.eligible) // 0.72 g pure
        #expect(tested.reasons.first { $0.rule == "personal_use_threshold" }?.detail.contains("60 % tested purity") == true)
    }

    @Test func massUnitsConvertAndCountsDoNot() throws {
        let mg = try Eligibility.evaluate(question([.init(substance: "heroin", quantity: 1000, unit: "mg")]), under: testPolicy)
        #expect(mg.reasons.first { $0.rule == "personal_use_threshold" }?.detail.hasPrefix("Heroin 1000 mg (1 g) at 35 %") == true)
        #expect(failedFields(question([.init(substance: "mdma", quantity: 0.4, unit: "g")])) == ["seizures[0].unit"])
        #expect(failedFields(question([.init(substance: "cannabis_herb", quantity: 3, unit: "plants")])) == ["seizures[0].unit"])
        let tablets = try Eligibility.evaluate(question([.init(substance: "mdma", quantity: 4, unit: "tablets")]), under: testPolicy)
        #expect(tablets.eligible)
    }

    @Test func everySubstanceInASeizureIsChecked() throws {
        let answer = try Eligibility.evaluate(question([
            .init(substance: "cannabis_herb", quantity: 10, unit: "g"),
            .init(substance: "mdma", quantity: 6, unit: "tablets"),
        ]), under: testPolicy)
        #expect(!answer.eligible)
        #expect(answer.route == "refer_to_prosecutor")
        #expect(answer.reasons.filter { $0.rule == "personal_use_threshold" }.map(\.passed) == [true, false])
    }

    @Test func largeAmountsArePresumedTrafficking() throws {
        let answer = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: 500, unit: "g")]), under: testPolicy)
        let presumption = try #require(answer.reasons.first { $0.rule == "trafficking_presumption" })
        #expect(!presumption.passed)
        #expect(presumption.detail.contains("at or above 20 × the threshold (500 g)"))
    }

    @Test(arguments: [
        (ContactCircumstances(violence: true), "exclusion.violence"),
        (ContactCircumstances(weapon: true), "exclusion.weapon"),
        (ContactCircumstances(supplyToMinors: true), "exclusion.supply_to_minors"),
        (ContactCircumstances(organisedCrime: true), "exclusion.organised_crime"),
    ])
    func anyExclusionMakesItIneligible(circumstances: ContactCircumstances, rule: String) throws {
        let answer = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: 1, unit: "g")], circumstances: circumstances), under: testPolicy)
        #expect(!answer.eligible)
        #expect(answer.reasons.filter { !$0.passed }.map(\.rule) == [rule])
    }

    @Test func aCircumstanceThePolicyDoesNotExcludeDoesNotCount() throws {
        let answer = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: 1, unit: "g")], circumstances: .init(nearSchool: true)), under: testPolicy)
        #expect(answer.eligible)
    }

    @Test func anAuthorityWithoutADiversionRouteAtTheStageCannotDivert() throws {
        var q = question([.init(substance: "cannabis_herb", quantity: 1, unit: "g")])
        q.authority = .court
        q.stage = .trial
        let answer = try Eligibility.evaluate(q, under: testPolicy)
        #expect(!answer.eligible)
        #expect(answer.route == nil)
        #expect(answer.reasons.first { $0.rule == "diversion_route" }?.detail == "This policy gives the court no diversion route at the trial stage.")
    }

    @Test func aSeriousOffenceCategoryIsIneligible() throws {
        let answer = try Eligibility.evaluate(question([], offences: ["supply"]), under: testPolicy)
        #expect(!answer.eligible)
        #expect(answer.reasons.first { $0.rule == "offence_category" }?.detail == "Supply is not a minor offence.")
    }

    @Test(arguments: [
        ([CalendarDate(year: 2022, month: 1, day: 1)], false),   // within 5 years
        ([CalendarDate(year: 2021, month: 11, day: 20)], true),  // exactly 5 years before: outside
        ([CalendarDate(year: 2015, month: 6, day: 1)], true),
    ])
    func seriousConvictionsCountOnlyWithinTheirWindow(convictions: [CalendarDate], eligible: Bool) throws {
        let answer = try Eligibility.evaluate(question([], history: PriorRecord(seriousConvictions: convictions)), under: testPolicy)
        #expect(answer.eligible == eligible)
    }

    @Test(arguments: [(2, true), (3, false)])
    func tooManyRecentDiversionsExclude(count: Int, eligible: Bool) throws {
        let dates = (0..<count).map { CalendarDate(year: 2024, month: 1 + $0, day: 1) }
        let answer = try Eligibility.evaluate(question([], history: PriorRecord(diversions: dates)), under: testPolicy)
        #expect(answer.eligible == eligible)
    }

    @Test func nearThresholdRepeatsRaiseAnIndicatorThatDecidesNothing() throws {
        let history = PriorRecord(nearThresholdSeizures: [.init(date: CalendarDate(year: 2026, month: 6, day: 2), substance: "cannabis_herb", percentOfThreshold: 96)])
        let answer = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: 23, unit: "g")], history: history), under: testPolicy)
        #expect(answer.eligible)
        #expect(answer.indicators.map(\.code) == ["near_threshold_repeat"])
        #expect(answer.indicators.first?.detail.contains("2026-06-02 at 96 %") == true)
        #expect(answer.percentOfThreshold == [ThresholdShare(substance: "cannabis_herb", percentOfThreshold: 92)])
        let first = try Eligibility.evaluate(question([.init(substance: "cannabis_herb", quantity: 23, unit: "g")]), under: testPolicy)
        #expect(first.indicators.isEmpty)
    }

    @Test func packagingRaisesAnIndicatorButDoesNotDecide() throws {
        let seizure = SeizureRecord(substance: "cannabis_herb", quantity: 10, unit: "g", packaging: ["many_small_bags", "scales"])
        let answer = try Eligibility.evaluate(question([seizure]), under: testPolicy)
        #expect(answer.eligible)
        #expect(answer.indicators.map(\.code) == ["packaging"])
        #expect(answer.indicators.first?.detail == "Cannabis herb was found with many small bags, scales. A possible sign of supply, not proof.")
        let unknown = SeizureRecord(substance: "cannabis_herb", quantity: 10, unit: "g", packaging: ["box"])
        #expect(failedFields(question([unknown])) == ["seizures[0].packaging[0]"])
    }

    @Test func theThirdContactRequiresTreatment() throws {
        let two = PriorRecord(contacts: [CalendarDate(year: 2025, month: 1, day: 1), CalendarDate(year: 2026, month: 3, day: 1)])
        let answer = try Eligibility.evaluate(question([], history: two), under: testPolicy)
        #expect(answer.indicators.first { $0.code == "treatment_required" }?.detail == "This is contact number 3; from contact 3 the policy requires treatment.")
    }

    @Test(arguments: [
        (SeizureRecord(substance: "ketamine", quantity: 1, unit: "g"), "seizures[0].substance"),
        (SeizureRecord(substance: "heroin", quantity: 1, unit: "kg"), "seizures[0].unit"),
        (SeizureRecord(substance: "heroin", quantity: -1, unit: "g"), "seizures[0].quantity"),
        (SeizureRecord(substance: "heroin", quantity: 0, unit: "g"), "seizures[0].quantity"),
        (SeizureRecord(substance: "heroin", quantity: 5_000_000, unit: "g"), "seizures[0].quantity"),
        (SeizureRecord(substance: "heroin", quantity: 1, unit: "g", purityPercent: 140), "seizures[0].purityPercent"),
        (SeizureRecord(substance: "heroin", quantity: 1, unit: "g", purityPercent: 0), "seizures[0].purityPercent"),
    ])
    func impossibleSeizuresAreNamed(seizure: SeizureRecord, field: String) {
        #expect(failedFields(question([seizure])) == [field])
    }

    @Test func unknownOffencesAreNamed() {
        #expect(failedFields(question([], offences: ["jaywalking"])) == ["offences[0].category"])
        #expect(failedFields(question([], offences: [])) == ["offences"])
    }

    @Test(arguments: [(0.42, "0.42"), (25.0, "25"), (0.000015, "1.5e-05"), (12.5, "12.5"), (1000.0, "1000"), (0.3333333, "0.3333")])
    func numbersReadAsPeopleWriteThem(value: Double, text: String) {
        #expect(Eligibility.format(value) == text)
    }
}
