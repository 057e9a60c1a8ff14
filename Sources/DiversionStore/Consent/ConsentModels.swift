import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A consent grant; revocation sets `revoked_at`, nothing else ever changes.
final class ConsentGrantModel: Model, @unchecked Sendable {
    static let schema = "consent_grants"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "disclosing_agency_id") var disclosingAgencyID: UUID
    @OptionalField(key: "recipient_agency_id") var recipientAgencyID: UUID?
    @OptionalField(key: "recipient_agency_type") var recipientAgencyType: String?
    @Field(key: "categories") var categories: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    @Field(key: "method") var method: String
    @OptionalField(key: "irrevocable_measure_id") var irrevocableMeasureID: UUID?
    @Field(key: "recorded_by_name") var recordedByName: String
    @Field(key: "recorded_at") var recordedAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "revoked_by_name") var revokedByName: String?

    init() {}
}

/// A court order authorising disclosure.
final class CourtOrderModel: Model, @unchecked Sendable {
    static let schema = "court_orders"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "categories") var categories: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    @Field(key: "reference") var reference: String
    @Field(key: "ordered_by_name") var orderedByName: String
    @Field(key: "court_agency_id") var courtAgencyID: UUID
    @Field(key: "ordered_at") var orderedAt: Date

    init() {}
}

/// An administrator's emergency access.
final class BreakGlassModel: Model, @unchecked Sendable {
    static let schema = "break_glass_access"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "user_name") var userName: String
    @Field(key: "reason") var reason: String
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// One disclosure of health data to a reader outside the holder, for the person's accounting of disclosures.
final class DisclosureModel: Model, @unchecked Sendable {
    static let schema = "disclosures"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "recipient_user_id") var recipientUserID: UUID
    @Field(key: "recipient_name") var recipientName: String
    @Field(key: "recipient_agency_id") var recipientAgencyID: UUID
    @OptionalField(key: "holder_agency_id") var holderAgencyID: UUID?
    @Field(key: "categories") var categories: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "basis") var basis: String
    @OptionalField(key: "basis_id") var basisID: UUID?
    @Field(key: "what") var what: String
    @Field(key: "disclosed_at") var disclosedAt: Date

    init() {}
}

