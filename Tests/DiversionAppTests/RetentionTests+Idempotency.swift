import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
@testable import DiversionApp

extension RetentionTests {
    @Test func storedAnswersToCapturesArePrunedAfterTheirPeriodWhileRecentOnesStay() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let oldKey = UUID().uuidString, newKey = UUID().uuidString
            let old = try await t.send(.POST, "/api/v1/captures", token: officer, headers: [("Idempotency-Key", oldKey)],
                                       body: captureBody(newPersonSubject), contentType: "application/json")
            try #require(old.status == .created, "\(old.text)")
            t.clock.advance(31 * 86_400)
            let later = try await t.token("officer")
            let fresh = try await t.send(.POST, "/api/v1/captures", token: later, headers: [("Idempotency-Key", newKey)],
                                         body: captureBody(newPersonSubject, occurredAt: "2026-12-19T09:00:00Z"), contentType: "application/json")
            try #require(fresh.status == .created, "\(fresh.text)")
            #expect(try await IdempotencyRecordModel.query(on: t.app.db).count() == 2)

            let due = try await Self.run(t, dryRun: true)
            #expect(due["idempotencyAnswers"] == 1)
            #expect(try await IdempotencyRecordModel.query(on: t.app.db).count() == 2, "a dry run deleted answers")

            let done = try await Self.run(t, dryRun: false)
            #expect(done["idempotencyAnswers"] == 1)
            let left = try await IdempotencyRecordModel.query(on: t.app.db).all().map(\.key)
            #expect(left == [newKey])
            let entry = try await t.auditEntries().first { $0.event.resourceType == "retention" && $0.event.resourceID == "idempotencyAnswers" }
            #expect(entry?.event.action == .delete && entry?.event.purpose?.contains("1 deleted") == true)

            // The recent answer still replays; the contacts themselves are untouched by pruning.
            let again = try await t.send(.POST, "/api/v1/captures", token: later, headers: [("Idempotency-Key", newKey)],
                                         body: captureBody(newPersonSubject, occurredAt: "2026-12-19T09:00:00Z"), contentType: "application/json")
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await ContactModel.query(on: t.app.db).count() >= 2)
        }
    }

    @Test(arguments: [(7, 1), (60, 0)])
    func thePeriodForStoredAnswersIsConfigurable(days: Int, pruned: Int) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let sent = try await t.send(.POST, "/api/v1/captures", token: officer, headers: [("Idempotency-Key", UUID().uuidString)],
                                        body: captureBody(newPersonSubject), contentType: "application/json")
            try #require(sent.status == .created, "\(sent.text)")
            t.clock.advance(31 * 86_400)
            let document = try #require(try await PolicyStore().activeDocument(on: t.app.db)).document
            let policy = try PolicyFile.read(document).get()
            let lines = try await RetentionRun(retention: policy.retention, policyName: "test", idempotencyDays: days)
                .run(now: t.clock.now, dryRun: false, trail: t.app.diversion.auditTrail, on: t.app.db)
            let line = try #require(lines.first { $0.kind == "idempotencyAnswers" })
            #expect(line.days == days && line.count == pruned)
            #expect(try await IdempotencyRecordModel.query(on: t.app.db).count() == 1 - pruned)
        }
    }
}
