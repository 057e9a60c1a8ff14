import Foundation
import Testing
@testable import DiversionCore

@Suite("Decisions on measures")
struct DecisionRulesTests {
    static let today = CalendarDate(year: 2026, month: 11, day: 24)
    static let start = CalendarDate(year: 2026, month: 12, day: 1)
    static let end = CalendarDate(year: 2027, month: 6, day: 1)
    static let fair = Proportionality(gravity: "Possession of 30 g cannabis, no violence.", circumstances: "Employed, first contact.", reasons: "Treatment addresses the cause.")
    static let consent = MeasureConsent(given: true, method: .signedPaper, recordedAt: Date(timeIntervalSince1970: 1_795_000_000))

    static func testing(_ minimum: Double = 2) -> Condition {
        Condition(type: .drugTesting, parameters: ["minimumPerWeek": .number(minimum), "windowHours": .number(8), "specimen": .string("urine")])
    }

    static func draft(_ stage: Stage, _ types: [MeasureType], conditions: [Condition] = [], consent: MeasureConsent? = DecisionRulesTests.consent,
                      proportionality: Proportionality = DecisionRulesTests.fair, end: CalendarDate? = DecisionRulesTests.end) -> DecisionDraft {
        DecisionDraft(stage: stage, measures: types.map { OrderedMeasure(type: $0, conditions: conditions, start: start, plannedEnd: end) },
                      proportionality: proportionality, consent: consent)
    }

    static func check(_ d: DecisionDraft, _ authority: Authority, age: Int = 30) throws(DecisionRefusal) {
        try DecisionRules.check(d, authority: authority, rules: MeasureRule.standard, personAge: age, ageOfMajority: 18, today: today)
    }

    @Test(arguments: [
        (Authority.prosecution, Stage.preTrial, MeasureType.conditionalDismissal),
        (.prosecution, .preTrial, .deferredProsecution),
        (.court, .trial, .treatmentCourt),
        (.court, .sentencing, .communityService),
        (.court, .sentencing, .probation),
        (.court, .postSentencing, .earlyReleaseIntoTreatment),
        (.police, .preTrial, .cautionWarning),
    ])
    func theMenuAllowsTheMeasuresOfEachStage(authority: Authority, stage: Stage, type: MeasureType) throws {
        try Self.check(Self.draft(stage, [type], conditions: type == .cautionWarning ? [] : [Self.testing()], end: type == .cautionWarning ? nil : Self.end), authority)
    }

