import DiversionCore
import FluentKit
import Foundation

/// A referral of a person to a service and its current status.
public final class ReferralModel: Model, @unchecked Sendable {
    public static let schema = "referrals"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "person_id") public var person: PersonModel
    @Parent(key: "service_id") public var service: ServiceModel
    @OptionalParent(key: "contact_id") public var contact: ContactModel?
    @Field(key: "referring_agency_id") public var referringAgencyID: UUID
    @Field(key: "receiving_agency_id") public var receivingAgencyID: UUID
    @Field(key: "referred_by_user_id") public var referredByUserID: UUID
    @Field(key: "referred_by_name") public var referredByName: String
    @Field(key: "reason") public var reason: String
    @Field(key: "urgency") public var urgency: String
    @Field(key: "needs") public var needs: String
    @Field(key: "status") public var status: String
    @Field(key: "status_since") public var statusSince: Date
    @OptionalField(key: "scheduled_for") public var scheduledFor: Date?
    @OptionalField(key: "due_by") public var dueBy: Date?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// One event in a referral's closed loop.
public final class ReferralEventModel: Model, @unchecked Sendable {
    public static let schema = "referral_events"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "referral_id") public var referral: ReferralModel
    @Field(key: "type") public var type: String
    @OptionalField(key: "reason") public var reason: String?
    @OptionalField(key: "note") public var note: String?
    @OptionalField(key: "scheduled_for") public var scheduledFor: Date?
    @Field(key: "recorded_by_user_id") public var recordedByUserID: UUID
    @Field(key: "recorded_by_name") public var recordedByName: String
    @Field(key: "agency_id") public var agencyID: UUID
    @Field(key: "occurred_at") public var occurredAt: Date

    public init() {}
}

struct CreateReferral: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ReferralModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("service_id", .uuid, .required, .references(ServiceModel.schema, .id))
            .field("contact_id", .uuid, .references(ContactModel.schema, .id))
            .field("referring_agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("receiving_agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("referred_by_user_id", .uuid, .required)
            .field("referred_by_name", .string, .required)
            .field("reason", .string, .required)
            .field("urgency", .string, .required)
            .field("needs", .string, .required)
            .field("status", .string, .required)
            .field("status_since", .datetime, .required)
            .field("scheduled_for", .datetime)
            .field("due_by", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("referrals_receiving_status", on: ReferralModel.schema, columns: ["receiving_agency_id", "status"], in: database)
        try await SQLIndex.create("referrals_referring_created", on: ReferralModel.schema, columns: ["referring_agency_id", "created_at"], in: database)
        try await SQLIndex.create("referrals_person_id", on: ReferralModel.schema, columns: ["person_id"], in: database)
        try await database.schema(ReferralEventModel.schema)
            .id()
            .field("referral_id", .uuid, .required, .references(ReferralModel.schema, .id))
            .field("type", .string, .required)
            .field("reason", .string)
            .field("note", .string)
            .field("scheduled_for", .datetime)
            .field("recorded_by_user_id", .uuid, .required)
            .field("recorded_by_name", .string, .required)
            .field("agency_id", .uuid, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        try await SQLIndex.create("referral_events_referral_id", on: ReferralEventModel.schema, columns: ["referral_id", "occurred_at"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ReferralEventModel.schema).delete()
        try await database.schema(ReferralModel.schema).delete()
    }
}
