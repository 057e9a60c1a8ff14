import Foundation
import Testing
@testable import DiversionCore

private let now = Date(timeIntervalSince1970: 1_795_600_000)
private let day = 86_400.0

/// Earlier occurrences of `behaviour`, each so many days before `now`.
private func earlier(_ behaviour: Behaviour, daysAgo: [Double]) -> [BehaviourRecord] {
    daysAgo.map { BehaviourRecord(behaviour: behaviour, occurredAt: now.addingTimeInterval(-$0 * day)) }
}

private func advise(
    _ behaviour: Behaviour, phase: Int = 2, daysAgo: [Double] = [], daysInTreatment: Int = 200, matrix: ResponseMatrix = .standard
) -> [ResponseAdvisor.Suggestion] {
    ResponseAdvisor.suggest(behaviour, phase: phase, history: earlier(behaviour, daysAgo: daysAgo), daysInTreatment: daysInTreatment, now: now, matrix: matrix)
}

private let undesired = Behaviour.allCases.filter { !$0.isDesired }
private let desired = Behaviour.allCases.filter(\.isDesired)

@Suite("Graduated responses, suggested with reasons")
struct ResponseAdvisorTests {
    @Test(arguments: [
        (Behaviour.missedTest, 2, [] as [Double], "verbal_warning", "First missed test in 30 days: verbal warning as a first response."),
        (.missedTest, 2, [10], "increased_testing", "Second missed test in 30 days: escalate to increased testing."),
        (.missedTest, 2, [10, 20], "community_service", "Third missed test in 30 days: escalate to community service hours."),
        (.missedTest, 2, [1, 10, 20, 29], "community_service", "Fifth missed test in 30 days: escalate to community service hours."),
        (.missedTest, 2, [30], "increased_testing", "Second missed test in 30 days: escalate to increased testing."),
        (.missedTest, 2, [30.01], "verbal_warning", "First missed test in 30 days: verbal warning as a first response."),
        (.missedTest, 2, [45, 60, 90], "verbal_warning", "First missed test in 30 days: verbal warning as a first response."),
        (.missedTest, 3, [], "increased_testing", "First missed test in 30 days: increased testing as a first response."),
        (.missedAppointment, 1, [5], "more_court_reviews", "Second missed appointment in 30 days: escalate to more frequent court reviews."),
        (.lateAppointment, 4, [2, 3], "more_court_reviews", "Third late arrival at an appointment in 30 days: escalate to more frequent court reviews."),
        (.newArrest, 2, [100], "curfew_tightened", "Second new arrest in 180 days: escalate to tighter curfew."),
        (.newArrest, 2, [181], "more_court_reviews", "First new arrest in 180 days: more frequent court reviews as a first response."),
        (.curfewViolation, 2, [7], "curfew_tightened", "Second curfew violation in 30 days: escalate to tighter curfew."),
        (.paymentMissed, 2, [7, 8], "community_service", "Third missed payment in 30 days: escalate to community service hours."),
        (.positiveTest, 3, [4], "community_service", "Second positive test in 30 days: escalate to community service hours."),
    ])
    func repetitionWithinTheWindowEscalatesTheResponse(behaviour: Behaviour, phase: Int, daysAgo: [Double], code: String, reason: String) throws {
        let first = try #require(advise(behaviour, phase: phase, daysAgo: daysAgo).first)
        #expect(first.option.code == code)
        #expect(first.reason == reason)
    }

    @Test(arguments: undesired, 0...4)
    func moreOccurrencesNeverLowerTheHeaviestSanction(behaviour: Behaviour, earlierCount: Int) {
        let heaviest = { (n: Int) in
            advise(behaviour, daysAgo: (0..<n).map { Double($0 + 1) }).filter { $0.option.kind == .sanction }.map(\.option.magnitude).max() ?? 0
        }
        #expect(heaviest(earlierCount + 1) >= heaviest(earlierCount))
    }

    @Test func otherBehavioursAndLaterOrSimultaneousEntriesDoNotCount() throws {
        let history = earlier(.lateAppointment, daysAgo: [1, 2, 3]) + earlier(.missedTest, daysAgo: [0, -1, -5])
        let first = try #require(ResponseAdvisor.suggest(.missedTest, phase: 2, history: history, daysInTreatment: 200, now: now).first)
        #expect(first.option.code == "verbal_warning")
        #expect(first.reason.hasPrefix("First missed test"))
    }

