import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// The details of a person that an officer may correct, with the revision they were read at.
public struct PersonDetailsChange: Sendable, Equatable {
    public var preferredLanguage: String?
    public var flags: [PersonFlag]

    public init(preferredLanguage: String?, flags: [PersonFlag]) {
        self.preferredLanguage = preferredLanguage
        self.flags = flags
    }
}

extension PersonStore {
    /// The person's current revision, or nil when no such person is on record.
    public func revision(of id: UUID, on db: any Database) async throws -> Int? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.select().column(SQLColumn("revision")).from(PersonModel.schema)
            .where(SQLColumn("id"), .equal, SQLBind(id)).first()?
            .decode(column: "revision", as: Int.self)
    }

    /// Changes the details only if the person is still at `base`; returns the new revision, or nil when
    /// someone changed them since (the caller answers with a conflict, never overwrites).
    public func update(_ id: UUID, _ change: PersonDetailsChange, base: Int, on db: any Database) async throws -> Int? {
        guard let sql = db as? any SQLDatabase else { return nil }
        // One conditional statement, so two writers at the same base cannot both succeed.
        let rows = try await sql.update(PersonModel.schema)
            .set(SQLIdentifier("preferred_language"), to: SQLBind(change.preferredLanguage))
            .set(SQLIdentifier("flags"), to: SQLBind(change.flags.map(\.rawValue).joined(separator: ",")))
            .set(SQLIdentifier("revision"), to: SQLBind(base + 1))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("revision"), .equal, SQLBind(base))
            .returning(SQLColumn("revision"))
            .all()
        return rows.isEmpty ? nil : base + 1
    }
}
