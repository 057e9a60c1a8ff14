import DiversionCore
import FluentKit
import Foundation

/// An agency row: police force, court, treatment service…
public final class AgencyModel: Model, @unchecked Sendable {
    public static let schema = "agencies"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "type") public var type: String
    @Field(key: "region") public var region: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, name: String, type: AgencyType, region: String) {
        self.id = id
        self.name = name
        self.type = type.rawValue
        self.region = region
    }

    public var agencyType: AgencyType? { AgencyType(rawValue: type) }
}

struct CreateAgency: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AgencyModel.schema)
            .id()
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("region", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AgencyModel.schema).delete()
    }
}
