import Crypto
import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A person signed in to their own participant pages with their access code.
///
/// The session is a signed cookie, not a staff token: it names the person and the issue of the code it was opened
/// with, and expires after `lifetime`. A new code (rotation) ends every session opened with the old one, because the
/// issue no longer matches; signing out clears the cookie.
struct ParticipantSession: Sendable, Equatable {
    static let cookieName = "diversion_participant"
    static let lifetime: TimeInterval = 20 * 60

    let personID: UUID
    let codeID: UUID
    let expiresAt: Date
    /// The token the participant's forms carry, derived from the cookie so no state is kept.
    let csrf: String
}

/// Signs and checks participant session cookies with a key derived from the seed key, kept outside the database,
/// so every instance of the app accepts the same cookies and a copy of the database cannot forge one.
struct ParticipantSessionSigner: Sendable {
    private let key: SymmetricKey

    init(key: Data) {
        self.key = SymmetricKey(data: key)
    }

    /// The cookie value for a new session: `payload.signature`, both base64url.
    func cookie(personID: UUID, codeID: UUID, expiresAt: Date) -> String {
        let nonce = AccountStore.newSecret().prefix(16)
        let payload = "v1|\(personID.uuidString.lowercased())|\(codeID.uuidString.lowercased())|\(Int(expiresAt.timeIntervalSince1970))|\(nonce)"
        return Self.base64url(Data(payload.utf8)) + "." + Self.base64url(mac("session|" + payload))
    }

    /// The session a cookie carries, when its signature holds and it has not expired; the code issue is checked by the caller.
    func session(from cookie: String, now: Date) -> ParticipantSession? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard cookie.count < 512, parts.count == 2, let payloadData = Self.unbase64url(String(parts[0])),
              let sent = Self.unbase64url(String(parts[1])), let payload = String(data: payloadData, encoding: .utf8)
        else { return nil }
        guard HMAC<SHA256>.isValidAuthenticationCode(sent, authenticating: Data(("session|" + payload).utf8), using: key) else { return nil }
        let fields = payload.split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "v1", let person = UUID(uuidString: String(fields[1])), let code = UUID(uuidString: String(fields[2])),
              let seconds = TimeInterval(String(fields[3]))
        else { return nil }
        let expires = Date(timeIntervalSince1970: seconds)
        guard expires > now else { return nil }
        let csrf = Self.base64url(mac("csrf|" + payload))
        return ParticipantSession(personID: person, codeID: code, expiresAt: expires, csrf: csrf)
    }

    private func mac(_ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// What the participant pages need beyond the app's services: the cookie signer and the sign-in throttle.
struct ParticipantServices: Sendable {
    let signer: ParticipantSessionSigner
    /// Unknown codes per address, counted apart from the call-in but with the same limit.
    let throttle: CallInThrottle

    init(_ config: AppConfiguration, vault: SeedVault) {
        signer = ParticipantSessionSigner(key: vault.derivedKey("diversion/participant-session/v1"))
        throttle = CallInThrottle(maxFailures: config.callInAttempts)
    }
}

extension Application {
    private struct ParticipantServicesKey: StorageKey {
        typealias Value = ParticipantServices
    }

    var participants: ParticipantServices {
        get {
            guard let services = storage[ParticipantServicesKey.self] else {
                fatalError("configure(_:_:) sets the participant services before any route runs")
            }
            return services
        }
        set { storage[ParticipantServicesKey.self] = newValue }
    }
}

extension Request {
    private struct ParticipantKey: StorageKey {
        typealias Value = ParticipantSession
    }

    /// The participant signed in on this request, if any (never set for staff).
    var participant: ParticipantSession? {
        get { storage[ParticipantKey.self] }
        set { storage[ParticipantKey.self] = newValue }
    }

    /// The signed-in participant, or 401.
    func requireParticipant() throws -> ParticipantSession {
        guard let participant else { throw APIError.unauthenticated("Sign in with your personal code first.") }
        return participant
    }
}

/// Reads the participant cookie on the participant pages; a cookie whose code was replaced opens nothing.
struct ParticipantAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let value = request.cookies[ParticipantSession.cookieName]?.string,
           let session = request.application.participants.signer.session(from: value, now: request.now),
           let current = try await ParticipantCodeStore().current(personID: session.personID, on: request.db),
           current.id == session.codeID {
            request.participant = session
        }
        return try await next.respond(to: request)
    }
}