struct CreateConsent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentGrantModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("disclosing_agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("recipient_agency_id", .uuid)
            .field("recipient_agency_type", .string)
            .field("categories", .string, .required)
            .field("purpose", .string, .required)
            .field("valid_from", .datetime, .required)
            .field("valid_until", .datetime, .required)
            .field("method", .string, .required)
            .field("irrevocable_measure_id", .uuid)
            .field("recorded_by_name", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("revoked_by_name", .string)
            .create()
        try await SQLIndex.create("consent_grants_person_id", on: ConsentGrantModel.schema, columns: ["person_id"], in: database)
        try await database.schema(CourtOrderModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("categories", .string, .required)
            .field("purpose", .string, .required)
            .field("valid_from", .datetime, .required)
            .field("valid_until", .datetime, .required)
            .field("reference", .string, .required)
            .field("ordered_by_name", .string, .required)
            .field("court_agency_id", .uuid, .required)
            .field("ordered_at", .datetime, .required)
            .create()
        try await SQLIndex.create("court_orders_person_id", on: CourtOrderModel.schema, columns: ["person_id"], in: database)
        try await database.schema(BreakGlassModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("user_id", .uuid, .required)
            .field("user_name", .string, .required)
            .field("reason", .string, .required)
            .field("started_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()
        try await SQLIndex.create("break_glass_access_person_id", on: BreakGlassModel.schema, columns: ["person_id"], in: database)
        try await database.schema(DisclosureModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("recipient_user_id", .uuid, .required)
            .field("recipient_name", .string, .required)
            .field("recipient_agency_id", .uuid, .required)
            .field("holder_agency_id", .uuid)
            .field("categories", .string, .required)
            .field("purpose", .string, .required)
            .field("basis", .string, .required)
            .field("basis_id", .uuid)
            .field("what", .string, .required)
            .field("disclosed_at", .datetime, .required)
            .create()
        try await SQLIndex.create("disclosures_person_id", on: DisclosureModel.schema, columns: ["person_id", "disclosed_at"], in: database)
        try await SQLIndex.create("disclosures_holder_agency_id", on: DisclosureModel.schema, columns: ["holder_agency_id", "disclosed_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        for schema in [DisclosureModel.schema, BreakGlassModel.schema, CourtOrderModel.schema, ConsentGrantModel.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// A disclosure as accounted for: who received which categories of whose data, why, on what ground.
public struct DisclosureRecord: Sendable, Equatable {
    public var id: UUID
    public var personID: UUID
    public var recipientUserID: UUID
    public var recipientName: String
    public var recipientAgencyID: UUID
    /// The agency whose records were disclosed, which is told of disclosures under a court order or emergency access.
    public var holderAgencyID: UUID?
    public var categories: [DataCategory]
    public var purpose: DisclosurePurpose
    public var basis: DisclosureBasis
    /// What was shown, such as "GET /api/v1/measures/{id}/tests".
    public var what: String
    public var disclosedAt: Date

    public init(id: UUID, personID: UUID, recipientUserID: UUID, recipientName: String, recipientAgencyID: UUID, holderAgencyID: UUID? = nil,
                categories: [DataCategory], purpose: DisclosurePurpose, basis: DisclosureBasis, what: String, disclosedAt: Date) {
        self.id = id
        self.personID = personID
        self.recipientUserID = recipientUserID
        self.recipientName = recipientName
        self.recipientAgencyID = recipientAgencyID
        self.holderAgencyID = holderAgencyID
        self.categories = categories
        self.purpose = purpose
        self.basis = basis
        self.what = what
        self.disclosedAt = disclosedAt
    }
}

/// Stores consents, court orders, emergency access and the accounting of disclosures.
public struct ConsentStore: Sendable {
    public init() {}

    public func create(_ c: ConsentGrant, on db: any Database) async throws {
        let m = ConsentGrantModel()
        m.id = c.id
        m.personID = c.personID
        m.disclosingAgencyID = c.disclosingAgencyID
        switch c.recipient {
        case .agency(let id): m.recipientAgencyID = id
        case .agencyType(let type): m.recipientAgencyType = type.rawValue
        }
        m.categories = try JSONText.encode(c.categories.map(\.rawValue))
        m.purpose = c.purpose.rawValue
        m.validFrom = c.validFrom
        m.validUntil = c.validUntil
        m.method = c.method.rawValue
        m.irrevocableMeasureID = c.irrevocableWhileMeasure
        m.recordedByName = c.recordedByName
        m.recordedAt = c.recordedAt
        try await m.create(on: db)
    }

    public func consent(_ id: UUID, on db: any Database) async throws -> ConsentGrant? {
        try await ConsentGrantModel.find(id, on: db).flatMap(Self.consent)
    }

    public func consents(of personID: UUID, on db: any Database) async throws -> [ConsentGrant] {
        try await ConsentGrantModel.query(on: db).filter(\.$personID == personID).sort(\.$recordedAt).all().compactMap(Self.consent)
    }

    /// Revokes a consent not yet revoked; false when it already was.
    public func revoke(_ id: UUID, at now: Date, by name: String, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(ConsentGrantModel.schema)
            .set(SQLIdentifier("revoked_at"), to: SQLBind(now))
            .set(SQLIdentifier("revoked_by_name"), to: SQLBind(name))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("revoked_at"), .is, SQLLiteral.null)
            .returning(SQLColumn("id"))
            .all()
        return !rows.isEmpty
    }

    public func create(_ o: CourtOrder, on db: any Database) async throws {
        let m = CourtOrderModel()
        m.id = o.id
        m.personID = o.personID
        m.categories = try JSONText.encode(o.categories.map(\.rawValue))
        m.purpose = o.purpose.rawValue
        m.validFrom = o.validFrom
        m.validUntil = o.validUntil
        m.reference = o.reference
        m.orderedByName = o.orderedByName
        m.courtAgencyID = o.courtAgencyID
        m.orderedAt = o.orderedAt
        try await m.create(on: db)
    }

    public func orders(of personID: UUID, on db: any Database) async throws -> [CourtOrder] {
        try await CourtOrderModel.query(on: db).filter(\.$personID == personID).sort(\.$orderedAt).all().compactMap { m in
            guard let id = m.id, let purpose = DisclosurePurpose(rawValue: m.purpose) else { return nil }
            return CourtOrder(id: id, personID: m.personID, categories: Self.categories(m.categories), purpose: purpose, validFrom: m.validFrom,
                              validUntil: m.validUntil, reference: m.reference, orderedByName: m.orderedByName, courtAgencyID: m.courtAgencyID,
                              orderedAt: m.orderedAt)
        }
    }

    public func create(_ b: BreakGlassAccess, on db: any Database) async throws {
        let m = BreakGlassModel()
        m.id = b.id
        m.personID = b.personID
        m.userID = b.userID
        m.userName = b.userName
        m.reason = b.reason
        m.startedAt = b.startedAt
        m.expiresAt = b.expiresAt
        try await m.create(on: db)
    }

    public func breakGlass(of personID: UUID, on db: any Database) async throws -> [BreakGlassAccess] {
        try await BreakGlassModel.query(on: db).filter(\.$personID == personID).sort(\.$startedAt).all().compactMap { m in
            m.id.map { BreakGlassAccess(id: $0, personID: m.personID, userID: m.userID, userName: m.userName, reason: m.reason, startedAt: m.startedAt, expiresAt: m.expiresAt) }
        }
    }

    /// Every emergency access, newest first, for review.
    public func allBreakGlass(limit: Int = 500, on db: any Database) async throws -> [BreakGlassAccess] {
        try await BreakGlassModel.query(on: db).sort(\.$startedAt, .descending).limit(limit).all().compactMap { m in
            m.id.map { BreakGlassAccess(id: $0, personID: m.personID, userID: m.userID, userName: m.userName, reason: m.reason, startedAt: m.startedAt, expiresAt: m.expiresAt) }
        }
    }

    /// Everything on file that decides disclosure of one person's data.
    public func file(of personID: UUID, on db: any Database) async throws -> DisclosureFile {
        let active = try await MeasureModel.query(on: db).filter(\.$personID == personID).filter(\.$status == MeasureStatus.active.rawValue).all()
        return DisclosureFile(consents: try await consents(of: personID, on: db), orders: try await orders(of: personID, on: db),
                              breakGlass: try await breakGlass(of: personID, on: db), activeMeasures: Set(active.compactMap(\.id)))
    }

    public func record(_ d: DisclosureRecord, on db: any Database) async throws {
        let m = DisclosureModel()
        m.id = d.id
        m.personID = d.personID
        m.recipientUserID = d.recipientUserID
        m.recipientName = d.recipientName
        m.recipientAgencyID = d.recipientAgencyID
        m.holderAgencyID = d.holderAgencyID
        m.categories = try JSONText.encode(d.categories.map(\.rawValue))
        m.purpose = d.purpose.rawValue
        switch d.basis {
        case .consent(let id): m.basis = "consent"; m.basisID = id
        case .courtOrder(let id): m.basis = "court_order"; m.basisID = id
        case .breakGlass(let id): m.basis = "break_glass"; m.basisID = id
        case .ownRecord: m.basis = "own_record"
        case .justiceRecord: m.basis = "justice_record"
        }
        m.what = d.what
        m.disclosedAt = d.disclosedAt
        try await m.create(on: db)
    }

    public func disclosures(of personID: UUID, on db: any Database) async throws -> [DisclosureRecord] {
        try await DisclosureModel.query(on: db).filter(\.$personID == personID).sort(\.$disclosedAt).all().compactMap(Self.disclosure)
    }

    /// Disclosures of an agency's records made without the person's consent (court orders, emergency access), newest first:
    /// what the holding agency is told about.
    public func notifications(holder agencyID: UUID, limit: Int = 200, on db: any Database) async throws -> [DisclosureRecord] {
        try await DisclosureModel.query(on: db).filter(\.$holderAgencyID == agencyID).filter(\.$basis ~~ ["court_order", "break_glass"])
            .sort(\.$disclosedAt, .descending).limit(limit).all().compactMap(Self.disclosure)
    }

    static func disclosure(_ m: DisclosureModel) -> DisclosureRecord? {
        guard let id = m.id, let purpose = DisclosurePurpose(rawValue: m.purpose) else { return nil }
        let basis: DisclosureBasis = switch m.basis {
        case "consent": .consent(m.basisID ?? UUID())
        case "court_order": .courtOrder(m.basisID ?? UUID())
        case "break_glass": .breakGlass(m.basisID ?? UUID())
        case "own_record": .ownRecord
        default: .justiceRecord
        }
        return DisclosureRecord(id: id, personID: m.personID, recipientUserID: m.recipientUserID, recipientName: m.recipientName,
                                recipientAgencyID: m.recipientAgencyID, holderAgencyID: m.holderAgencyID, categories: Self.categories(m.categories),
                                purpose: purpose, basis: basis, what: m.what, disclosedAt: m.disclosedAt)
    }

    static func categories(_ text: String) -> [DataCategory] {
        ((try? JSONText.decode([String].self, text)) ?? []).compactMap(DataCategory.init(rawValue:))
    }

    static func consent(_ m: ConsentGrantModel) -> ConsentGrant? {
        guard let id = m.id, let purpose = DisclosurePurpose(rawValue: m.purpose), let method = ConsentMethod(rawValue: m.method) else { return nil }
        let recipient: ConsentRecipient
        if let agency = m.recipientAgencyID { recipient = .agency(agency) }
        else if let type = m.recipientAgencyType.flatMap(AgencyType.init(rawValue:)) { recipient = .agencyType(type) }
        else { return nil }
        return ConsentGrant(id: id, personID: m.personID, disclosingAgencyID: m.disclosingAgencyID, recipient: recipient,
                            categories: categories(m.categories), purpose: purpose, validFrom: m.validFrom, validUntil: m.validUntil, method: method,
                            irrevocableWhileMeasure: m.irrevocableMeasureID, recordedByName: m.recordedByName, recordedAt: m.recordedAt,
                            revokedAt: m.revokedAt, revokedByName: m.revokedByName)
    }
}
