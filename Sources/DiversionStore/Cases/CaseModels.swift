import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A justice case and the stage it has reached.
public final class JusticeCaseModel: Model, @unchecked Sendable {
    public static let schema = "justice_cases"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "person_id") public var person: PersonModel
    @Field(key: "stage") public var stage: String
    /// The contacts grouped in the case (JSON list of ids).
    @Field(key: "contact_ids") public var contactIDs: String
    @Parent(key: "agency_id") public var agency: AgencyModel
    @Field(key: "opened_at") public var openedAt: Date
    /// When the case is or will be sealed from police and prosecution, and why (see `UpdateCasesAndContactsAddSealing`).
    @OptionalField(key: "sealed_at") public var sealedAt: Date?
    @OptionalField(key: "sealed_reason") public var sealedReason: String?

    public init() {}
}

/// A decision on measures; rows are only ever inserted.
public final class CaseDecisionModel: Model, @unchecked Sendable {
    public static let schema = "case_decisions"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "case_id") public var justiceCase: JusticeCaseModel
    @Field(key: "stage") public var stage: String
    @Field(key: "authority") public var authority: String
    @Field(key: "measures") public var measures: String
    @Field(key: "proportionality") public var proportionality: String
    @OptionalField(key: "consent") public var consent: String?
    @Field(key: "decided_by_user_id") public var decidedByUserID: UUID
    @Field(key: "decided_by_name") public var decidedByName: String
    @Field(key: "agency_id") public var agencyID: UUID
    @Field(key: "decided_at") public var decidedAt: Date
    @OptionalField(key: "supersedes_id") public var supersedesID: UUID?

    public init() {}
}

struct CreateJusticeCase: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JusticeCaseModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("stage", .string, .required)
            .field("contact_ids", .string, .required)
            .field("agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("opened_at", .datetime, .required)
            .create()
        try await SQLIndex.create("justice_cases_person_id", on: JusticeCaseModel.schema, columns: ["person_id"], in: database)
        try await database.schema(CaseDecisionModel.schema)
            .id()
            .field("case_id", .uuid, .required, .references(JusticeCaseModel.schema, .id))
            .field("stage", .string, .required)
            .field("authority", .string, .required)
            .field("measures", .string, .required)
            .field("proportionality", .string, .required)
            .field("consent", .string)
            .field("decided_by_user_id", .uuid, .required)
            .field("decided_by_name", .string, .required)
            .field("agency_id", .uuid, .required)
            .field("decided_at", .datetime, .required)
            .field("supersedes_id", .uuid)
            .create()
        try await SQLIndex.create("case_decisions_case_id", on: CaseDecisionModel.schema, columns: ["case_id", "decided_at"], in: database)
        // A decision can be superseded once: a second replacement of the same decision is refused by the database.
        try await SQLIndex.create("case_decisions_supersedes_id", on: CaseDecisionModel.schema, columns: ["supersedes_id"], unique: true, in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseDecisionModel.schema).delete()
        try await database.schema(JusticeCaseModel.schema).delete()
    }
}

/// Stores cases and their decisions.
public struct CaseStore: Sendable {
    public init() {}

    public func create(_ c: JusticeCase, on db: any Database) async throws {
        try await Self.model(c).create(on: db)
    }

    /// The row of a case, for a single write or a batch.
    static func model(_ c: JusticeCase) throws -> JusticeCaseModel {
        let m = JusticeCaseModel()
        m.id = c.id
        m.$person.id = c.personID
        m.stage = c.stage.rawValue
        m.contactIDs = try JSONText.encode(c.contactIDs.map { $0.uuidString.lowercased() })
        m.$agency.id = c.agencyID
        m.openedAt = c.openedAt
        return m
    }

    public func find(_ id: UUID, on db: any Database) async throws -> JusticeCase? {
        try await JusticeCaseModel.find(id, on: db).map(Self.justiceCase)
    }

    public func forPerson(_ personID: UUID, on db: any Database) async throws -> [JusticeCase] {
        try await JusticeCaseModel.query(on: db).filter(\.$person.$id == personID).sort(\.$openedAt, .descending).all().map(Self.justiceCase)
    }