    @Test func severalResponsesToOneOccurrenceCountItOnce() throws {
        let option = try #require(ResponseMatrix.standard.option("verbal_warning"))
        let reassess = try #require(ResponseMatrix.standard.option("reassessment"))
        let at = now.addingTimeInterval(-3 * day)
        let recorded = [option, reassess].map {
            RecordedResponse(id: UUID(), measureID: UUID(), personID: UUID(), programmeID: UUID(), behaviour: .missedTest, behaviourAt: at, phase: 2,
                             option: $0, wasSuggested: true, decidedByUserID: UUID(), decidedByName: "Judge Ana Reyes", decidedAt: at, why: "Agreed in court.")
        }
        let first = try #require(ResponseAdvisor.suggest(.missedTest, phase: 2, history: recorded, daysInTreatment: 200, now: now).first)
        #expect(first.reason == "Second missed test in 30 days: escalate to increased testing.")
    }

    @Test(arguments: [
        (Behaviour.positiveTest, 1, 10, 0), (.positiveTest, 1, 10, 1), (.positiveTest, 1, 10, 4), (.positiveTest, 2, 60, 0), (.positiveTest, 2, 89, 2),
        (.positiveTest, 1, 300, 0), (.diluteOrAdulteratedTest, 1, 20, 0), (.diluteOrAdulteratedTest, 2, 45, 1), (.diluteOrAdulteratedTest, 1, 150, 3),
        (.positiveTest, 3, 80, 0), (.diluteOrAdulteratedTest, 4, 0, 2),
    ])
    func substanceUseEarlyInTreatmentGetsATreatmentAdjustmentBeforeAnySanction(behaviour: Behaviour, phase: Int, daysInTreatment: Int, earlierCount: Int) throws {
        let suggestions = advise(behaviour, phase: phase, daysAgo: (0..<earlierCount).map { Double($0 + 1) }, daysInTreatment: daysInTreatment)
        let first = try #require(suggestions.first)
        #expect(first.option.kind == .treatmentAdjustment)
        #expect(first.reason.contains("before any sanction"), "\(first.reason)")
        #expect(first.reason.contains(daysInTreatment < 90 ? "within the first 90 days of treatment (day \(daysInTreatment))" : "in phase 1"), "\(first.reason)")
        let kinds = suggestions.map(\.option.kind)
        let lastAdjustment = kinds.lastIndex(of: .treatmentAdjustment) ?? -1
        let firstSanction = kinds.firstIndex(of: .sanction) ?? kinds.count
        #expect(lastAdjustment < firstSanction, "\(kinds)")
        for s in suggestions where s.option.kind == .sanction {
            #expect(s.reason.hasSuffix("only if still needed once the treatment has been adjusted."))
        }
    }

