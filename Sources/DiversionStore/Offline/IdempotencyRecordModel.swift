import FluentKit
import Foundation

/// The answer given to one write sent with an `Idempotency-Key`, kept so a retry gets the same answer and writes nothing.
public final class IdempotencyRecordModel: Model, @unchecked Sendable {
    public static let schema = "idempotency_records"

    @ID(key: .id) public var id: UUID?
    /// Keys are scoped to the user who sent them: two officers' devices may pick the same key.
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "key") public var key: String
    /// SHA-256 of the request's canonical body: the same key with another body is refused.
    @Field(key: "request_hash") public var requestHash: String
    @Field(key: "status") public var status: Int
    @Field(key: "response_body") public var responseBody: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

struct CreateIdempotencyRecords: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IdempotencyRecordModel.schema)
            .id()
            .field("user_id", .uuid, .required)
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("status", .int, .required)
            .field("response_body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IdempotencyRecordModel.schema).delete()
    }
}
