import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Tokens for API clients and the `me` endpoint.
struct AuthController {
    struct TokenRequest: Content {
        var username: String?
        var password: String?
    }

    struct TokenResponse: Content {
        var token: String
        var expiresAt: String
        var roles: [String]
    }

    struct AgencySummary: Content {
        var id: String
        var name: String
        var type: String
        var region: String
    }

    struct MeResponse: Content {
        var username: String
        var displayName: String
        var roles: [String]
        var agency: AgencySummary
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "auth", "token", access: .anyone, use: token)
        api.endpoint(.POST, "auth", "logout", access: .allowed(.delete, .ownAccount), use: logout)
        api.endpoint(.GET, "me", access: .allowed(.read, .ownAccount), use: me)
    }

    @Sendable func token(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(TokenRequest.self)
        var errors = FieldErrors()
        let username = body.username?.trimmingCharacters(in: .whitespaces) ?? ""
        let password = body.password ?? ""
        if username.isEmpty { errors.add("username", "The username is required.") }
        else if username.count > 100 { errors.add("username", "A username has at most 100 characters.") }
        if password.isEmpty { errors.add("password", "The password is required.") }
        else if password.count > 200 { errors.add("password", "A password has at most 200 characters.") }
        try errors.throwIfAny()

        let issued = try await SignIn(request: req)(username: username, password: password, kind: .api)
        let response = TokenResponse(
            token: issued.secret,
            expiresAt: issued.token.expiresAt.formatted(.iso8601),
            roles: issued.principal.roles.sorted().map(\.rawValue)
        )
        return try await response.encodeResponse(status: .ok, for: req)
    }

    @Sendable func logout(_ req: Request) async throws -> HTTPStatus {
        guard let session = req.session else { throw APIError.unauthenticated("Sign in first.") }
        try await req.diversion.accounts.revoke(session.token, now: req.now, on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.logout, "session", id: session.token.id.uuidString.lowercased())])
        return .noContent
    }

    @Sendable func me(_ req: Request) async throws -> MeResponse {
        let principal = try req.requirePrincipal()
        guard let agency = try await AgencyModel.find(principal.agencyID, on: req.db) else {
            throw APIError.notFound("Your agency no longer exists; ask an administrator.")
        }
        return MeResponse(
            username: principal.username,
            displayName: principal.displayName,
            roles: principal.roles.sorted().map(\.rawValue),
            agency: AgencySummary(id: principal.agencyID.uuidString.lowercased(), name: agency.name, type: agency.type, region: agency.region)
        )
    }
}