    @Test func theEarlyReasonSaysWhyInWords() throws {
        let first = try #require(advise(.positiveTest, phase: 1, daysInTreatment: 20).first)
        #expect(first.reason == "First positive test in 30 days, within the first 90 days of treatment (day 20): clinical reassessment first, "
            + "because substance use this early calls for adjusting treatment before any sanction.")
    }

    @Test func aRuleWithoutTreatmentAdjustmentsBorrowsTheEarlyTreatmentSteps() throws {
        var matrix = ResponseMatrix.standard
        matrix.rules.removeAll { $0.behaviour == .positiveTest }
        matrix.rules.append(.init(behaviour: .positiveTest, steps: [["verbal_warning"], ["increased_testing"]]))
        let second = advise(.positiveTest, phase: 2, daysAgo: [3], daysInTreatment: 40, matrix: matrix)
        #expect(second.map(\.option.code) == ["increase_treatment_intensity", "increased_testing"])
        let later = advise(.positiveTest, phase: 3, daysAgo: [3], daysInTreatment: 140, matrix: matrix)
        #expect(later.map(\.option.code) == ["increased_testing"])
    }

    @Test func onceStableSubstanceUseIsSanctionedFirstAndTreatmentStillReviewed() {
        let suggestions = advise(.positiveTest, phase: 3, daysInTreatment: 200)
        #expect(suggestions.map(\.option.code) == ["increased_testing", "reassessment"])
        #expect(suggestions.map(\.reason) == [
            "First positive test in 30 days: increased testing as a first response.",
            "First positive test in 30 days: clinical reassessment as a treatment adjustment.",
        ])
    }

    @Test(arguments: Behaviour.allCases, 1...4)
    func aFirstOccurrenceIsNeverAnsweredWithJail(behaviour: Behaviour, phase: Int) {
        let suggestions = advise(behaviour, phase: phase, daysInTreatment: 400)
        #expect(!suggestions.isEmpty)
        #expect(!suggestions.contains { $0.option.isLastResort || $0.option.code == "short_jail_stay" })
    }

    @Test(arguments: [Behaviour.positiveTest, .diluteOrAdulteratedTest], 1...4)
    func substanceUseAloneIsNeverAnsweredWithJail(behaviour: Behaviour, phase: Int) {
        for count in 0...8 {
            let suggestions = advise(behaviour, phase: phase, daysAgo: (0..<count).map { Double($0 + 1) }, daysInTreatment: 400)
            #expect(!suggestions.isEmpty)
            #expect(!suggestions.contains { $0.option.isLastResort }, "after \(count) earlier: \(suggestions.map(\.option.code))")
        }
    }

    @Test func jailIsListedLastAndOnlyAsALastResort() {
        let third = advise(.newArrest, daysAgo: [20, 90])
        #expect(third.map(\.option.code) == ["electronic_monitoring", "short_jail_stay"])
        #expect(third.last?.reason == "Third new arrest in 180 days: short jail stay only as a last resort, when lesser responses have not worked.")
    }

    @Test func jailInAMatrixThatBreaksTheRulesIsStillNotSuggested() {
        var matrix = ResponseMatrix.standard
        matrix.rules.removeAll { $0.behaviour == .curfewViolation || $0.behaviour == .positiveTest }
        matrix.rules.append(.init(behaviour: .curfewViolation, steps: [["short_jail_stay"], ["short_jail_stay"]]))
        matrix.rules.append(.init(behaviour: .positiveTest, steps: [["verbal_warning"], ["short_jail_stay"]]))
        #expect(advise(.curfewViolation, matrix: matrix).isEmpty)
        #expect(advise(.curfewViolation, daysAgo: [2], matrix: matrix).map(\.option.code) == ["short_jail_stay"])
        #expect(advise(.positiveTest, phase: 3, daysAgo: [2], matrix: matrix).map(\.option.code) == ["verbal_warning"])
    }

    @Test(arguments: desired, 1...4)
    func desiredBehaviourIsAnsweredOnlyWithIncentives(behaviour: Behaviour, phase: Int) {
        for count in 0...3 {
            let suggestions = advise(behaviour, phase: phase, daysAgo: (0..<count).map { Double($0 + 1) })
            #expect(!suggestions.isEmpty)
            #expect(suggestions.allSatisfy { $0.option.kind == .incentive }, "\(suggestions.map(\.option.code))")
            #expect(suggestions.allSatisfy { $0.reason.hasSuffix(".") && $0.reason.first?.isUppercase == true })
        }
    }

    @Test(arguments: undesired, 1...4)
    func undesiredBehaviourIsNeverRewarded(behaviour: Behaviour, phase: Int) {
        let suggestions = advise(behaviour, phase: phase, daysAgo: [1, 2])
        #expect(!suggestions.isEmpty)
        #expect(!suggestions.contains { $0.option.kind == .incentive })
    }

    @Test(arguments: [
        (Behaviour.negativeTestRun, 2, [] as [Double], ["verbal_praise"], "First run of negative tests in 90 days: verbal praise from the judge as an incentive."),
        (.negativeTestRun, 2, [60], ["gift_voucher"], "Second run of negative tests in 90 days: gift card or voucher as an incentive."),
        (.negativeTestRun, 4, [], ["verbal_praise", "reduced_testing"], "First run of negative tests in 90 days: verbal praise from the judge as an incentive."),
        (.attendedAllSessions, 1, [7, 14], ["fewer_court_appearances", "curfew_relaxed"],
         "Third full attendance at sessions in 30 days: fewer court appearances as an incentive."),
        (.phaseCriteriaMet, 2, [], ["phase_promotion", "certificate"], "Phase 2 criteria met: promote to phase 3 (Active recovery)."),
        (.phaseCriteriaMet, 4, [], ["graduation", "certificate"], "Phase 4 criteria met: graduation from the programme as an incentive."),
    ])
    func progressIsRewardedAndSaysWhy(behaviour: Behaviour, phase: Int, daysAgo: [Double], codes: [String], reason: String) {
        let suggestions = advise(behaviour, phase: phase, daysAgo: daysAgo)
        #expect(suggestions.map(\.option.code) == codes)
        #expect(suggestions.first?.reason == reason)
    }

    @Test(arguments: [(0, 1), (-3, 1), (7, 4)])
    func aPhaseOutsideTheMatrixIsAnsweredAsItsNearestPhase(phase: Int, nearest: Int) {
        #expect(advise(.missedTest, phase: phase) == advise(.missedTest, phase: nearest))
    }

    @Test(arguments: [(1, "first"), (2, "second"), (10, "tenth"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (111, "111th")])
    func ordinalsReadAsWords(n: Int, words: String) {
        #expect(ResponseAdvisor.ordinal(n) == words)
    }
}
