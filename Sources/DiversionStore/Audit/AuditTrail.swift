import Crypto
import DiversionCore
import FluentKit
import Foundation
import Metrics
import SQLKit

/// Appends to the hash-chained audit trail with group commit.
///
/// Requests hand their entries here and wait until they are durable. Entries that arrive while a
/// batch is being written go together into the next transaction, so one commit carries many
/// requests' entries and the chain's single point of order does not become a queue of fsyncs.
/// Writes of personal data run inside the same transaction as their entries (`perform`), so a
/// change and its audit entry are committed together or not at all.
public actor AuditTrail {
    private struct Job {
        let events: [AuditEvent]
        let work: (@Sendable (any Database) async throws -> [AuditEvent])?
        let done: @Sendable ((any Error)?) -> Void
    }

    private let database: any Database
    private let chain: AuditChain
    private var pending: [Job] = []
    private var flushing = false
    /// Batches written so far (entries and batches are also exported as metrics).
    public private(set) var batches = 0

    public init(database: any Database) {
        self.database = database
        self.chain = .sha256
    }

    /// Records `events` and returns once they are committed.
    public func record(_ events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enqueue(Job(events: events, work: nil, done: { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }))
        }
    }

    /// Runs a write and records the events it returns in one transaction; returns the write's result.
    public func perform<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> (T, [AuditEvent])) async throws -> T {
        let result = ResultSlot<T>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enqueue(Job(
                events: [],
                work: { db in
                    let (value, events) = try await work(db)
                    result.value = value
                    return events
                },
                done: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            ))
        }
        guard let value = result.value else { throw AuditTrailError.writeProducedNoResult }
        return value
    }

    private func enqueue(_ job: Job) {
        pending.append(job)
        if !flushing {
            flushing = true
            Task { await self.flushAll() }
        }
    }

    private func flushAll() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            await write(batch)
        }
        flushing = false
    }

    private func write(_ batch: [Job]) async {
        do {
            let chain = self.chain
            let (count, outcomes) = try await database.transaction { db -> (Int, [(any Error)?]) in
                var outcomes = [(any Error)?](repeating: nil, count: batch.count)
                guard let sql = db as? any SQLDatabase else { throw AuditTrailError.notSQL }
                // Taking the head row's write lock first orders all appenders, in this process and others,
                // and RETURNING reads the head under that lock in the same statement.
                guard let head = try await sql.update(AuditChainHeadModel.schema)
                    .set(SQLIdentifier("appends"), to: SQLRaw("appends + 1"))
                    .where(SQLIdentifier("id"), .equal, SQLLiteral.numeric("1"))
                    .returning(SQLColumn("seq"), SQLColumn("hash"))
                    .first()
                else { throw AuditTrailError.missingHead }
                let tail = (sequence: try head.decode(column: "seq", as: Int64.self), hash: try head.decode(column: "hash", as: String.self))
                var events: [AuditEvent] = []
                for (index, job) in batch.enumerated() {
                    if let work = job.work {
                        try await sql.raw("SAVEPOINT audited_write").run()
                        do {
                            events += try await work(db)
                            try await sql.raw("RELEASE SAVEPOINT audited_write").run()
                        } catch {
                            try await sql.raw("ROLLBACK TO SAVEPOINT audited_write").run()
                            try await sql.raw("RELEASE SAVEPOINT audited_write").run()
                            outcomes[index] = error
                        }
                    }
                    events += job.events
                }
                guard !events.isEmpty else { return (0, outcomes) }
                let entries = chain.append(events, after: tail)
                for chunk in stride(from: 0, to: entries.count, by: 500) {
                    try await Self.insert(entries[chunk..<min(chunk + 500, entries.count)], into: sql)
                }
                if let last = entries.last {
                    try await sql.update(AuditChainHeadModel.schema)
                        .set(SQLIdentifier("seq"), to: SQLBind(last.sequence))
                        .set(SQLIdentifier("hash"), to: SQLBind(last.hash))
                        .where(SQLIdentifier("id"), .equal, SQLLiteral.numeric("1")).run()
                }
                return (entries.count, outcomes)
            }
            batches += 1
            Counter(label: "diversion_audit_batches_total").increment()
            Counter(label: "diversion_audit_entries_total").increment(by: count)
            for (job, outcome) in zip(batch, outcomes) { job.done(outcome) }
        } catch {
            for job in batch { job.done(error) }
        }
    }
}

extension AuditTrail {
    /// One multi-row INSERT, bound value by value: the audit writer is the one place every request passes.
    static func insert(_ entries: ArraySlice<AuditEntry>, into sql: any SQLDatabase) async throws {
        var insert = sql.insert(into: AuditEntryModel.schema).columns(
            "seq", "occurred_at", "user_id", "username", "agency_id", "action", "resource_type",
            "resource_id", "person_id", "purpose", "request_id", "prev_hash", "hash"
        )
        for entry in entries {
            let e = entry.event
            insert = insert.values(
                SQLBind(entry.sequence), SQLBind(AuditChain.timestamp(e.occurredAt)), SQLBind(e.userID), SQLBind(e.username),
                SQLBind(e.agencyID), SQLBind(e.action.rawValue), SQLBind(e.resourceType), SQLBind(e.resourceID),
                SQLBind(e.personID), SQLBind(e.purpose), SQLBind(e.requestID), SQLBind(entry.previousHash), SQLBind(entry.hash)
            )
        }
        try await insert.run()
    }
}

/// Holds a write's result until its batch commits; written once before it is read, by the same flush.
private final class ResultSlot<T: Sendable>: @unchecked Sendable {
    var value: T?
}

/// Why an audit append could not be made.
public enum AuditTrailError: Error, CustomStringConvertible {
    case notSQL, missingHead, writeProducedNoResult

    public var description: String {
        switch self {
        case .notSQL: "the audit trail needs an SQL database"
        case .missingHead: "the audit chain head row is missing; run `diversion migrate`"
        case .writeProducedNoResult: "an audited write finished without a result"
        }
    }
}

extension AuditChain {
    /// The chain with SHA-256 from swift-crypto.
    public static let sha256 = AuditChain { data in HexDigest.sha256(data) }
}
