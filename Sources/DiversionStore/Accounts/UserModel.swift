import DiversionCore
import FluentKit
import Foundation

/// A staff account: who signs in, with which roles, for which agency.
public final class UserModel: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "roles") public var rolesText: String
    @Parent(key: "agency_id") public var agency: AgencyModel
    @Field(key: "failed_logins") public var failedLogins: Int
    @OptionalField(key: "failure_window_start") public var failureWindowStart: Date?
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "disabled") public var disabled: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, username: String, displayName: String, passwordHash: String, roles: Set<Role>, agencyID: UUID) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.rolesText = Self.encode(roles)
        self.$agency.id = agencyID
        self.failedLogins = 0
        self.disabled = false
    }

    /// Roles are few and fixed, so they are kept as a sorted comma-separated list.
    public var roles: Set<Role> {
        get { Set(rolesText.split(separator: ",").compactMap { Role(rawValue: String($0)) }) }
        set { rolesText = Self.encode(newValue) }
    }

    static func encode(_ roles: Set<Role>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }

    public var loginFailures: LoginFailures {
        get { LoginFailures(count: failedLogins, windowStart: failureWindowStart, lockedUntil: lockedUntil) }
        set {
            failedLogins = newValue.count
            failureWindowStart = newValue.windowStart
            lockedUntil = newValue.lockedUntil
        }
    }
}

struct CreateUser: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(UserModel.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("roles", .string, .required)
            .field("agency_id", .uuid, .required, .references(AgencyModel.schema, .id))
            .field("failed_logins", .int, .required)
            .field("failure_window_start", .datetime)
            .field("locked_until", .datetime)
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UserModel.schema).delete()
    }
}
