import DiversionCore
import FluentKit
import Foundation

/// A measure's random drug-testing plan: its condition, test days and the commitment fixed when it was drawn.
public final class DrugTestPlanModel: Model, @unchecked Sendable {
    public static let schema = "drug_test_plans"

    @ID(key: .id) public var id: UUID?
    @Field(key: "measure_id") public var measureID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "condition") public var condition: String
    @Field(key: "algorithm") public var algorithm: String
    @Field(key: "commitment") public var commitment: String
    @Field(key: "test_days") public var testDays: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

struct CreateDrugTestPlan: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DrugTestPlanModel.schema)
            .id()
            .field("measure_id", .uuid, .required, .references(MeasureModel.schema, .id))
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("condition", .string, .required)
            .field("algorithm", .string, .required)
            .field("commitment", .string, .required)
            .field("test_days", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        // One plan per measure: the testing-plan page and the missed-test sweep rely on it.
        try await SQLIndex.create("drug_test_plans_measure_id", on: DrugTestPlanModel.schema, columns: ["measure_id"], unique: true, in: database)
        try await SQLIndex.create("drug_test_plans_person_id", on: DrugTestPlanModel.schema, columns: ["person_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DrugTestPlanModel.schema).delete()
    }
}
