import FluentKit
import Foundation

/// The result of one test day of a plan, or of an unscheduled test; one per day.
public final class DrugTestResultModel: Model, @unchecked Sendable {
    public static let schema = "drug_test_results"

    @ID(key: .id) public var id: UUID?
    @Field(key: "plan_id") public var planID: UUID
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "test_day") public var testDay: String
    @Field(key: "specimen") public var specimen: String
    @OptionalField(key: "collected_at") public var collectedAt: Date?
    @Field(key: "outcome") public var outcome: String
    @OptionalField(key: "substances") public var substances: String?
    @OptionalField(key: "excuse_reason") public var excuseReason: String?
    @Field(key: "lab_confirmed") public var labConfirmed: Bool
    @OptionalField(key: "chain_of_custody") public var chainOfCustody: String?
    @Field(key: "outside_window") public var outsideWindow: Bool
    @Field(key: "recorded_by_name") public var recordedByName: String
    /// The agency that recorded the result: a health provider's result is health data, supervision's its own record.
    @OptionalField(key: "recorded_by_agency_id") public var recordedByAgencyID: UUID?
    @OptionalField(key: "recorded_by_agency_type") public var recordedByAgencyType: String?
    @Field(key: "recorded_at") public var recordedAt: Date

    public init() {}
}

struct CreateDrugTestResult: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DrugTestResultModel.schema)
            .id()
            .field("plan_id", .uuid, .required, .references(DrugTestPlanModel.schema, .id))
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("test_day", .string, .required)
            .field("specimen", .string, .required)
            .field("collected_at", .datetime)
            .field("outcome", .string, .required)
            .field("substances", .string)
            .field("excuse_reason", .string)
            .field("lab_confirmed", .bool, .required)
            .field("chain_of_custody", .string)
            .field("outside_window", .bool, .required)
            .field("recorded_by_name", .string, .required)
            .field("recorded_by_agency_id", .uuid)
            .field("recorded_by_agency_type", .string)
            .field("recorded_at", .datetime, .required)
            .create()
        // A day has one result, so a second one is a conflict and the missed-test sweep cannot record a day twice.
        try await SQLIndex.create("drug_test_results_plan_day", on: DrugTestResultModel.schema, columns: ["plan_id", "test_day"], unique: true, in: database)
        try await SQLIndex.create("drug_test_results_person_id", on: DrugTestResultModel.schema, columns: ["person_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DrugTestResultModel.schema).delete()
    }
}
