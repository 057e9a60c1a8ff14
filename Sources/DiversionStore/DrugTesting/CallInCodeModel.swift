import FluentKit
import Foundation

/// A person's call-in code, stored only as its SHA-256; one per person, a new one replaces the old.
public final class CallInCodeModel: Model, @unchecked Sendable {
    public static let schema = "call_in_codes"

    @ID(key: .id) public var id: UUID?
    @Field(key: "person_id") public var personID: UUID
    /// Lowercase hex SHA-256 of the normalised code.
    @Field(key: "code_hash") public var codeHash: String
    @Field(key: "issued_by_name") public var issuedByName: String
    @Field(key: "issued_at") public var issuedAt: Date

    public init() {}
}

struct CreateCallInCode: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CallInCodeModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("code_hash", .string, .required)
            .field("issued_by_name", .string, .required)
            .field("issued_at", .datetime, .required)
            .create()
        try await SQLIndex.create("call_in_codes_person_id", on: CallInCodeModel.schema, columns: ["person_id"], unique: true, in: database)
        try await SQLIndex.create("call_in_codes_code_hash", on: CallInCodeModel.schema, columns: ["code_hash"], unique: true, in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CallInCodeModel.schema).delete()
    }
}