    @Test(arguments: [
        (Authority.prosecution, Stage.preTrial, MeasureType.probation),
        (.police, .preTrial, .deferredProsecution),
        (.court, .trial, .parole),
        (.prosecution, .sentencing, .fine),
        (.court, .postSentencing, .treatmentCourt),
    ])
    func anythingElseIsRefusedNamingTheRule(authority: Authority, stage: Stage, type: MeasureType) {
        #expect {
            try Self.check(Self.draft(stage, [type]), authority)
        } throws: { error in
            guard case .notAllowed(let rule) = error as? DecisionRefusal else { return false }
            return rule.contains("measures[0]") && rule.contains(type.words)
        }
    }

    @Test(arguments: [Stage.preTrial, .trial])
    func obligationsBeforeOrInsteadOfTrialNeedConsent(stage: Stage) {
        let authority: Authority = stage == .preTrial ? .prosecution : .court
        let type: MeasureType = stage == .preTrial ? .deferredProsecution : .treatmentCourt
        for consent in [nil, MeasureConsent(given: false, method: .witnessed, recordedAt: Date())] {
            #expect(Self.fields(Self.draft(stage, [type], conditions: [Self.testing()], consent: consent), authority) == ["consent"])
        }
    }

    @Test func aCautionAloneNeedsNoConsentAndNoEnd() throws {
        try Self.check(Self.draft(.preTrial, [.cautionWarning], consent: nil, end: nil), .prosecution)
    }

    @Test func sentencesNeedNoConsent() throws {
        try Self.check(Self.draft(.sentencing, [.communityService], conditions: [Condition(type: .communityService, parameters: ["hours": .number(80), "deadline": .string("2027-05-01")])], consent: nil), .court)
    }

    @Test func theProportionalityRecordIsRequired() {
        let empty = Proportionality(gravity: " ", circumstances: "", reasons: "")
        #expect(Self.fields(Self.draft(.sentencing, [.probation], proportionality: empty), .court)
            == ["proportionality.gravity", "proportionality.circumstances", "proportionality.reasons"])
    }

    @Test func aMinorsLibertyIsRestrictedOnlyAsALastResortWithAReason() throws {
        var guardian = Self.fair
        guardian.guardianContact = "Mother, by telephone on 24 November."
        #expect(Self.fields(Self.draft(.sentencing, [.homeDetention], proportionality: guardian), .court, age: 16) == ["proportionality.lastResortReason"])
        var reasoned = guardian
        reasoned.lastResortReason = "Two treatment orders failed; the family asked for structure."
        try Self.check(Self.draft(.sentencing, [.homeDetention], proportionality: reasoned), .court, age: 16)
        try Self.check(Self.draft(.sentencing, [.homeDetention]), .court, age: 30)
    }

    @Test func aDecisionOnAMinorRecordsTheGuardianContacted() throws {
        #expect(Self.fields(Self.draft(.sentencing, [.probation]), .court, age: 15) == ["proportionality.guardianContact"])
        var guardian = Self.fair
        guardian.guardianContact = "Father, in person at the hearing."
        try Self.check(Self.draft(.sentencing, [.probation], proportionality: guardian), .court, age: 15)
        let relaxed = JurisdictionPolicy.JuvenileRules(allowed: nil, guardianContactRequired: false)
        try DecisionRules.check(Self.draft(.sentencing, [.probation]), authority: .court, rules: MeasureRule.standard, personAge: 15,
                                ageOfMajority: 18, today: Self.today, juvenile: relaxed)
    }

    @Test(arguments: [
        (MeasureType.fine, 15, false),
        (.homeDetention, 16, false),
        (.probation, 17, true),
        (.fine, 18, true),
        (.homeDetention, 30, true),
    ])
    func theJuvenileRulesLimitTheMeasuresForMinorsOnly(type: MeasureType, age: Int, allowed: Bool) {
        var p = Self.fair
        p.guardianContact = "Aunt, by telephone."
        p.lastResortReason = "Every other measure was tried."
        let rules = JurisdictionPolicy.JuvenileRules(allowed: [.probation, .communityService, .treatmentOrder], guardianContactRequired: true)
        let result = Result { () throws(DecisionRefusal) in
            try DecisionRules.check(Self.draft(.sentencing, [type], proportionality: p), authority: .court, rules: MeasureRule.standard,
                                    personAge: age, ageOfMajority: 18, today: Self.today, juvenile: rules)
        }
        switch result {
        case .success: #expect(allowed)
        case .failure(.notAllowed(let rule)): #expect(!allowed && rule.contains("juvenile rules"), "\(rule)")
        case .failure(.invalid(let failure)): Issue.record("unexpected \(failure)")
        }
    }

    @Test(arguments: [
        (Condition(type: .drugTesting, parameters: ["minimumPerWeek": .number(9), "windowHours": .number(8), "specimen": .string("urine")]), "measures[0].conditions[0].minimumPerWeek"),
        (Condition(type: .drugTesting, parameters: ["minimumPerWeek": .number(2), "windowHours": .number(8), "specimen": .string("tea")]), "measures[0].conditions[0].specimen"),
        (Condition(type: .communityService, parameters: ["hours": .number(40), "deadline": .string("2026-01-01")]), "measures[0].conditions[0].deadline"),
        (Condition(type: .payment, parameters: ["amount": .number(100), "currency": .string("euro")]), "measures[0].conditions[0].currency"),
        (Condition(type: .curfew, parameters: ["place": .string("home"), "latitude": .number(95), "longitude": .number(0), "radiusMeters": .number(100), "start": .string("21:00"), "end": .string("06:00"), "days": .array([.string("friday")]), "timeZone": .string("Europe/Lisbon")]), "measures[0].conditions[0].latitude"),
        (Condition(type: .curfew, parameters: ["place": .string("home"), "latitude": .number(38), "longitude": .number(-9), "radiusMeters": .number(100), "start": .string("25:00"), "end": .string("06:00"), "days": .array([.string("friday")]), "timeZone": .string("Mars/Base")]), "measures[0].conditions[0].start"),
        (Condition(type: .exclusionZone, parameters: ["name": .string("Park"), "geometry": .object(["type": .string("Polygon"), "coordinates": .array([.array([.array([.number(0), .number(0)]), .array([.number(1), .number(0)]), .array([.number(1), .number(1)])])])])]), "measures[0].conditions[0].geometry"),
        (Condition(type: .noContact, parameters: ["with": .string("X"), "colour": .string("red")]), "measures[0].conditions[0].colour"),
        (Condition(type: .attendTreatment, parameters: [:]), "measures[0].conditions[0].sessionsPerWeek"),
    ])
    func badConditionsAreNamed(condition: Condition, field: String) {
        #expect(Self.fields(Self.draft(.sentencing, [.probation], conditions: [condition]), .court).contains(field))
    }

    @Test func aClosedPolygonZoneIsAccepted() throws {
        let ring: AnswerValue = .array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]].map { .array($0.map { .number($0) }) })
        let zone = Condition(type: .exclusionZone, parameters: ["name": .string("School"), "geometry": .object(["type": .string("Polygon"), "coordinates": .array([ring])])])
        try Self.check(Self.draft(.sentencing, [.electronicMonitoring], conditions: [zone]), .court)
    }

    @Test func periodsMustMakeSense() {
        #expect(Self.fields(Self.draft(.sentencing, [.probation], end: CalendarDate(year: 2026, month: 11, day: 1)), .court) == ["measures[0].plannedEnd"])
        #expect(Self.fields(Self.draft(.sentencing, [.probation], end: nil), .court) == ["measures[0].plannedEnd"])
        #expect(Self.fields(Self.draft(.sentencing, []), .court) == ["measures"])
    }

    static func fields(_ d: DecisionDraft, _ authority: Authority, age: Int = 30) -> [String] {
        do {
            try check(d, authority, age: age)
            return []
        } catch {
            guard case .invalid(let failure) = error else { return ["notAllowed"] }
            return failure.errors.map(\.field)
        }
    }
}