    /// Cases with no decision yet, oldest first: the docket of prosecutors and courts.
    public func awaitingDecision(limit: Int = 200, on db: any Database) async throws -> [JusticeCase] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let ids = try await sql.select().column("id").from(JusticeCaseModel.schema)
            .where(SQLRaw("NOT EXISTS (SELECT 1 FROM \(CaseDecisionModel.schema) d WHERE d.case_id = \(JusticeCaseModel.schema).id)"))
            .orderBy("opened_at").limit(limit).all(decoding: IDRow.self).map(\.id)
        guard !ids.isEmpty else { return [] }
        let found = try await JusticeCaseModel.query(on: db).filter(\.$id ~~ ids).all().map(Self.justiceCase)
        return found.sorted { $0.openedAt < $1.openedAt }
    }

    private struct IDRow: Decodable {
        var id: UUID
    }

    public func decisions(of caseID: UUID, on db: any Database) async throws -> [RecordedDecision] {
        try await CaseDecisionModel.query(on: db).filter(\.$justiceCase.$id == caseID).sort(\.$decidedAt).all().map(Self.decision)
    }

    /// Stores a decision and moves the case to its stage, provided the case is still at `expectedStage`
    /// (so two decisions at once cannot both move it); false when it moved meanwhile.
    /// The decision's measures are stored with it, and the measures of the decision it supersedes stop being active.
    public func record(_ d: RecordedDecision, measures: [MeasureRecord], expectedStage: Stage, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let moved = try await sql.update(JusticeCaseModel.schema)
            .set(SQLIdentifier("stage"), to: SQLBind(d.stage.rawValue))
            .where(SQLIdentifier("id"), .equal, SQLBind(d.caseID))
            .where(SQLIdentifier("stage"), .equal, SQLBind(expectedStage.rawValue))
            .returning(SQLColumn("id"))
            .all()
        guard !moved.isEmpty else { return false }
        try await Self.model(d).create(on: db)
        try await MeasureStore().insert(measures, superseding: d.supersedes, on: db)
        return true
    }

    /// The row of a decision, for a single write or a batch.
    static func model(_ d: RecordedDecision) throws -> CaseDecisionModel {
        let m = CaseDecisionModel()
        m.id = d.id
        m.$justiceCase.id = d.caseID
        m.stage = d.stage.rawValue
        m.authority = d.authority.rawValue
        m.measures = try JSONText.encode(d.measures)
        m.proportionality = try JSONText.encode(d.proportionality)
        m.consent = try d.consent.map { try JSONText.encode($0) }
        m.decidedByUserID = d.decidedByUserID
        m.decidedByName = d.decidedByName
        m.agencyID = d.agencyID
        m.decidedAt = d.decidedAt
        m.supersedesID = d.supersedes
        return m
    }

    static func justiceCase(_ m: JusticeCaseModel) throws -> JusticeCase {
        JusticeCase(
            id: m.id ?? UUID(), personID: m.$person.id, stage: Stage(rawValue: m.stage) ?? .preTrial,
            contactIDs: try JSONText.decode([String].self, m.contactIDs).compactMap(UUID.init(uuidString:)), agencyID: m.$agency.id,
            openedAt: m.openedAt
        )
    }

    static func decision(_ m: CaseDecisionModel) throws -> RecordedDecision {
        RecordedDecision(
            id: m.id ?? UUID(), caseID: m.$justiceCase.id, stage: Stage(rawValue: m.stage) ?? .preTrial,
            authority: Authority(rawValue: m.authority) ?? .court, measures: try JSONText.decode([OrderedMeasure].self, m.measures),
            proportionality: try JSONText.decode(Proportionality.self, m.proportionality),
            consent: try m.consent.map { try JSONText.decode(MeasureConsent.self, $0) }, decidedByUserID: m.decidedByUserID,
            decidedByName: m.decidedByName, agencyID: m.agencyID, decidedAt: m.decidedAt, supersedes: m.supersedesID
        )
    }
}
