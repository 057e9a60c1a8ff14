import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Who may call a route. Every route declares one; there is no default.
enum Access: Sendable, CustomStringConvertible {
    /// No sign-in needed (login, health, documents).
    case anyone
    /// A signed-in user whom the access policy allows this.
    case allowed(Action, Resource)
    /// A person signed in with their own access code; the route shows only that person's own records.
    case participant

    var description: String {
        switch self {
        case .anyone: "anyone"
        case .allowed(let a, let r): "\(a.rawValue) \(r.rawValue)"
        case .participant: "participant (own records)"
        }
    }
}

/// The signed-in user of a request and how they signed in.
struct Session: Sendable {
    let principal: Principal
    let token: SessionToken
}

extension Request {
    private struct SessionKey: StorageKey {
        typealias Value = Session
    }

    var session: Session? {
        get { storage[SessionKey.self] }
        set { storage[SessionKey.self] = newValue }
    }

    /// The signed-in user, or 401.
    func requirePrincipal() throws -> Principal {
        guard let session else {
            throw APIError.unauthenticated("Sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/token.")
        }
        return session.principal
    }

    /// Applies a route's declared access, asking the one access policy.
    func enforce(_ access: Access) throws {
        switch access {
        case .anyone:
            return
        case .allowed(let action, let resource):
            let principal = try requirePrincipal()
            if case .deny(let reason) = diversion.policy.decide(principal, action, resource) {
                throw APIError.forbidden(reason)
            }
        case .participant:
            // A staff session does not open a participant's pages: only the person's own code does.
            guard participant != nil else {
                throw APIError.unauthenticated("Sign in with your personal code first.")
            }
        }
    }
}

/// The key under which a route records its declared access, so tests can check every route has one.
enum RouteAccessKey {
    static let name = "access"
}

extension RoutesBuilder {
    /// Registers a route whose handler runs only after `access` is enforced.
    @discardableResult
    func endpoint<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: PathComponent..., access: Access,
        body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        let route = self.on(method, path, body: body) { request async throws -> Response in
            try request.enforce(access)
            return try await handler(request)
        }
        route.userInfo[RouteAccessKey.name] = access
        return route
    }
}
