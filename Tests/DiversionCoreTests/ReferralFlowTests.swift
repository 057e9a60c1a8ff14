import Foundation
import Testing
@testable import DiversionCore

/// The closed loop, written out independently of the code: which events may follow each status.
private let transitions: [ReferralStatus: Set<ReferralEventType>] = [
    .sent: [.received, .accepted, .declined, .withdrawn],
    .received: [.accepted, .declined, .withdrawn],
    .accepted: [.intakeScheduled, .intakeAttended, .disengaged, .withdrawn],
    .intakeScheduled: [.intakeScheduled, .intakeAttended, .disengaged, .withdrawn],
    .intakeAttended: [.engaged, .disengaged],
    .engaged: [.completed, .disengaged],
    .declined: [], .completed: [], .disengaged: [], .withdrawn: [],
]

private let appointment = Date(timeIntervalSince1970: 1_795_600_000)

/// The side that records `event` on a referral: the referring agency withdraws, the service does the rest.
private func rightSide(for event: ReferralEventType) -> ReferralSide {
    event == .withdrawn ? .referring : .receiving
}

private func outcome(
    _ event: ReferralEventType, from status: ReferralStatus, by side: ReferralSide? = nil, reason: String? = "The person moved away.",
    scheduledFor: Date? = appointment
) -> Result<ReferralStatus, ReferralRuleError> {
    do {
        return .success(try ReferralFlow.apply(event, to: status, by: side ?? rightSide(for: event), reason: reason, scheduledFor: scheduledFor))
    } catch {
        return .failure(error)
    }
}

extension ReferralRuleError {
    var isImpossible: Bool { if case .impossible = self { true } else { false } }
    var isNotYourSide: Bool { if case .notYourSide = self { true } else { false } }
}

@Suite("The closed loop of a referral")
struct ReferralFlowTests {
    @Test(arguments: ReferralStatus.allCases, ReferralEventType.allCases)
    func everyEventEitherMovesToItsStatusOrIsImpossible(status: ReferralStatus, event: ReferralEventType) throws {
        let allowed = try #require(transitions[status]).contains(event)
        switch outcome(event, from: status) {
        case .success(let next):
            #expect(allowed, "\(event.rawValue) was accepted after \(status.rawValue)")
            #expect(next == event.resultingStatus)
            #expect(next.rawValue == event.rawValue)
        case .failure(let error):
            #expect(!allowed, "\(event.rawValue) was refused after \(status.rawValue): \(error)")
            #expect(error.isImpossible, "\(error)")
        }
        #expect(ReferralFlow.allowedEvents(from: status).contains(event) == allowed)
    }

    @Test(arguments: ReferralStatus.allCases)
    func closedStatusesAllowNothing(status: ReferralStatus) {
        #expect(status.isClosed == [.declined, .completed, .disengaged, .withdrawn].contains(status))
        if status.isClosed {
            #expect(ReferralFlow.allowedEvents(from: status).isEmpty)
            for event in ReferralEventType.allCases {
                guard case .failure(.impossible(let message)) = outcome(event, from: status) else {
                    Issue.record("\(event.rawValue) was not refused as impossible on a \(status.rawValue) referral")
                    continue
                }
                #expect(message == "A referral that is \(status.rawValue) cannot be \(event.rawValue); it is closed.")
            }
        } else {
            #expect(!ReferralFlow.allowedEvents(from: status).isEmpty)
        }
    }

    @Test func anImpossibleEventSaysWhatCanComeNext() {
        guard case .failure(.impossible(let message)) = outcome(.engaged, from: .sent) else {
            Issue.record("engaged right after sent was not impossible")
            return
        }
        #expect(message == "A referral that is sent cannot be engaged; next can be received, accepted, declined, withdrawn.")
    }

    @Test(arguments: ReferralStatus.allCases, ReferralEventType.allCases)
    func staffOfNeitherSideAreAlwaysRefused(status: ReferralStatus, event: ReferralEventType) {
        guard case .failure(let error) = outcome(event, from: status, by: .neither) else {
            Issue.record("\(event.rawValue) on a \(status.rawValue) referral was accepted from neither side")
            return
        }
        #expect(error.isNotYourSide)
    }

    @Test(arguments: ReferralEventType.allCases)
    func theReferringSideMayOnlyWithdraw(event: ReferralEventType) {
        let from = ReferralStatus.allCases.first { transitions[$0]?.contains(event) == true } ?? .sent
        let result = outcome(event, from: from, by: .referring)
        if event == .withdrawn {
            #expect(result == .success(.withdrawn))
        } else {
            guard case .failure(.notYourSide(let message)) = result else {
                Issue.record("the referring side recorded \(event.rawValue)")
                return
            }
            #expect(message.contains("may withdraw the referral"))
        }
        #expect(event.recordedByReferrer == (event == .withdrawn))
    }

    @Test(arguments: [ReferralStatus.sent, .received, .accepted, .intakeScheduled])
    func theReceivingSideMayNotWithdrawButDeclinesInstead(status: ReferralStatus) {
        guard case .failure(.notYourSide(let message)) = outcome(.withdrawn, from: status, by: .receiving) else {
            Issue.record("the receiving side withdrew a \(status.rawValue) referral")
            return
        }
        #expect(message.contains("declines it instead"))
        if [.sent, .received].contains(status) {
            #expect(outcome(.declined, from: status, by: .receiving) == .success(.declined))
        }
    }

