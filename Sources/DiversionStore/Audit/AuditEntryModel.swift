import DiversionCore
import FluentKit
import Foundation

/// One row of the append-only audit trail. No code path updates or deletes these rows.
public final class AuditEntryModel: Model, @unchecked Sendable {
    public static let schema = "audit_entries"

    @ID(custom: "seq", generatedBy: .user) public var id: Int64?
    /// Kept as the exact text that was hashed, so reading it back can never change the hash.
    @Field(key: "occurred_at") public var occurredAt: String
    @OptionalField(key: "user_id") public var userID: UUID?
    @OptionalField(key: "username") public var username: String?
    @OptionalField(key: "agency_id") public var agencyID: UUID?
    @Field(key: "action") public var action: String
    @Field(key: "resource_type") public var resourceType: String
    @OptionalField(key: "resource_id") public var resourceID: String?
    @OptionalField(key: "person_id") public var personID: UUID?
    @OptionalField(key: "purpose") public var purpose: String?
    @OptionalField(key: "request_id") public var requestID: String?
    @Field(key: "prev_hash") public var previousHash: String
    @Field(key: "hash") public var hash: String

    public init() {}

    /// The entry as stored. An unreadable time or action is kept as a value that cannot hash
    /// correctly, so verification reports the row instead of skipping it.
    var entry: AuditEntry {
        let event = AuditEvent(
            occurredAt: AuditTimestamp.parse(occurredAt) ?? .distantPast,
            userID: userID, username: username, agencyID: agencyID,
            action: AuditAction(rawValue: action) ?? .read,
            resourceType: action == (AuditAction(rawValue: action)?.rawValue ?? "") ? resourceType : "\u{0}" + resourceType,
            resourceID: resourceID, personID: personID, purpose: purpose, requestID: requestID
        )
        return AuditEntry(sequence: id ?? 0, event: event, previousHash: previousHash, hash: hash)
    }
}

/// The chain's head: the last sequence number and hash, updated in the same transaction as each append.
/// Appenders lock this row first, which serialises appends across every app instance, and
/// verification compares it with the last entry so that a removed tail is noticed.
public final class AuditChainHeadModel: Model, @unchecked Sendable {
    public static let schema = "audit_chain_head"

    @ID(custom: "id", generatedBy: .user) public var id: Int?
    @Field(key: "seq") public var sequence: Int64
    @Field(key: "hash") public var hash: String
    @Field(key: "appends") public var appends: Int64

    public init() {}
}

enum AuditTimestamp {
    static func parse(_ text: String) -> Date? {
        // yyyy-MM-ddTHH:mm:ss.SSSZ exactly, as AuditChain.timestamp writes it
        let chars = Array(text.utf8)
        guard chars.count == 24, chars[23] == UInt8(ascii: "Z"), chars[19] == UInt8(ascii: ".") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: chars[range], as: UTF8.self)) }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
              let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19), let ms = number(20..<23)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let whole = calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s)) else { return nil }
        return Date(timeIntervalSince1970: whole.timeIntervalSince1970 + Double(ms) / 1000)
    }
}

struct CreateAuditEntry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntryModel.schema)
            .field("seq", .int64, .identifier(auto: false))
            .field("occurred_at", .string, .required)
            .field("user_id", .uuid)
            .field("username", .string)
            .field("agency_id", .uuid)
            .field("action", .string, .required)
            .field("resource_type", .string, .required)
            .field("resource_id", .string)
            .field("person_id", .uuid)
            .field("purpose", .string)
            .field("request_id", .string)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
        try await SQLIndex.create("audit_entries_person_id", on: AuditEntryModel.schema, columns: ["person_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEntryModel.schema).delete()
    }
}

struct CreateAuditChainHead: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditChainHeadModel.schema)
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int64, .required)
            .field("hash", .string, .required)
            .field("appends", .int64, .required)
            .create()
        let head = AuditChainHeadModel()
        head.id = 1
        head.sequence = 0
        head.hash = AuditChain.genesisHash
        head.appends = 0
        try await head.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditChainHeadModel.schema).delete()
    }
}
