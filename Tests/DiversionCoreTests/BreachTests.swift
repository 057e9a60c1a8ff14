import Foundation
import Testing
@testable import DiversionCore

@Suite("Breaches of conditions")
struct BreachTests {
    static let filedAt = Date(timeIntervalSince1970: 1_795_000_000)
    static let caseID = UUID()
    static let breach = Breach(id: UUID(), measureID: UUID(), caseID: caseID, personID: UUID(), description: "Missed three tests in a row.",
                               behaviours: [.missedTest], filedByName: "S", filedAt: filedAt)

    static func decision(caseID: UUID = BreachTests.caseID, at: Date) -> RecordedDecision {
        RecordedDecision(id: UUID(), caseID: caseID, stage: .sentencing, authority: .court, measures: [],
                         proportionality: Proportionality(gravity: "g", circumstances: "c", reasons: "r"), consent: nil,
                         decidedByUserID: UUID(), decidedByName: "J", agencyID: UUID(), decidedAt: at, supersedes: nil)
    }

    @Test(arguments: [
        ("", [Behaviour.missedTest], "description"),
        ("Left the zone twice.", [.zoneViolation, .negativeTestRun], "behaviours[1]"),
        (String(repeating: "x", count: 4001), [], "description"),
    ])
    func aBreachNeedsADescriptionAndOnlyBreachingBehaviours(description: String, behaviours: [Behaviour], field: String) {
        #expect(throws: ValidationFailure.self) { try Breach.check(description: description, behaviours: behaviours) }
        do { try Breach.check(description: description, behaviours: behaviours) } catch { #expect(error.errors.map(\.field).contains(field)) }
    }

    @Test func aWellDescribedBreachIsAccepted() throws {
        try Breach.check(description: "Entered the exclusion zone on 12 November at 22:10.", behaviours: [.zoneViolation])
    }

    @Test(arguments: [
        (BreachAction.continue, "Warned in court.", nil as TimeInterval?, nil as String?),
        (.revoke, "Fourth breach in two months.", nil, nil),
        (.terminate, "Moved abroad.", nil, nil),
        (.modify, "More treatment instead.", 3600, nil),
        (.modify, "More treatment instead.", nil, "decisionId"),
        (.modify, "More treatment instead.", -3600, "decisionId"),
        (.continue, "Warned.", 3600, "decisionId"),
        (.revoke, "  ", nil, "reason"),
    ])
    func theCourtsDecisionIsChecked(action: BreachAction, reason: String, decidedAfter: TimeInterval?, field: String?) {
        let decision = decidedAfter.map { Self.decision(at: Self.filedAt.addingTimeInterval($0)) }
        do {
            try Self.breach.checkDecision(action: action, reason: reason, modifyingDecision: decision)
            #expect(field == nil)
        } catch {
            #expect(error.errors.map(\.field) == [field].compactMap { $0 })
        }
    }

    @Test func aModificationMustComeFromTheSameCase() {
        let other = Self.decision(caseID: UUID(), at: Self.filedAt.addingTimeInterval(60))
        #expect(throws: ValidationFailure.self) { try Self.breach.checkDecision(action: .modify, reason: "r", modifyingDecision: other) }
    }

    @Test(arguments: [(BreachAction.revoke, MeasureOutcome.revoked), (.terminate, .terminated)])
    func revokingOrTerminatingEndsTheMeasure(action: BreachAction, outcome: MeasureOutcome) {
        #expect(action.outcome == outcome)
        #expect(BreachAction.continue.outcome == nil && BreachAction.modify.outcome == nil)
    }
}
