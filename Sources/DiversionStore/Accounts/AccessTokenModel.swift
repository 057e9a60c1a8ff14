import FluentKit
import Foundation

/// A bearer token or a web session; only the SHA-256 of the secret is stored.
public final class AccessTokenModel: Model, @unchecked Sendable {
    public static let schema = "access_tokens"

    /// API tokens are sent as `Authorization: Bearer`; web sessions ride in a cookie and expire when idle.
    public enum Kind: String, Sendable {
        case api, web
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: UserModel
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "kind") public var kind: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @Field(key: "last_used_at") public var lastUsedAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @OptionalField(key: "csrf_token") public var csrfToken: String?

    public init() {}

    public init(userID: UUID, tokenHash: String, kind: Kind, createdAt: Date, expiresAt: Date, csrfToken: String?) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.kind = kind.rawValue
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = createdAt
        self.csrfToken = csrfToken
    }
}

struct CreateAccessToken: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccessTokenModel.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("csrf_token", .string)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccessTokenModel.schema).delete()
    }
}
