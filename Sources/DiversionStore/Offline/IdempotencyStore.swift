import FluentKit
import Foundation

/// A stored answer to a write sent with an idempotency key.
public struct StoredIdempotentResponse: Sendable, Equatable {
    public let requestHash: String
    public let status: Int
    public let body: String
    public let createdAt: Date
}

/// Remembers the answers to idempotent writes, per user and key.
public struct IdempotencyStore: Sendable {
    public init() {}

    public func find(user userID: UUID, key: String, on db: any Database) async throws -> StoredIdempotentResponse? {
        try await IdempotencyRecordModel.query(on: db)
            .filter(\.$userID == userID).filter(\.$key == key)
            .first()
            .map { StoredIdempotentResponse(requestHash: $0.requestHash, status: $0.status, body: $0.responseBody, createdAt: $0.createdAt) }
    }

    /// Saves the answer in the same transaction as the write it answers; the unique (user, key) index makes a
    /// concurrent second write with the same key fail and roll back instead of writing twice.
    public func save(user userID: UUID, key: String, requestHash: String, status: Int, body: String, at now: Date, on db: any Database) async throws {
        let model = IdempotencyRecordModel()
        model.id = UUID()
        model.userID = userID
        model.key = key
        model.requestHash = requestHash
        model.status = status
        model.responseBody = body
        model.createdAt = now
        try await model.create(on: db)
    }

    /// How many stored answers were given before `cutoff`.
    public func count(before cutoff: Date, on db: any Database) async throws -> Int {
        try await IdempotencyRecordModel.query(on: db).filter(\.$createdAt < cutoff).count()
    }

    /// Deletes the answers given before `cutoff`; returns how many went. A retry older than that records anew,
    /// so the period must outlast how long a device may keep a capture unsent.
    public func prune(before cutoff: Date, on db: any Database) async throws -> Int {
        let due = try await count(before: cutoff, on: db)
        try await IdempotencyRecordModel.query(on: db).filter(\.$createdAt < cutoff).delete()
        return due
    }
}