    @Test(arguments: [
        (ReferralEventType.declined, ReferralStatus.sent), (.declined, .received), (.withdrawn, .sent), (.withdrawn, .accepted), (.withdrawn, .intakeScheduled),
    ], [nil, "", "   \n\t"] as [String?])
    func decliningAndWithdrawingNeedAReason(step: (event: ReferralEventType, status: ReferralStatus), reason: String?) {
        let (event, status) = step
        #expect(event.needsReason)
        guard case .failure(.invalid(let field, _)) = outcome(event, from: status, reason: reason) else {
            Issue.record("\(event.rawValue) without a reason was not refused")
            return
        }
        #expect(field == "reason")
    }

    @Test func otherEventsNeedNoReason() {
        for event in ReferralEventType.allCases where event != .declined && event != .withdrawn {
            #expect(!event.needsReason)
            let from = ReferralStatus.allCases.first { transitions[$0]?.contains(event) == true } ?? .sent
            #expect(outcome(event, from: from, reason: nil) == .success(event.resultingStatus))
        }
    }

    @Test(arguments: [ReferralStatus.accepted, .intakeScheduled])
    func schedulingAnIntakeNeedsItsTime(status: ReferralStatus) {
        guard case .failure(.invalid(let field, _)) = outcome(.intakeScheduled, from: status, scheduledFor: nil) else {
            Issue.record("an intake was scheduled without a time")
            return
        }
        #expect(field == "scheduledFor")
        #expect(outcome(.intakeScheduled, from: status, scheduledFor: appointment) == .success(.intakeScheduled))
    }

    @Test func anImpossibleEventIsRefusedAsImpossibleBeforeItsMissingReason() {
        #expect(outcome(.declined, from: .engaged, reason: nil).isImpossibleFailure)
        #expect(outcome(.intakeScheduled, from: .sent, scheduledFor: nil).isImpossibleFailure)
    }

    @Test func theWholeLoopRunsFromSentToCompleted() throws {
        var status = ReferralStatus.sent
        for event in [ReferralEventType.received, .accepted, .intakeScheduled, .intakeScheduled, .intakeAttended, .engaged, .completed] {
            status = try ReferralFlow.apply(event, to: status, by: rightSide(for: event), reason: nil, scheduledFor: appointment)
        }
        #expect(status == .completed)
        #expect(status.isClosed)
    }
}

extension Result where Success == ReferralStatus, Failure == ReferralRuleError {
    var isImpossibleFailure: Bool { if case .failure(let e) = self { e.isImpossible } else { false } }
}

@Suite("When a referral's next step is due")
struct ReferralDueByTests {
    let since = Date(timeIntervalSince1970: 1_795_000_000)

    @Test(arguments: [JurisdictionPolicy.TimeLimits.standard, .init(referralAcceptHours: 24, intakeDays: 3, reviewDays: 30)])
    func eachOpenStatusIsDueByItsTimeLimit(limits: JurisdictionPolicy.TimeLimits) {
        let accept = since.addingTimeInterval(Double(limits.referralAcceptHours) * 3600)
        let intake = since.addingTimeInterval(Double(limits.intakeDays) * 86400)
        #expect(ReferralFlow.dueBy(status: .sent, since: since, limits: limits) == accept)
        #expect(ReferralFlow.dueBy(status: .received, since: since, limits: limits) == accept)
        #expect(ReferralFlow.dueBy(status: .accepted, since: since, limits: limits) == intake)
        #expect(ReferralFlow.dueBy(status: .intakeScheduled, since: since, limits: limits) == intake)
        #expect(ReferralFlow.dueBy(status: .intakeScheduled, since: since, scheduledFor: appointment, limits: limits) == appointment)
        for status in [ReferralStatus.intakeAttended, .engaged, .declined, .completed, .disengaged, .withdrawn] {
            #expect(ReferralFlow.dueBy(status: status, since: since, scheduledFor: appointment, limits: limits) == nil, "\(status)")
        }
    }

    @Test func theStandardLimitsAreTwoDaysToAcceptAndAWeekToIntake() {
        #expect(ReferralFlow.dueBy(status: .sent, since: since, limits: .standard) == since.addingTimeInterval(48 * 3600))
        #expect(ReferralFlow.dueBy(status: .accepted, since: since, limits: .standard) == since.addingTimeInterval(7 * 86400))
    }

    func referral(_ status: ReferralStatus, dueBy: Date?, referring: UUID = UUID(), receiving: UUID = UUID()) -> ReferralRecord {
        ReferralRecord(
            id: UUID(), personID: UUID(), serviceID: UUID(), contactID: nil, referringAgencyID: referring, receivingAgencyID: receiving,
            referredByUserID: UUID(), referredByName: "Officer", reason: "Needs assessment.", urgency: .routine, needs: [.outpatient],
            status: status, statusSince: since, dueBy: dueBy, createdAt: since
        )
    }

    @Test func aReferralIsOverdueOnlyAfterItsDueTimeWhileOpen() {
        let due = since.addingTimeInterval(48 * 3600)
        let open = referral(.sent, dueBy: due)
        #expect(!open.isOverdue(at: since))
        #expect(!open.isOverdue(at: due))
        #expect(open.isOverdue(at: due.addingTimeInterval(1)))
        #expect(!referral(.declined, dueBy: due).isOverdue(at: due.addingTimeInterval(86400)))
        #expect(!referral(.engaged, dueBy: nil).isOverdue(at: due.addingTimeInterval(86400)))
    }

    @Test func theSideOfAReferralFollowsTheAgency() {
        let referring = UUID(), receiving = UUID()
        let r = referral(.sent, dueBy: nil, referring: referring, receiving: receiving)
        #expect(r.side(of: referring) == .referring)
        #expect(r.side(of: receiving) == .receiving)
        #expect(r.side(of: UUID()) == .neither)
    }
}
