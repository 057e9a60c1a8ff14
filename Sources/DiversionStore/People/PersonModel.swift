import DiversionCore
import FluentKit
import Foundation

/// The pseudonymous person record: what analytics may read. Names live in `PersonIdentityModel`.
public final class PersonModel: Model, @unchecked Sendable {
    public static let schema = "persons"

    @ID(key: .id) public var id: UUID?
    @Field(key: "birth_date") public var birthDate: String
    @Field(key: "sex") public var sex: String
    @OptionalField(key: "gender_identity") public var genderIdentity: String?
    @OptionalField(key: "nationality") public var nationality: String?
    @OptionalField(key: "preferred_language") public var preferredLanguage: String?
    @Field(key: "flags") public var flags: String
    @OptionalParent(key: "created_by_agency_id") public var createdByAgency: AgencyModel?
    @Field(key: "created_at") public var createdAt: Date
    /// Set when retention removed the person's identity; the row stays so references and audit entries still resolve.
    @OptionalField(key: "anonymised_at") public var anonymisedAt: Date?

    public init() {}
}

/// Identifying fields, kept apart so that statistics never touch them.
public final class PersonIdentityModel: Model, @unchecked Sendable {
    public static let schema = "person_identities"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "person_id") public var person: PersonModel
    @Field(key: "given_name") public var givenName: String
    @Field(key: "family_name") public var familyName: String
    /// Folded words of both names, each preceded by a space, so a word prefix is `LIKE '% word%'`.
    @Field(key: "name_key") public var nameKey: String
    @Field(key: "family_name_key") public var familyNameKey: String

    public init() {}
}

struct CreatePerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonModel.schema)
            .id()
            .field("birth_date", .string, .required)
            .field("sex", .string, .required)
            .field("gender_identity", .string)
            .field("nationality", .string)
            .field("preferred_language", .string)
            .field("flags", .string, .required)
            .field("created_by_agency_id", .uuid, .references(AgencyModel.schema, .id))
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("persons_birth_date", on: PersonModel.schema, columns: ["birth_date"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonModel.schema).delete()
    }
}

struct CreatePersonIdentity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonIdentityModel.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonModel.schema, .id))
            .field("given_name", .string, .required)
            .field("family_name", .string, .required)
            .field("name_key", .string, .required)
            .field("family_name_key", .string, .required)
            .unique(on: "person_id")
            .create()
        try await SQLIndex.create("person_identities_family_name_key", on: PersonIdentityModel.schema, columns: ["family_name_key"], in: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonIdentityModel.schema).delete()
    }
}
