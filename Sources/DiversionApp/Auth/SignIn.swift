import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Checks a username and password, applies the lockout rule, audits the attempt and issues a token.
struct SignIn {
    let request: Request

    struct Issued {
        let secret: String
        let token: AccessTokenModel
        let user: UserModel
        let principal: Principal
    }

    func callAsFunction(username rawUsername: String, password: String, kind: AccessTokenModel.Kind) async throws -> Issued {
        let services = request.diversion
        let db = request.db
        let now = request.now
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        let user = try await services.accounts.user(username: username, on: db)

        guard let user, !user.disabled, let principal = services.accounts.principal(for: user) else {
            // Verify against a fixed hash anyway, so an unknown name takes as long as a wrong password.
            _ = try? await request.password.async.verify(password, created: DummyHash.value)
            try await audit(.loginFailed, username: username, user: nil)
            throw APIError.unauthenticated("The username or password is wrong.")
        }
        if let until = services.throttle.lockedUntil(user.loginFailures, now: now) {
            try await audit(.loginLocked, username: username, user: principal)
            throw APIError.accountLocked(until: until)
        }
        let matches = (try? await request.password.async.verify(password, created: user.passwordHash)) ?? false
        guard matches else {
            let failures = try await services.accounts.recordLoginFailure(
                userID: principal.userID, throttle: services.throttle, now: now, on: db
            )
            try await audit(.loginFailed, username: username, user: principal)
            if let until = services.throttle.lockedUntil(failures, now: now) {
                throw APIError.accountLocked(until: until)
            }
            throw APIError.unauthenticated("The username or password is wrong.")
        }
        if user.loginFailures != LoginFailures() {
            try await services.accounts.saveLoginFailures(services.throttle.recordingSuccess(user.loginFailures), for: user, on: db)
        }
        let lifetime = services.configuration.tokenLifetime
        let (secret, token) = try await services.accounts.issueToken(for: principal.userID, kind: kind, lifetime: lifetime, now: now, on: db)
        try await audit(.loginSucceeded, username: username, user: principal)
        return Issued(secret: secret, token: token, user: user, principal: principal)
    }

    private func audit(_ action: AuditAction, username: String, user: Principal?) async throws {
        let event = AuditEvent(
            occurredAt: request.now, userID: user?.userID, username: String(username.prefix(100)), agencyID: user?.agencyID,
            action: action, resourceType: "session", resourceID: nil, requestID: request.id
        )
        try await request.diversion.auditTrail.record([event])
    }
}

/// A Bcrypt hash of a random password, used to spend the same time on unknown usernames.
enum DummyHash {
    static let value: String = (try? Bcrypt.hash(UUID().uuidString, cost: 12)) ?? ""
}
