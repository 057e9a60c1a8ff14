import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A measure ordered by a decision, one row per measure so it can be supervised and ended.
public final class MeasureModel: Model, @unchecked Sendable {
    public static let schema = "measures"

    @ID(key: .id) public var id: UUID?
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "decision_id") public var decisionID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "type") public var type: String
    @Field(key: "conditions") public var conditions: String
    @Field(key: "start_date") public var startDate: String
    @OptionalField(key: "planned_end") public var plannedEnd: String?
    @Field(key: "status") public var status: String
    @Field(key: "phase") public var phase: Int
    @Field(key: "phase_since") public var phaseSince: String
    @OptionalField(key: "outcome") public var outcome: String?

    public init() {}
}

struct CreateMeasure: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MeasureModel.schema)
            .id()
            .field("case_id", .uuid, .required, .references(JusticeCaseModel.schema, .id))
            .field("decision_id", .uuid, .required, .references(CaseDecisionModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("type", .string, .required)
            .field("conditions", .string, .required)
            .field("start_date", .string, .required)
            .field("planned_end", .string)
            .field("status", .string, .required)
            .field("phase", .int, .required)
            .field("phase_since", .string, .required)
            .field("outcome", .string)
            .create()
        try await SQLIndex.create("measures_person_id", on: MeasureModel.schema, columns: ["person_id"], in: database)
        try await SQLIndex.create("measures_case_id", on: MeasureModel.schema, columns: ["case_id"], in: database)
        try await SQLIndex.create("measures_status", on: MeasureModel.schema, columns: ["status"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MeasureModel.schema).delete()
    }
}

/// Stores measures and their outcomes and phases.
public struct MeasureStore: Sendable {
    public init() {}

    public func find(_ id: UUID, on db: any Database) async throws -> MeasureRecord? {
        try await MeasureModel.find(id, on: db).map(Self.record)
    }

    public func forPerson(_ personID: UUID, on db: any Database) async throws -> [MeasureRecord] {
        try await MeasureModel.query(on: db).filter(\.$personID == personID).sort(\.$startDate, .descending).all().map(Self.record)
    }

    public func forCase(_ caseID: UUID, on db: any Database) async throws -> [MeasureRecord] {
        try await MeasureModel.query(on: db).filter(\.$caseID == caseID).sort(\.$startDate).all().map(Self.record)
    }

    /// Every measure still running, for the supervision worklists.
    public func active(limit: Int = 5000, on db: any Database) async throws -> [MeasureRecord] {
        try await MeasureModel.query(on: db).filter(\.$status == MeasureStatus.active.rawValue).sort(\.$startDate).limit(limit).all().map(Self.record)
    }

    /// Inserts the measures of a new decision and marks those of the decision it replaces as superseded.
    func insert(_ measures: [MeasureRecord], superseding replaced: UUID?, on db: any Database) async throws {
        if let replaced, let sql = db as? any SQLDatabase {
            try await sql.update(MeasureModel.schema)
                .set(SQLIdentifier("status"), to: SQLBind(MeasureStatus.superseded.rawValue))
                .where(SQLIdentifier("decision_id"), .equal, SQLBind(replaced))
                .where(SQLIdentifier("status"), .equal, SQLBind(MeasureStatus.active.rawValue))
                .run()
        }
        for m in measures { try await Self.model(m).create(on: db) }
    }

    /// The row of a measure, for a single write or a batch.
    static func model(_ m: MeasureRecord) throws -> MeasureModel {
        let row = MeasureModel()
        row.id = m.id
        row.caseID = m.caseID
        row.decisionID = m.decisionID
        row.personID = m.personID
        row.type = m.type.rawValue
        row.conditions = try JSONText.encode(m.conditions)
        row.startDate = m.start.description
        row.plannedEnd = m.plannedEnd?.description
        row.status = m.status.rawValue
        row.phase = m.phase
        row.phaseSince = m.phaseSince.description
        row.outcome = try m.outcome.map { try JSONText.encode($0) }
        return row
    }

    /// Ends an active measure with its outcome; false when it was no longer active (ended or superseded meanwhile).
    public func end(_ id: UUID, with outcome: RecordedOutcome, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(MeasureModel.schema)
            .set(SQLIdentifier("status"), to: SQLBind(outcome.outcome.status.rawValue))
            .set(SQLIdentifier("outcome"), to: SQLBind(try JSONText.encode(outcome)))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("status"), .equal, SQLBind(MeasureStatus.active.rawValue))
            .returning(SQLColumn("id"))
            .all()
        return !rows.isEmpty
    }

    /// Moves an active measure from `phase` to the next one; false when it moved or ended meanwhile.
    public func promote(_ id: UUID, from phase: Int, on day: CalendarDate, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(MeasureModel.schema)
            .set(SQLIdentifier("phase"), to: SQLBind(phase + 1))
            .set(SQLIdentifier("phase_since"), to: SQLBind(day.description))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("phase"), .equal, SQLBind(phase))
            .where(SQLIdentifier("status"), .equal, SQLBind(MeasureStatus.active.rawValue))
            .returning(SQLColumn("id"))
            .all()
        return !rows.isEmpty
    }

    static func record(_ m: MeasureModel) throws -> MeasureRecord {
        let start = CalendarDate(m.startDate) ?? CalendarDate(year: 1970, month: 1, day: 1)
        return MeasureRecord(
            id: m.id ?? UUID(), caseID: m.caseID, decisionID: m.decisionID, personID: m.personID,
            type: MeasureType(rawValue: m.type) ?? .treatmentOrder, conditions: try JSONText.decode([Condition].self, m.conditions),
            start: start, plannedEnd: m.plannedEnd.flatMap(CalendarDate.init), status: MeasureStatus(rawValue: m.status) ?? .active,
            phase: m.phase, phaseSince: CalendarDate(m.phaseSince) ?? start,
            outcome: try m.outcome.map { try JSONText.decode(RecordedOutcome.self, $0) }
        )
    }
}
