import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Whether a read includes sealed records; `SealedRecords` in the core says who sees them.
public enum SealedView: Sendable, Equatable {
    /// Sealed records are read like any other.
    case shown
    /// Records sealed at or before this instant are left out, as if they did not exist.
    case hidden(asOf: Date)
}

/// When and why a case was sealed.
public struct CaseSeal: Sendable, Equatable {
    public let sealedAt: Date
    public let reason: String
}

struct UpdateCasesAndContactsAddSealing: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for schema in [JusticeCaseModel.schema, ContactModel.schema] {
            try await database.schema(schema).field("sealed_at", .datetime).update()
            try await database.schema(schema).field("sealed_reason", .string).update()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [JusticeCaseModel.schema, ContactModel.schema] {
            try await database.schema(schema).deleteField("sealed_reason").update()
            try await database.schema(schema).deleteField("sealed_at").update()
        }
    }
}

extension CaseStore {
    /// One case, unless `view` hides it because it is sealed.
    public func find(_ id: UUID, _ view: SealedView, on db: any Database) async throws -> JusticeCase? {
        try await Self.visible(JusticeCaseModel.query(on: db).filter(\.$id == id), view).first().map(Self.justiceCase)
    }

    /// The person's cases, newest first, without those `view` hides.
    public func forPerson(_ personID: UUID, _ view: SealedView, on db: any Database) async throws -> [JusticeCase] {
        try await Self.visible(JusticeCaseModel.query(on: db).filter(\.$person.$id == personID), view)
            .sort(\.$openedAt, .descending).all().map(Self.justiceCase)
    }

    /// The seal of a case, or nil when it is not sealed (a seal that takes effect later counts as sealed here).
    public func seal(of id: UUID, on db: any Database) async throws -> CaseSeal? {
        guard let m = try await JusticeCaseModel.find(id, on: db), let at = m.sealedAt else { return nil }
        return CaseSeal(sealedAt: at, reason: m.sealedReason ?? "")
    }

    /// Seals a case and the contacts grouped in it from `at`; false when it was sealed already. Nothing is deleted.
    public func seal(_ id: UUID, at: Date, reason: String, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(JusticeCaseModel.schema)
            .set(SQLIdentifier("sealed_at"), to: SQLBind(at))
            .set(SQLIdentifier("sealed_reason"), to: SQLBind(reason))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("sealed_at"), .is, SQLLiteral.null)
            .returning(SQLColumn("contact_ids"))
            .all()
        guard let row = rows.first else { return false }
        let contacts = try JSONText.decode([String].self, try row.decode(column: "contact_ids", as: String.self)).compactMap(UUID.init(uuidString:))
        if !contacts.isEmpty {
            try await ContactModel.query(on: db).filter(\.$id ~~ contacts).filter(\.$sealedAt == nil)
                .set(\.$sealedAt, to: at).set(\.$sealedReason, to: reason).update()
        }
        return true
    }

    static func visible(_ query: QueryBuilder<JusticeCaseModel>, _ view: SealedView) -> QueryBuilder<JusticeCaseModel> {
        guard case .hidden(let now) = view else { return query }
        return query.group(.or) { $0.filter(\.$sealedAt == nil).filter(\.$sealedAt > now) }
    }
}

extension ContactStore {
    /// One contact, unless `view` hides it because its case is sealed.
    public func find(_ id: UUID, _ view: SealedView, on db: any Database) async throws -> ContactRecord? {
        try await Self.visible(ContactModel.query(on: db).filter(\.$id == id), view).first().map(Self.record)
    }

    /// The person's contacts, newest first, without those `view` hides.
    public func forPerson(_ personID: UUID, _ view: SealedView, limit: Int = 200, on db: any Database) async throws -> [ContactRecord] {
        try await Self.visible(ContactModel.query(on: db).filter(\.$person.$id == personID), view)
            .sort(\.$occurredAt, .descending).limit(limit).all().map(Self.record)
    }

    /// The contacts an officer recorded, newest first, without those `view` hides.
    public func recordedBy(_ userID: UUID, _ view: SealedView, limit: Int = 50, on db: any Database) async throws -> [ContactRecord] {
        try await Self.visible(ContactModel.query(on: db).filter(\.$officerUserID == userID), view)
            .sort(\.$createdAt, .descending).limit(limit).all().map(Self.record)
    }

    static func visible(_ query: QueryBuilder<ContactModel>, _ view: SealedView) -> QueryBuilder<ContactModel> {
        guard case .hidden(let now) = view else { return query }
        return query.group(.or) { $0.filter(\.$sealedAt == nil).filter(\.$sealedAt > now) }
    }
}

extension MeasureStore {
    /// One measure, unless `view` hides it because its case is sealed.
    public func find(_ id: UUID, _ view: SealedView, on db: any Database) async throws -> MeasureRecord? {
        guard let measure = try await find(id, on: db) else { return nil }
        guard case .hidden = view else { return measure }
        return try await CaseStore().find(measure.caseID, view, on: db) == nil ? nil : measure
    }

    /// The person's measures, without those of cases `view` hides.
    public func forPerson(_ personID: UUID, _ view: SealedView, on db: any Database) async throws -> [MeasureRecord] {
        let measures = try await forPerson(personID, on: db)
        guard case .hidden = view else { return measures }
        let shown = Set(try await CaseStore().forPerson(personID, view, on: db).map(\.id))
        return measures.filter { shown.contains($0.caseID) }
    }
}
