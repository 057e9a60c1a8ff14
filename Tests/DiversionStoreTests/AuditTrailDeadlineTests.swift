import DiversionCore
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import DiversionStore

/// A database that stops answering mid-batch (a PostgreSQL primary lost in a failover) must not hold the audit trail,
/// and with it every audited request, for ever.
@Suite("The audit trail's deadline")
struct AuditTrailDeadlineTests {
    /// Holds a write until it is let go, as a connection that never answers would.
    final class Gate: Sendable {
        private let waiting = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
        private let opened = NIOLockedValueBox(false)

        func wait() async {
            await withCheckedContinuation { continuation in
                let open = opened.withLockedValue { $0 }
                if open { continuation.resume() } else { waiting.withLockedValue { $0 = continuation } }
            }
        }

        func open() {
            opened.withLockedValue { $0 = true }
            waiting.withLockedValue { $0?.resume(); $0 = nil }
        }
    }

    struct Stuck: Error {}

    @Test("a batch that overruns its deadline answers its requests as stalled at the deadline, and the trail goes on on a new connection")
    func aStalledBatchIsGivenUp() async throws {
        try await TestDatabase.with { t in
            let reconnections = NIOLockedValueBox(0)
            let trail = AuditTrail(database: t.db, deadline: .milliseconds(400), reconnect: {
                reconnections.withLockedValue { $0 += 1 }
                return t.db
            })
            let gate = Gate()
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(throws: AuditTrailError.stalled) {
                try await trail.perform { _ in
                    await gate.wait()
                    throw Stuck()
                } as Int
            }
            let waited = clock.now - started
            #expect(waited >= .milliseconds(400) && waited < .seconds(5), "\(waited)")
            #expect(await trail.stalls == 1)
            #expect(reconnections.withLockedValue { $0 } == 1)

            // The stuck write ends later (its transaction rolls back); nothing of it is recorded, and it is not answered twice.
            gate.open()
            try await trail.record([AuditEvent(occurredAt: Date(), userID: nil, username: "officer", agencyID: nil, action: .read,
                                               resourceType: "person", resourceID: "p1")])
            #expect(try await AuditLedger().verify(on: t.db) == .intact(entries: 1))
        }
    }

    @Test("a batch within its deadline is never given up")
    func aBatchWithinItsDeadlineCommits() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db, deadline: .seconds(10), reconnect: { Issue.record("no reconnection was needed"); return t.db })
            for n in 0..<20 {
                try await trail.record([AuditEvent(occurredAt: Date(), userID: nil, username: "officer", agencyID: nil, action: .read,
                                                   resourceType: "person", resourceID: "p\(n)")])
            }
            #expect(await trail.stalls == 0)
            #expect(try await AuditLedger().verify(on: t.db) == .intact(entries: 20))
        }
    }
}
