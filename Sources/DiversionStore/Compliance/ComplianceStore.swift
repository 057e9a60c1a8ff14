import DiversionCore
import FluentKit
import Foundation

/// One compliance entry: its kind and day as columns for lists, the kind-specific fields as JSON.
public final class ComplianceEntryModel: Model, @unchecked Sendable {
    public static let schema = "compliance_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "kind") public var kind: String
    @Field(key: "date") public var date: String
    @Field(key: "payload") public var payload: String
    @Field(key: "recorded_by_name") public var recordedByName: String
    @OptionalField(key: "recorded_by_agency_id") public var recordedByAgencyID: UUID?
    @OptionalField(key: "recorded_by_agency_type") public var recordedByAgencyType: String?
    @Field(key: "recorded_at") public var recordedAt: Date

    public init() {}
}

struct CreateComplianceEntry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ComplianceEntryModel.schema)
            .id()
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("kind", .string, .required)
            .field("date", .string, .required)
            .field("payload", .string, .required)
            .field("recorded_by_name", .string, .required)
            .field("recorded_by_agency_id", .uuid)
            .field("recorded_by_agency_type", .string)
            .field("recorded_at", .datetime, .required)
            .create()
        try await SQLIndex.create("compliance_entries_measure_id", on: ComplianceEntryModel.schema, columns: ["measure_id", "date"], in: database)
        try await SQLIndex.create("compliance_entries_person_id", on: ComplianceEntryModel.schema, columns: ["person_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ComplianceEntryModel.schema).delete()
    }
}

/// Stores community service hours, payments, appointments and reports to an officer.
public struct ComplianceStore: Sendable {
    public init() {}

    public func insert(_ entry: ComplianceEntry, on db: any Database) async throws {
        let row = ComplianceEntryModel()
        row.id = entry.id
        row.measureID = entry.measureID
        row.personID = entry.personID
        row.kind = entry.kind.rawValue
        row.date = entry.date.description
        row.payload = String(decoding: try entry.detail.payload(), as: UTF8.self)
        row.recordedByName = entry.recordedByName
        row.recordedByAgencyID = entry.recordedByAgencyID
        row.recordedByAgencyType = entry.recordedByAgencyType?.rawValue
        row.recordedAt = entry.recordedAt
        try await row.create(on: db)
    }

    /// A measure's entries, oldest first.
    public func entries(measureID: UUID, on db: any Database) async throws -> [ComplianceEntry] {
        try await ComplianceEntryModel.query(on: db).filter(\.$measureID == measureID)
            .sort(\.$date).sort(\.$recordedAt).all().map(Self.entry)
    }

    /// The entries of many measures at once (for worklists), grouped by measure.
    public func entries(measureIDs: [UUID], on db: any Database) async throws -> [UUID: [ComplianceEntry]] {
        var found: [UUID: [ComplianceEntry]] = [:]
        // Batches keep the IN list well inside both databases' limits on bound parameters.
        for start in stride(from: 0, to: measureIDs.count, by: 500) {
            let batch = Array(measureIDs[start..<min(start + 500, measureIDs.count)])
            for row in try await ComplianceEntryModel.query(on: db).filter(\.$measureID ~~ batch).sort(\.$date).sort(\.$recordedAt).all() {
                found[row.measureID, default: []].append(try Self.entry(row))
            }
        }
        return found
    }

    static func entry(_ row: ComplianceEntryModel) throws -> ComplianceEntry {
        let kind = ComplianceKind(rawValue: row.kind) ?? .appointment
        return ComplianceEntry(
            id: row.id ?? UUID(), measureID: row.measureID, personID: row.personID,
            date: CalendarDate(row.date) ?? CalendarDate(row.recordedAt),
            detail: try ComplianceEntry.Detail(kind: kind, payload: Data(row.payload.utf8)),
            recordedByName: row.recordedByName, recordedByAgencyID: row.recordedByAgencyID,
            recordedByAgencyType: row.recordedByAgencyType.flatMap(AgencyType.init(rawValue:)), recordedAt: row.recordedAt
        )
    }
}
