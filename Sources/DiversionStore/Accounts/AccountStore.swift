import Crypto
import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// A live token as the request needs it: which one, until when, and the session's form token.
public struct SessionToken: Sendable, Equatable {
    public let id: UUID
    public let expiresAt: Date
    public let lastUsedAt: Date
    public let csrfToken: String?
}

/// Agencies, users and their tokens.
public struct AccountStore: Sendable {
    public init() {}

    // MARK: Agencies

    public func createAgency(name: String, type: AgencyType, region: String, on db: any Database) async throws -> AgencyModel {
        let agency = AgencyModel(name: name, type: type, region: region)
        try await agency.create(on: db)
        return agency
    }

    public func agencies(on db: any Database) async throws -> [AgencyModel] {
        try await AgencyModel.query(on: db).sort(\.$region).sort(\.$name).all()
    }

    /// Finds an agency by its id or its exact name.
    public func agency(_ reference: String, on db: any Database) async throws -> AgencyModel? {
        if let id = UUID(uuidString: reference), let agency = try await AgencyModel.find(id, on: db) { return agency }
        return try await AgencyModel.query(on: db).filter(\.$name == reference).first()
    }

    // MARK: Users

    public func createUser(
        username: String, displayName: String, passwordHash: String, roles: Set<Role>, agencyID: UUID, on db: any Database
    ) async throws -> UserModel {
        let user = UserModel(username: username, displayName: displayName, passwordHash: passwordHash, roles: roles, agencyID: agencyID)
        try await user.create(on: db)
        return user
    }

    public func users(on db: any Database) async throws -> [UserModel] {
        try await UserModel.query(on: db).with(\.$agency).sort(\.$username).all()
    }

    public func user(username: String, on db: any Database) async throws -> UserModel? {
        try await UserModel.query(on: db).filter(\.$username == username.lowercased()).with(\.$agency).first()
    }

    public func principal(for user: UserModel) -> Principal? {
        guard let userID = user.id, let agency = user.$agency.value, let agencyID = agency.id, let type = agency.agencyType else { return nil }
        return Principal(
            userID: userID, username: user.username, displayName: user.displayName, roles: user.roles,
            agencyID: agencyID, agencyName: agency.name, agencyType: type, region: agency.region
        )
    }

    /// Counts one failed sign-in and returns the new record, locking the account when the throttle says so.
    /// The row's write lock is taken before it is read, so concurrent failures queue and all count.
    public func recordLoginFailure(userID: UUID, throttle: LoginThrottle, now: Date, on db: any Database) async throws -> LoginFailures {
        try await db.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { throw DatabaseUnavailable("not an SQL database") }
            try await sql.update(UserModel.schema)
                .set(SQLIdentifier("failed_logins"), to: SQLIdentifier("failed_logins"))
                .where(SQLIdentifier("id"), .equal, SQLBind(userID))
                .run()
            guard let user = try await UserModel.find(userID, on: tx) else { return LoginFailures() }
            let next = throttle.recordingFailure(user.loginFailures, now: now)
            try await saveLoginFailures(next, for: user, on: tx)
            return next
        }
    }

    /// Saves the sign-in failure record of a user.
    public func saveLoginFailures(_ failures: LoginFailures, for user: UserModel, on db: any Database) async throws {
        guard let id = user.id else { return }
        try await UserModel.query(on: db).filter(\.$id == id)
            .set(\.$failedLogins, to: failures.count)
            .set(\.$failureWindowStart, to: failures.windowStart)
            .set(\.$lockedUntil, to: failures.lockedUntil)
            .update()
    }

    // MARK: Tokens

    /// The hash under which a token secret is stored; the secret itself never is.
    public static func tokenHash(_ secret: String) -> String {
        HexDigest.sha256(Data(secret.utf8))
    }

    /// A new random secret of 32 bytes, URL-safe base64.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Issues a token and returns its secret, which is shown once.
    public func issueToken(
        for userID: UUID, kind: AccessTokenModel.Kind, lifetime: TimeInterval, now: Date, on db: any Database
    ) async throws -> (secret: String, token: AccessTokenModel) {
        let secret = Self.newSecret()
        let token = AccessTokenModel(
            userID: userID, tokenHash: Self.tokenHash(secret), kind: kind, createdAt: now,
            expiresAt: now.addingTimeInterval(lifetime), csrfToken: kind == .web ? Self.newSecret() : nil
        )
        try await token.create(on: db)
        return (secret, token)
    }

    /// The live token for `secret` and who holds it, or nil when unknown, revoked, expired, idle too long
    /// or held by a disabled account. One query, read without building models: it runs on every request.
    /// Every request reads its token with this, so its text is written once rather than built and quoted each time.
    static let tokenSQL = """
        SELECT t.id AS token_id, t.expires_at AS expires_at, t.last_used_at AS last_used_at, t.revoked_at AS revoked_at,
          t.csrf_token AS csrf_token, u.id AS user_id, u.username AS username, u.display_name AS display_name, u.roles AS roles,
          u.disabled AS disabled, a.id AS agency_id, a.name AS agency_name, a.type AS agency_type, a.region AS agency_region
        FROM "\(AccessTokenModel.schema)" t
        JOIN "\(UserModel.schema)" u ON t.user_id = u.id
        JOIN "\(AgencyModel.schema)" a ON u.agency_id = a.id
        WHERE t.token_hash =
        """

    public func validToken(
        secret: String, kind: AccessTokenModel.Kind, now: Date, idleTimeout: TimeInterval?, on db: any Database
    ) async throws -> (token: SessionToken, principal: Principal)? {
        guard !secret.isEmpty, secret.count <= 200, let sql = db as? any SQLDatabase else { return nil }
        guard let row = try await sql.raw("\(unsafeRaw: Self.tokenSQL) \(bind: Self.tokenHash(secret)) AND t.kind = \(bind: kind.rawValue) LIMIT 1").first()
        else { return nil }
        let token = SessionToken(
            id: try row.decode(column: "token_id", as: UUID.self),
            expiresAt: try row.decode(column: "expires_at", as: Date.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Date.self),
            csrfToken: try row.decode(column: "csrf_token", as: String?.self)
        )
        if try row.decode(column: "revoked_at", as: Date?.self) != nil || token.expiresAt <= now { return nil }
        if let idleTimeout, now.timeIntervalSince(token.lastUsedAt) > idleTimeout { return nil }
        if try row.decode(column: "disabled", as: Bool.self) { return nil }
        guard let type = AgencyType(rawValue: try row.decode(column: "agency_type", as: String.self)) else { return nil }
        let principal = Principal(
            userID: try row.decode(column: "user_id", as: UUID.self),
            username: try row.decode(column: "username", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            roles: Set(try row.decode(column: "roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) }),
            agencyID: try row.decode(column: "agency_id", as: UUID.self),
            agencyName: try row.decode(column: "agency_name", as: String.self),
            agencyType: type,
            region: try row.decode(column: "agency_region", as: String.self)
        )
        return (token, principal)
    }

    /// Marks a session used; skipped when it was marked recently, so reads do not all become writes.
    public func touch(_ token: SessionToken, now: Date, on db: any Database) async throws {
        guard now.timeIntervalSince(token.lastUsedAt) > 60 else { return }
        try await AccessTokenModel.query(on: db).filter(\.$id == token.id).set(\.$lastUsedAt, to: now).update()
    }

    public func revoke(_ token: SessionToken, now: Date, on db: any Database) async throws {
        try await AccessTokenModel.query(on: db).filter(\.$id == token.id).set(\.$revokedAt, to: now).update()
    }
}
