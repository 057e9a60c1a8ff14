import DiversionCore
import DiversionStore
import Vapor

/// Reads `Authorization: Bearer <token>` on API requests and attaches the signed-in user.
struct BearerAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            let services = request.diversion
            if let (token, principal) = try await services.accounts.validToken(
                secret: bearer.token, kind: .api, now: request.now, idleTimeout: nil, on: request.db
            ) {
                request.session = Session(principal: principal, token: token)
                request.logger[metadataKey: "user"] = .string(principal.username)
            }
        }
        return try await next.respond(to: request)
    }
}

/// Reads the session cookie on page requests; sessions end after the idle timeout.
struct SessionAuthenticator: AsyncMiddleware {
    static let cookieName = "diversion_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let secret = request.cookies[Self.cookieName]?.string {
            let services = request.diversion
            let now = request.now
            if let (token, principal) = try await services.accounts.validToken(
                secret: secret, kind: .web, now: now, idleTimeout: services.configuration.sessionIdleTimeout, on: request.db
            ) {
                try await services.accounts.touch(token, now: now, on: request.db)
                request.session = Session(principal: principal, token: token)
                request.logger[metadataKey: "user"] = .string(principal.username)
            }
        }
        return try await next.respond(to: request)
    }
}

/// Refuses any page form POST whose `csrf` field does not match the signed-in session's token.
/// The sign-in form, which has no session yet, checks its own double-submit cookie instead.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "csrf"
    let exempt: Set<String>

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .POST, !exempt.contains(request.url.path) {
            // Routes collect their bodies after the middleware runs; a form larger than the first
            // network read would otherwise look as if it had no token.
            if request.body.data == nil {
                _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
            }
            guard let expected = request.session?.token.csrfToken,
                  let sent = try? request.content.get(String.self, at: Self.field),
                  MaskedToken.matches(sent, expected)
            else { throw APIError.invalidCSRF }
        }
        return try await next.respond(to: request)
    }
}

/// A form token as written into a page: a fresh random pad followed by the token XOR the pad. Pages are sent
/// compressed, and a secret repeated byte for byte beside text echoed from the request (a search box) would let an
/// observer of compressed sizes guess it (BREACH); masked, the bytes differ on every response.
enum MaskedToken {
    static func mask(_ token: String) -> String {
        let secret = Array(token.utf8)
        let pad = (0..<secret.count).map { _ in UInt8.random(in: .min ... .max) }
        return Data(pad + zip(pad, secret).map { $0 ^ $1 }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `sent` is `token`, masked or as it is (API clients may send the token itself).
    static func matches(_ sent: String, _ token: String) -> Bool {
        if constantTimeEqual(sent, token) { return true }
        var base64 = sent.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return false }
        let bytes = [UInt8](data)
        guard bytes.count % 2 == 0, !bytes.isEmpty else { return false }
        let half = bytes.count / 2
        let unmasked = (0..<half).map { bytes[$0] ^ bytes[half + $0] }
        guard let text = String(bytes: unmasked, encoding: .utf8) else { return false }
        return constantTimeEqual(text, token)
    }
}

/// Compares secrets without an early exit, so timing reveals nothing about them.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}
