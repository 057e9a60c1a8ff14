import FluentKit
import Foundation

/// One version of the jurisdiction policy, kept as the exact document that was checked.
/// Versions are never deleted; exactly one is active at a time.
public final class PolicyVersionModel: Model, @unchecked Sendable {
    public static let schema = "policy_versions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "jurisdiction") public var jurisdiction: String
    @Field(key: "version") public var version: String
    @Field(key: "effective_date") public var effectiveDate: String
    @Field(key: "illustrative") public var illustrative: Bool
    @Field(key: "document") public var document: String
    @Field(key: "document_hash") public var documentHash: String
    @Field(key: "active") public var active: Bool
    @OptionalField(key: "activated_at") public var activatedAt: Date?
    @OptionalField(key: "activated_by") public var activatedBy: String?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

struct CreatePolicyVersion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PolicyVersionModel.schema)
            .id()
            .field("jurisdiction", .string, .required)
            .field("version", .string, .required)
            .field("effective_date", .string, .required)
            .field("illustrative", .bool, .required)
            .field("document", .string, .required)
            .field("document_hash", .string, .required)
            .field("active", .bool, .required)
            .field("activated_at", .datetime)
            .field("activated_by", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "jurisdiction", "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PolicyVersionModel.schema).delete()
    }
}
