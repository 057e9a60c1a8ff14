import DiversionCore
import FluentKit
import Foundation

/// A service in the directory, run by an agency.
public final class ServiceModel: Model, @unchecked Sendable {
    public static let schema = "services"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "agency_id") public var agency: AgencyModel
    @Field(key: "name") public var name: String
    @Field(key: "organisation_type") public var organisationType: String
    /// Lists stored as JSON text so both databases read them the same way.
    @Field(key: "modalities") public var modalities: String
    @Field(key: "sexes") public var sexes: String
    @Field(key: "min_age") public var minAge: Int
    @Field(key: "max_age") public var maxAge: Int
    @Field(key: "languages") public var languages: String
    @Field(key: "serves_pregnant_women") public var servesPregnantWomen: Bool
    @Field(key: "serves_people_with_children") public var servesPeopleWithChildren: Bool
    @Field(key: "region") public var region: String
    @OptionalField(key: "latitude") public var latitude: Double?
    @OptionalField(key: "longitude") public var longitude: Double?
    @Field(key: "capacity") public var capacity: Int
    @Field(key: "load") public var load: Int
    @Field(key: "waitlist_days") public var waitlistDays: Int
    @Field(key: "accepts_justice_referrals") public var acceptsJusticeReferrals: Bool
    @OptionalField(key: "phone") public var phone: String?
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "address") public var address: String?
    @Field(key: "capacity_updated_at") public var capacityUpdatedAt: Date
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

struct CreateService: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ServiceModel.schema)
            .id()
            .field("agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("name", .string, .required)
            .field("organisation_type", .string, .required)
            .field("modalities", .string, .required)
            .field("sexes", .string, .required)
            .field("min_age", .int, .required)
            .field("max_age", .int, .required)
            .field("languages", .string, .required)
            .field("serves_pregnant_women", .bool, .required)
            .field("serves_people_with_children", .bool, .required)
            .field("region", .string, .required)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("capacity", .int, .required)
            .field("load", .int, .required)
            .field("waitlist_days", .int, .required)
            .field("accepts_justice_referrals", .bool, .required)
            .field("phone", .string)
            .field("email", .string)
            .field("address", .string)
            .field("capacity_updated_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("services_agency_id", on: ServiceModel.schema, columns: ["agency_id"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ServiceModel.schema).delete()
    }
}
