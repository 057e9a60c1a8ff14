import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Which referrals a worklist shows.
public enum ReferralWorklist: Sendable {
    /// Referrals sent by this agency.
    case sentBy(UUID)
    /// Referrals to services this agency runs.
    case receivedBy(UUID)
    case person(UUID)
}

/// Stores referrals and their events; a status changes only from the status it was read in.
public struct ReferralStore: Sendable {
    public init() {}

    public func create(_ r: ReferralRecord, on db: any Database) async throws {
        try await Self.model(r).create(on: db)
    }

    /// The row of a referral, for a single write or a batch.
    static func model(_ r: ReferralRecord) throws -> ReferralModel {
        let m = ReferralModel()
        m.id = r.id
        m.$person.id = r.personID
        m.$service.id = r.serviceID
        m.$contact.id = r.contactID
        m.referringAgencyID = r.referringAgencyID
        m.receivingAgencyID = r.receivingAgencyID
        m.referredByUserID = r.referredByUserID
        m.referredByName = r.referredByName
        m.reason = r.reason
        m.urgency = r.urgency.rawValue
        m.needs = try JSONText.encode(r.needs.map(\.rawValue))
        m.status = r.status.rawValue
        m.statusSince = r.statusSince
        m.scheduledFor = r.scheduledFor
        m.dueBy = r.dueBy
        m.createdAt = r.createdAt
        return m
    }

    public func find(_ id: UUID, on db: any Database) async throws -> ReferralRecord? {
        try await ReferralModel.find(id, on: db).map(Self.record)
    }

    /// Whether `agency` receives a referral of the person that it has not declined: the provider works with them.
    public func agencyWorksWith(_ personID: UUID, agency: UUID, on db: any Database) async throws -> Bool {
        try await ReferralModel.query(on: db)
            .filter(\.$person.$id == personID)
            .filter(\.$receivingAgencyID == agency)
            .filter(\.$status != ReferralStatus.declined.rawValue)
            .first() != nil
    }

    /// A worklist, open referrals first, most urgent due date first.
    public func list(_ worklist: ReferralWorklist, status: ReferralStatus? = nil, limit: Int = 200, on db: any Database) async throws -> [ReferralRecord] {
        var query = ReferralModel.query(on: db)
        switch worklist {
        case .sentBy(let agency): query = query.filter(\.$referringAgencyID == agency)
        case .receivedBy(let agency): query = query.filter(\.$receivingAgencyID == agency)
        case .person(let person): query = query.filter(\.$person.$id == person)
        }
        if let status { query = query.filter(\.$status == status.rawValue) }
        let rows = try await query.sort(\.$createdAt, .descending).limit(limit).all().map(Self.record)
        return rows.sorted { a, b in
            if a.status.isClosed != b.status.isClosed { return !a.status.isClosed }
            switch (a.dueBy, b.dueBy) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.createdAt > b.createdAt
            }
        }
    }

    public func events(of referralID: UUID, on db: any Database) async throws -> [ReferralEventRecord] {
        try await ReferralEventModel.query(on: db).filter(\.$referral.$id == referralID).sort(\.$occurredAt).all().map { m in
            ReferralEventRecord(
                id: m.id ?? UUID(), referralID: m.$referral.id, type: ReferralEventType(rawValue: m.type) ?? .received, reason: m.reason,
                note: m.note, scheduledFor: m.scheduledFor, recordedByUserID: m.recordedByUserID, recordedByName: m.recordedByName,
                agencyID: m.agencyID, occurredAt: m.occurredAt
            )
        }
    }

    /// Moves the referral from `expected` to the event's status and stores the event; false when the
    /// status changed meanwhile, so a concurrent event is never overwritten.
    public func record(
        _ event: ReferralEventRecord, expecting expected: ReferralStatus, dueBy: Date?, on db: any Database
    ) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let status = event.type.resultingStatus
        var update = sql.update(ReferralModel.schema)
            .set(SQLIdentifier("status"), to: SQLBind(status.rawValue))
            .set(SQLIdentifier("status_since"), to: SQLBind(event.occurredAt))
            .set(SQLIdentifier("due_by"), to: SQLBind(dueBy))
        if event.type == .intakeScheduled {
            update = update.set(SQLIdentifier("scheduled_for"), to: SQLBind(event.scheduledFor))
        }
        let rows = try await update
            .where(SQLIdentifier("id"), .equal, SQLBind(event.referralID))
            .where(SQLIdentifier("status"), .equal, SQLBind(expected.rawValue))
            .returning(SQLColumn("id"))
            .all()
        guard !rows.isEmpty else { return false }
        try await Self.model(event).create(on: db)
        return true
    }

    /// The row of a referral's event, for a single write or a batch.
    static func model(_ event: ReferralEventRecord) -> ReferralEventModel {
        let m = ReferralEventModel()
        m.id = event.id
        m.$referral.id = event.referralID
        m.type = event.type.rawValue
        m.reason = event.reason
        m.note = event.note
        m.scheduledFor = event.scheduledFor
        m.recordedByUserID = event.recordedByUserID
        m.recordedByName = event.recordedByName
        m.agencyID = event.agencyID
        m.occurredAt = event.occurredAt
        return m
    }

    static func record(_ m: ReferralModel) throws -> ReferralRecord {
        ReferralRecord(
            id: m.id ?? UUID(), personID: m.$person.id, serviceID: m.$service.id, contactID: m.$contact.id,
            referringAgencyID: m.referringAgencyID, receivingAgencyID: m.receivingAgencyID, referredByUserID: m.referredByUserID,
            referredByName: m.referredByName, reason: m.reason, urgency: ReferralUrgency(rawValue: m.urgency) ?? .routine,
            needs: try JSONText.decode([String].self, m.needs).compactMap(Modality.init(rawValue:)),
            status: ReferralStatus(rawValue: m.status) ?? .sent, statusSince: m.statusSince, scheduledFor: m.scheduledFor,
            dueBy: m.dueBy, createdAt: m.createdAt
        )
    }
}
