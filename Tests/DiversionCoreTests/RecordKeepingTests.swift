import Foundation
import Testing
@testable import DiversionCore

@Suite("Sealing and retention rules")
struct RecordKeepingTests {
    static let start = CalendarDate(year: 2026, month: 1, day: 5)

    static func measure(_ status: MeasureStatus) -> MeasureRecord {
        let outcome = MeasureOutcome(rawValue: status.rawValue).map {
            RecordedOutcome(outcome: $0, date: start, note: "n", recordedByName: "J", recordedAt: Date(timeIntervalSince1970: 0))
        }
        return MeasureRecord(id: UUID(), caseID: UUID(), decisionID: UUID(), personID: UUID(), type: .probation, conditions: [],
                             start: start, plannedEnd: nil, status: status, outcome: outcome)
    }

    @Test(arguments: [
        ([MeasureStatus.completed], true),
        ([.completed, .completed], true),
        ([.completed, .superseded], true),
        ([.completed, .active], false),
        ([.completed, .revoked], false),
        ([.terminated], false),
        ([.superseded], false),
        ([], false),
    ])
    func aCaseIsSealedOnlyWhenEveryCurrentMeasureEndedWithASealingOutcome(statuses: [MeasureStatus], sealed: Bool) {
        let rule = JurisdictionPolicy.Sealing(onCompletion: true, outcomes: [.completed], afterDays: 0)
        #expect(rule.seals(statuses.map(Self.measure)) == sealed)
    }

    @Test func aPolicyThatDoesNotSealOnCompletionNeverSeals() {
        #expect(!JurisdictionPolicy.Sealing.standard.seals([Self.measure(.completed)]))
    }

    @Test func aSealTakesEffectAfterThePolicysDays() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let rule = JurisdictionPolicy.Sealing(onCompletion: true, outcomes: [.completed], afterDays: 30)
        #expect(rule.effective(from: now) == now.addingTimeInterval(30 * 86_400))
    }

    static let visibility: [(Set<Role>, Bool)] = [
        ([.officer], false), ([.prosecutor], false), ([.analyst], false), ([.admin], false),
        ([.judge], true), ([.supervisor], true), ([.provider], true), ([.prosecutor, .judge], true),
    ]

    @Test(arguments: visibility)
    func policeAndProsecutionLoseSealedRecordsAndOthersKeepThem(roles: Set<Role>, visible: Bool) {
        #expect(SealedRecords.visible(to: roles) == visible)
    }

    @Test(arguments: [(String?.none, false), ("short", false), (String(repeating: "x", count: 201), false),
                      ("line one\nline two is here", false), ("Court order 2027/114 asks for it", true)])
    func readingASealedRecordNeedsAReasonOnOneLine(reason: String?, accepted: Bool) {
        let checked = (try? SealedRecords.checkReason(reason)) != nil
        #expect(checked == accepted)
    }

    @Test func aKindKeptForGoodHasNoCutoff() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var retention = JurisdictionPolicy.Retention.standard
        #expect(retention.cutoff(.monitoringPings, now: now) == now.addingTimeInterval(-90 * 86_400))
        retention.days[.contacts] = nil
        #expect(retention.cutoff(.contacts, now: now) == nil)
    }
}
