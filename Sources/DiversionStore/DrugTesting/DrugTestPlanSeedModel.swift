import FluentKit
import Foundation

/// A plan's seed, sealed with AES-GCM and kept in a table of its own, so reading plans never reads seeds.
public final class DrugTestPlanSeedModel: Model, @unchecked Sendable {
    public static let schema = "drug_test_plan_seeds"

    /// The plan's id.
    @ID(custom: "plan_id", generatedBy: .user) public var id: UUID?
    /// Base64 of nonce ‖ ciphertext ‖ tag.
    @Field(key: "sealed") public var sealed: String
    /// The fingerprint of the key it was sealed under.
    @Field(key: "key_id") public var keyID: String

    public init() {}
}

struct CreateDrugTestPlanSeed: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DrugTestPlanSeedModel.schema)
            .field("plan_id", .uuid, .identifier(auto: false), .references(DrugTestPlanModel.schema, .id))
            .field("sealed", .string, .required)
            .field("key_id", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DrugTestPlanSeedModel.schema).delete()
    }
}
