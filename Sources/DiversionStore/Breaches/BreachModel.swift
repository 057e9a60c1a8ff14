import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A breach filed on a measure and, once decided, the court's decision.
public final class BreachModel: Model, @unchecked Sendable {
    public static let schema = "breaches"

    @ID(key: .id) public var id: UUID?
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "case_id") public var caseID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "description") public var description: String
    @Field(key: "behaviours") public var behaviours: String
    @Field(key: "filed_by_name") public var filedByName: String
    @Field(key: "filed_at") public var filedAt: Date
    /// "open" until decided, then the action taken.
    @Field(key: "status") public var status: String
    @OptionalField(key: "decision") public var decision: String?

    public init() {}
}

struct CreateBreach: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BreachModel.schema)
            .id()
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("case_id", .uuid, .required, .references(JusticeCaseModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("description", .string, .required)
            .field("behaviours", .string, .required)
            .field("filed_by_name", .string, .required)
            .field("filed_at", .datetime, .required)
            .field("status", .string, .required)
            .field("decision", .string)
            .create()
        try await SQLIndex.create("breaches_status_filed_at", on: BreachModel.schema, columns: ["status", "filed_at"], in: database)
        try await SQLIndex.create("breaches_measure_id", on: BreachModel.schema, columns: ["measure_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BreachModel.schema).delete()
    }
}

/// Stores breaches and the court's decisions on them.
public struct BreachStore: Sendable {
    public init() {}

    public func create(_ b: Breach, on db: any Database) async throws {
        let m = BreachModel()
        m.id = b.id
        m.measureID = b.measureID
        m.caseID = b.caseID
        m.personID = b.personID
        m.description = b.description
        m.behaviours = try JSONText.encode(b.behaviours.map(\.rawValue))
        m.filedByName = b.filedByName
        m.filedAt = b.filedAt
        m.status = "open"
        try await m.create(on: db)
    }

    public func find(_ id: UUID, on db: any Database) async throws -> Breach? {
        try await BreachModel.find(id, on: db).map(Self.breach)
    }

    /// Open breaches oldest first (the court's worklist), or decided ones newest first.
    public func list(open: Bool, limit: Int = 500, on db: any Database) async throws -> [Breach] {
        let query = BreachModel.query(on: db)
        if open {
            query.filter(\.$status == "open").sort(\.$filedAt, .ascending)
        } else {
            query.filter(\.$status != "open").sort(\.$filedAt, .descending)
        }
        return try await query.limit(limit).all().map(Self.breach)
    }

    public func forMeasure(_ measureID: UUID, on db: any Database) async throws -> [Breach] {
        try await BreachModel.query(on: db).filter(\.$measureID == measureID).sort(\.$filedAt).all().map(Self.breach)
    }

    public func forPerson(_ personID: UUID, on db: any Database) async throws -> [Breach] {
        try await BreachModel.query(on: db).filter(\.$personID == personID).sort(\.$filedAt).all().map(Self.breach)
    }

    /// Records the decision on an open breach; false when it was decided meanwhile.
    public func decide(_ id: UUID, _ decision: BreachDecision, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(BreachModel.schema)
            .set(SQLIdentifier("status"), to: SQLBind(decision.action.rawValue))
            .set(SQLIdentifier("decision"), to: SQLBind(try JSONText.encode(decision)))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("status"), .equal, SQLBind("open"))
            .returning(SQLColumn("id"))
            .all()
        return !rows.isEmpty
    }

    static func breach(_ m: BreachModel) throws -> Breach {
        Breach(
            id: m.id ?? UUID(), measureID: m.measureID, caseID: m.caseID, personID: m.personID, description: m.description,
            behaviours: try JSONText.decode([String].self, m.behaviours).compactMap(Behaviour.init(rawValue:)), filedByName: m.filedByName,
            filedAt: m.filedAt, decision: try m.decision.map { try JSONText.decode(BreachDecision.self, $0) }
        )
    }
}
