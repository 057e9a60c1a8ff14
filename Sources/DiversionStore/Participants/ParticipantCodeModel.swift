import DiversionCore
import FluentKit
import Foundation

/// A person's access code to their participant pages, stored only as its SHA-256; one per person, a new one replaces the old.
public final class ParticipantCodeModel: Model, @unchecked Sendable {
    public static let schema = "participant_codes"

    @ID(key: .id) public var id: UUID?
    @Field(key: "person_id") public var personID: UUID
    /// Lowercase hex SHA-256 of the normalised code.
    @Field(key: "code_hash") public var codeHash: String
    @Field(key: "issued_by_name") public var issuedByName: String
    @Field(key: "issued_at") public var issuedAt: Date

    public init() {}
}

struct CreateParticipantCode: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ParticipantCodeModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("code_hash", .string, .required)
            .field("issued_by_name", .string, .required)
            .field("issued_at", .datetime, .required)
            .create()
        try await SQLIndex.create("participant_codes_person_id", on: ParticipantCodeModel.schema, columns: ["person_id"], unique: true, in: database)
        try await SQLIndex.create("participant_codes_code_hash", on: ParticipantCodeModel.schema, columns: ["code_hash"], unique: true, in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ParticipantCodeModel.schema).delete()
    }
}

/// The code a person holds: which issue of it (the row id changes with every new code) and when it was issued.
public struct IssuedParticipantCode: Sendable, Equatable {
    public let id: UUID
    public let personID: UUID
    public let issuedByName: String
    public let issuedAt: Date
}

/// Stores participant access codes by their hash.
public struct ParticipantCodeStore: Sendable {
    public init() {}

    /// The hash a code is stored and looked up by.
    public static func hash(_ code: String) -> String {
        HexDigest.sha256(Data("participant-code/v1:\(code)".utf8))
    }

    /// Gives the person a new code; the old one stops working in the same transaction.
    @discardableResult
    public func replace(personID: UUID, code: String, issuedByName: String, at issuedAt: Date, on db: any Database) async throws -> IssuedParticipantCode {
        try await ParticipantCodeModel.query(on: db).filter(\.$personID == personID).delete()
        let row = ParticipantCodeModel()
        let id = UUID()
        row.id = id
        row.personID = personID
        row.codeHash = Self.hash(code)
        row.issuedByName = issuedByName
        row.issuedAt = issuedAt
        try await row.create(on: db)
        return IssuedParticipantCode(id: id, personID: personID, issuedByName: issuedByName, issuedAt: issuedAt)
    }

    /// The issue this code belongs to, if any.
    public func find(code: String, on db: any Database) async throws -> IssuedParticipantCode? {
        try await ParticipantCodeModel.query(on: db).filter(\.$codeHash == Self.hash(code)).first().flatMap(Self.issued)
    }

    /// The code the person holds now, if any.
    public func current(personID: UUID, on db: any Database) async throws -> IssuedParticipantCode? {
        try await ParticipantCodeModel.query(on: db).filter(\.$personID == personID).first().flatMap(Self.issued)
    }

    static func issued(_ m: ParticipantCodeModel) -> IssuedParticipantCode? {
        guard let id = m.id else { return nil }
        return IssuedParticipantCode(id: id, personID: m.personID, issuedByName: m.issuedByName, issuedAt: m.issuedAt)
    }
}
