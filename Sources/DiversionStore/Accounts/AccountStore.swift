import Crypto
import DiversionCore
import FluentKit
import Foundation
import SQLKit

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
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
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

    /// The live token for `secret` with its user and agency, or nil when unknown, revoked, expired or idle too long.
    public func validToken(
        secret: String, kind: AccessTokenModel.Kind, now: Date, idleTimeout: TimeInterval?, on db: any Database
    ) async throws -> (token: AccessTokenModel, user: UserModel)? {
        guard !secret.isEmpty, secret.count <= 200 else { return nil }
        // One query for the token, its user and the user's agency: this runs on every request.
        guard let token = try await AccessTokenModel.query(on: db)
            .join(UserModel.self, on: \AccessTokenModel.$user.$id == \UserModel.$id)
            .join(AgencyModel.self, on: \UserModel.$agency.$id == \AgencyModel.$id)
            .filter(\.$tokenHash == Self.tokenHash(secret))
            .filter(\.$kind == kind.rawValue)
            .first()
        else { return nil }
        if token.revokedAt != nil || token.expiresAt <= now { return nil }
        if let idleTimeout, now.timeIntervalSince(token.lastUsedAt) > idleTimeout { return nil }
        let user = try token.joined(UserModel.self)
        user.$agency.value = try token.joined(AgencyModel.self)
        guard !user.disabled else { return nil }
        return (token, user)
    }

    /// Marks a session used; skipped when it was marked recently, so reads do not all become writes.
    public func touch(_ token: AccessTokenModel, now: Date, on db: any Database) async throws {
        guard let id = token.id, now.timeIntervalSince(token.lastUsedAt) > 60 else { return }
        try await AccessTokenModel.query(on: db).filter(\.$id == id).set(\.$lastUsedAt, to: now).update()
    }

    public func revoke(_ token: AccessTokenModel, now: Date, on db: any Database) async throws {
        guard let id = token.id else { return }
        try await AccessTokenModel.query(on: db).filter(\.$id == id).set(\.$revokedAt, to: now).update()
    }
}
