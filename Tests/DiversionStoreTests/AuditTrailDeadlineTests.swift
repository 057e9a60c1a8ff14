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
            // Answered at the deadline, not when the stuck write ends (it never does until the gate opens).
            #expect(waited >= .milliseconds(400), "\(waited)")
            #expect(await trail.stalls >= 1)
            #expect(reconnections.withLockedValue { $0 } >= 1)

            // The stuck write ends later (its transaction commits no entry); the trail goes on. On a busy machine a
            // later batch may itself overrun 400 ms, so it is sent again as a client would.
            gate.open()
            var recorded = 0
            for attempt in 1...20 where recorded == 0 {
                do {
                    try await trail.record([AuditEvent(occurredAt: Date(), userID: nil, username: "officer", agencyID: nil, action: .read,
                                                       resourceType: "person", resourceID: "p\(attempt)")])
                    recorded = attempt
                } catch AuditTrailError.stalled {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(recorded > 0)
            // A resent entry may have committed after its own deadline, so there are at least one; the chain is unbroken.
            try await Task.sleep(for: .seconds(1))
            guard case .intact(let entries) = try await AuditLedger().verify(on: t.db) else { Issue.record("the chain is broken"); return }
            #expect(entries >= 1 && entries <= recorded)
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
