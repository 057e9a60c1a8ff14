import DiversionCore
import FluentKit
import Foundation

/// A recorded contact between an officer and a person, with its stored evaluation and decision.
public final class ContactModel: Model, @unchecked Sendable {
    public static let schema = "contacts"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "person_id") public var person: PersonModel
    @Field(key: "occurred_at") public var occurredAt: Date
    @Field(key: "region") public var region: String
    @OptionalField(key: "latitude") public var latitude: Double?
    @OptionalField(key: "longitude") public var longitude: Double?
    /// Offence categories, seizures and circumstances as submitted (JSON).
    @Field(key: "offences") public var offences: String
    @Field(key: "seizures") public var seizures: String
    @Field(key: "circumstances") public var circumstances: String
    @Field(key: "officer_user_id") public var officerUserID: UUID
    @Field(key: "officer_name") public var officerName: String
    @Parent(key: "agency_id") public var agency: AgencyModel
    @Parent(key: "policy_version_id") public var policyVersion: PolicyVersionModel
    /// The evaluation as answered when the contact was recorded (JSON), kept with the policy version it used.
    @Field(key: "evaluation") public var evaluation: String
    @Field(key: "eligible") public var eligible: Bool
    @OptionalField(key: "decision") public var decision: String?
    @OptionalField(key: "decision_reason") public var decisionReason: String?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @Field(key: "created_at") public var createdAt: Date
    /// Set when the case the contact belongs to is sealed (see `UpdateCasesAndContactsAddSealing`).
    @OptionalField(key: "sealed_at") public var sealedAt: Date?
    @OptionalField(key: "sealed_reason") public var sealedReason: String?

    public init() {}
}

struct CreateContact: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ContactModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("occurred_at", .datetime, .required)
            .field("region", .string, .required)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("offences", .string, .required)
            .field("seizures", .string, .required)
            .field("circumstances", .string, .required)
            .field("officer_user_id", .uuid, .required)
            .field("officer_name", .string, .required)
            .field("agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("policy_version_id", .uuid, .required, .references(PolicyVersionModel.schema, .id))
            .field("evaluation", .string, .required)
            .field("eligible", .bool, .required)
            .field("decision", .string)
            .field("decision_reason", .string)
            .field("decided_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("contacts_person_occurred", on: ContactModel.schema, columns: ["person_id", "occurred_at"], in: database)
        try await SQLIndex.create("contacts_officer_created", on: ContactModel.schema, columns: ["officer_user_id", "created_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ContactModel.schema).delete()
    }
}
