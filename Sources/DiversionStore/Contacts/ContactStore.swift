import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Stores contacts and reads a person's history back for the eligibility rules.
public struct ContactStore: Sendable {
    public init() {}

    public func create(_ record: ContactRecord, on db: any Database) async throws {
        try await Self.model(record).create(on: db)
    }

    /// The row of a contact, for a single write or a batch.
    static func model(_ record: ContactRecord) throws -> ContactModel {
        let model = ContactModel()
        model.id = record.id
        model.$person.id = record.personID
        model.occurredAt = record.occurredAt
        model.region = record.region
        model.latitude = record.latitude
        model.longitude = record.longitude
        model.offences = try JSONText.encode(record.offences)
        model.seizures = try JSONText.encode(record.seizures)
        model.circumstances = try JSONText.encode(record.circumstances)
        model.officerUserID = record.officerUserID
        model.officerName = record.officerName
        model.$agency.id = record.agencyID
        model.$policyVersion.id = record.policyVersionID
        model.evaluation = try JSONText.encode(record.evaluation)
        model.eligible = record.evaluation.eligible
        model.decision = record.decision?.rawValue
        model.decisionReason = record.decisionReason
        model.decidedAt = record.decidedAt
        model.createdAt = record.createdAt
        return model
    }

    public func find(_ id: UUID, on db: any Database) async throws -> ContactRecord? {
        try await ContactModel.find(id, on: db).map(Self.record)
    }

    /// The person's contacts, newest first.
    public func forPerson(_ personID: UUID, limit: Int = 200, on db: any Database) async throws -> [ContactRecord] {
        try await ContactModel.query(on: db).filter(\.$person.$id == personID)
            .sort(\.$occurredAt, .descending).limit(limit).all().map(Self.record)
    }

    /// The contacts an officer recorded, newest first.
    public func recordedBy(_ userID: UUID, limit: Int = 50, on db: any Database) async throws -> [ContactRecord] {
        try await ContactModel.query(on: db).filter(\.$officerUserID == userID)
            .sort(\.$createdAt, .descending).limit(limit).all().map(Self.record)
    }

    /// What the history rules need about the person's contacts before `instant`.
    public func history(of personID: UUID, before instant: Date, on db: any Database) async throws -> [PastContact] {
        try await ContactModel.query(on: db).filter(\.$person.$id == personID).filter(\.$occurredAt < instant)
            .sort(\.$occurredAt, .descending).limit(500).all().map { try Self.record($0).past }
    }

    /// Records the officer's decision once; false when one was already recorded (a concurrent request won).
    public func decide(_ id: UUID, decision: OfficerDecision, reason: String?, at now: Date, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        // Conditional on no decision yet, so two officers deciding at once cannot both win.
        let rows = try await sql.update(ContactModel.schema)
            .set(SQLIdentifier("decision"), to: SQLBind(decision.rawValue))
            .set(SQLIdentifier("decision_reason"), to: SQLBind(reason))
            .set(SQLIdentifier("decided_at"), to: SQLBind(now))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("decision"), .is, SQLLiteral.null)
            .returning(SQLColumn("id"))
            .all()
        return !rows.isEmpty
    }

    static func record(_ m: ContactModel) throws -> ContactRecord {
        ContactRecord(
            id: m.id ?? UUID(), personID: m.$person.id, occurredAt: m.occurredAt, region: m.region, latitude: m.latitude, longitude: m.longitude,
            offences: try JSONText.decode([String].self, m.offences), seizures: try JSONText.decode([SeizureRecord].self, m.seizures),
            circumstances: try JSONText.decode(ContactCircumstances.self, m.circumstances), officerUserID: m.officerUserID,
            officerName: m.officerName, agencyID: m.$agency.id, policyVersionID: m.$policyVersion.id,
            evaluation: try JSONText.decode(EligibilityAnswer.self, m.evaluation),
            decision: m.decision.flatMap(OfficerDecision.init(rawValue:)), decisionReason: m.decisionReason, decidedAt: m.decidedAt,
            createdAt: m.createdAt
        )
    }
}

/// JSON stored in a text column, with sorted keys so equal values store equal text.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
