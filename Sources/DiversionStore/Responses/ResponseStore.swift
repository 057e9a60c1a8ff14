import Crypto
import DiversionCore
import FluentKit
import Foundation

/// A graduated response as recorded: the chosen option is copied whole, its code and kind also kept as columns for counting.
public final class ResponseModel: Model, @unchecked Sendable {
    public static let schema = "responses"

    @ID(key: .id) public var id: UUID?
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "programme_id") public var programmeID: UUID
    @Field(key: "behaviour") public var behaviour: String
    @Field(key: "behaviour_at") public var behaviourAt: Date
    @Field(key: "phase") public var phase: Int
    @Field(key: "option_code") public var optionCode: String
    @Field(key: "option_kind") public var optionKind: String
    @Field(key: "option") public var option: String
    @Field(key: "was_suggested") public var wasSuggested: Bool
    @Field(key: "decided_by_user_id") public var decidedByUserID: UUID
    @Field(key: "decided_by_name") public var decidedByName: String
    @Field(key: "decided_at") public var decidedAt: Date
    @Field(key: "why") public var why: String

    public init() {}
}

struct CreateResponse: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ResponseModel.schema)
            .id()
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("programme_id", .uuid, .required)
            .field("behaviour", .string, .required)
            .field("behaviour_at", .datetime, .required)
            .field("phase", .int, .required)
            .field("option_code", .string, .required)
            .field("option_kind", .string, .required)
            .field("option", .string, .required)
            .field("was_suggested", .bool, .required)
            .field("decided_by_user_id", .uuid, .required)
            .field("decided_by_name", .string, .required)
            .field("decided_at", .datetime, .required)
            .field("why", .string, .required)
            .create()
        try await SQLIndex.create("responses_measure_id", on: ResponseModel.schema, columns: ["measure_id", "behaviour_at"], in: database)
        try await SQLIndex.create("responses_person_id", on: ResponseModel.schema, columns: ["person_id"], in: database)
        try await SQLIndex.create("responses_programme_id", on: ResponseModel.schema, columns: ["programme_id", "option_kind"], in: database)
        try await SQLIndex.create("responses_decided_at", on: ResponseModel.schema, columns: ["decided_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ResponseModel.schema).delete()
    }
}

/// Which programme a measure's responses count towards, for the programme's incentive-to-sanction ratio.
///
/// A measure belongs to the agency that holds its case (the prosecution office or court that supervises it).
/// Treatment-court measures form a programme of their own within that agency, since a treatment court's team
/// answers behaviour differently from general supervision: its id is derived from the agency and the measure type.
public enum ResponseProgramme {
    public static func id(caseAgencyID: UUID, measureType: MeasureType) -> UUID {
        guard measureType == .treatmentCourt else { return caseAgencyID }
        let digest = Array(SHA256.hash(data: Data("diversion-programme:\(caseAgencyID.uuidString.lowercased()):\(measureType.rawValue)".utf8)))
        var bytes = Array(digest.prefix(16))
        // Marked as a name-based (version 5 style) UUID so it never collides with a random (version 4) agency id.
        bytes[6] = (bytes[6] & 0x0f) | 0x50
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// Stores recorded graduated responses.
public struct ResponseStore: Sendable {
    public init() {}

    public func insert(_ r: RecordedResponse, on db: any Database) async throws {
        try await Self.model(r).create(on: db)
    }

    /// The row of a recorded response, for a single write or a batch.
    static func model(_ r: RecordedResponse) throws -> ResponseModel {
        let row = ResponseModel()
        row.id = r.id
        row.measureID = r.measureID
        row.personID = r.personID
        row.programmeID = r.programmeID
        row.behaviour = r.behaviour.rawValue
        row.behaviourAt = r.behaviourAt
        row.phase = r.phase
        row.optionCode = r.option.code
        row.optionKind = r.option.kind.rawValue
        row.option = try JSONText.encode(r.option)
        row.wasSuggested = r.wasSuggested
        row.decidedByUserID = r.decidedByUserID
        row.decidedByName = r.decidedByName
        row.decidedAt = r.decidedAt
        row.why = r.why
        return row
    }

    /// The responses given on one measure, in the order the behaviours occurred.
    public func responses(measureID: UUID, on db: any Database) async throws -> [RecordedResponse] {
        try await ResponseModel.query(on: db).filter(\.$measureID == measureID).sort(\.$behaviourAt).sort(\.$decidedAt).all().compactMap(Self.record)
    }

    /// Every response given to one person, on any measure.
    public func responses(personID: UUID, on db: any Database) async throws -> [RecordedResponse] {
        try await ResponseModel.query(on: db).filter(\.$personID == personID).sort(\.$behaviourAt).sort(\.$decidedAt).all().compactMap(Self.record)
    }

    /// Every response decided at or after `since`, oldest first (for indicators and exports).
    public func all(since: Date, on db: any Database) async throws -> [RecordedResponse] {
        try await ResponseModel.query(on: db).filter(\.$decidedAt >= since).sort(\.$decidedAt).all().compactMap(Self.record)
    }

    /// A programme's responses counted by kind, without loading them.
    public func ratio(programmeID: UUID, target: Double, on db: any Database) async throws -> ResponseRatio {
        func count(_ kind: ResponseKind) async throws -> Int {
            try await ResponseModel.query(on: db).filter(\.$programmeID == programmeID).filter(\.$optionKind == kind.rawValue).count()
        }
        return ResponseRatio(incentives: try await count(.incentive), sanctions: try await count(.sanction),
                             treatmentAdjustments: try await count(.treatmentAdjustment), target: target)
    }

    /// A row whose behaviour is no longer known is left out rather than guessed.
    static func record(_ row: ResponseModel) throws -> RecordedResponse? {
        guard let behaviour = Behaviour(rawValue: row.behaviour) else { return nil }
        return RecordedResponse(
            id: row.id ?? UUID(), measureID: row.measureID, personID: row.personID, programmeID: row.programmeID,
            behaviour: behaviour, behaviourAt: row.behaviourAt, phase: row.phase, option: try JSONText.decode(ResponseOption.self, row.option),
            wasSuggested: row.wasSuggested, decidedByUserID: row.decidedByUserID, decidedByName: row.decidedByName,
            decidedAt: row.decidedAt, why: row.why
        )
    }
}
