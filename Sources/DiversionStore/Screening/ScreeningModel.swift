import DiversionCore
import FluentKit
import Foundation

/// A recorded screening: the instrument and version it was scored with, the answers and the result.
public final class ScreeningModel: Model, @unchecked Sendable {
    public static let schema = "screenings"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "person_id") public var person: PersonModel
    @Field(key: "instrument") public var instrument: String
    @Field(key: "version") public var version: String
    /// The answers as submitted (JSON), so the score can be checked again later.
    @Field(key: "answers") public var answers: String
    @Field(key: "score") public var score: Int
    @Field(key: "level") public var level: String
    @Field(key: "recommendation") public var recommendation: String
    /// Per-substance scores for ASSIST (JSON), absent for other instruments.
    @OptionalField(key: "substances") public var substances: String?
    @Field(key: "screened_by_user_id") public var screenedByUserID: UUID
    @Parent(key: "screened_by_agency_id") public var screenedByAgency: AgencyModel
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

struct CreateScreening: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ScreeningModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("instrument", .string, .required)
            .field("version", .string, .required)
            .field("answers", .string, .required)
            .field("score", .int, .required)
            .field("level", .string, .required)
            .field("recommendation", .string, .required)
            .field("substances", .string)
            .field("screened_by_user_id", .uuid, .required)
            .field("screened_by_agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("screenings_person_id", on: ScreeningModel.schema, columns: ["person_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ScreeningModel.schema).delete()
    }
}
