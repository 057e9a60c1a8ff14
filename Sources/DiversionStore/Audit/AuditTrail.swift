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

    private var database: any Database
    private let chain: AuditChain
    private var pending: [Job] = []
    private var flushing = false
    /// How long one batch may take before its requests are answered that the trail is unavailable; none when nil.
    private let deadline: Duration?
    /// A fresh connection for the trail, used when a batch overran its deadline (its connection may never answer again).
    private let reconnect: (@Sendable () async throws -> any Database)?
    /// Batches written so far (entries and batches are also exported as metrics).
    public private(set) var batches = 0
    /// Batches given up at their deadline.
    public private(set) var stalls = 0

    /// `deadline` bounds each batch: a database that stops answering (a primary lost in a failover whose connection
    /// never reports it) fails the waiting requests with `AuditTrailError.stalled` instead of holding them, and every
    /// later request, forever; the next batch then runs on a connection from `reconnect`. Without a deadline a batch
    /// takes as long as its work (a command writing a million facts in one audited transaction).
    public init(database: any Database, deadline: Duration? = nil, reconnect: (@Sendable () async throws -> any Database)? = nil) {
        self.database = database
        self.chain = .sha256
        self.deadline = deadline
        self.reconnect = reconnect
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
        // Each job is answered once: by the transaction, or at the deadline when the transaction has not ended by then.
        let answered = AnsweredOnce()
        let database = self.database
        guard let deadline else { return await transact(batch, on: database, answered: answered) }
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let resume = AnsweredOnce()
            Task {
                await self.transact(batch, on: database, answered: answered)
                if resume.claim() { continuation.resume(returning: true) }
            }
            Task {
                try? await Task.sleep(for: deadline)
                if resume.claim() { continuation.resume(returning: false) }
            }
        }
        guard !finished, answered.claim() else { return }
        stalls += 1
        Counter(label: "diversion_audit_stalls_total").increment()
        for job in batch { job.done(AuditTrailError.stalled) }
        if let reconnect, let fresh = try? await reconnect() { self.database = fresh }
    }

    private func transact(_ batch: [Job], on database: any Database, answered: AnsweredOnce) async {
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
            guard answered.claim() else { return }
            for (job, outcome) in zip(batch, outcomes) { job.done(outcome) }
        } catch {
            guard answered.claim() else { return }
            for job in batch { job.done(error) }
        }
    }
}

/// True for the first caller of `claim()` only, from any thread.
private final class AnsweredOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
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
    case notSQL, missingHead, writeProducedNoResult, stalled

    public var description: String {
        switch self {
        case .stalled: "The database did not answer in time, so the request was not confirmed. Send it again in a moment; a capture sent with the same Idempotency-Key is recorded once."
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
