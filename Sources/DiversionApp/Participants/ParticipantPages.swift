import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The participant's own pages at `/me`: sign in with a personal code, see today and tomorrow, what is coming up,
/// the conditions with progress and who has seen one's data; and the staff page that issues or rotates the code.
struct ParticipantPages {
    static let signInCSRFCookie = "diversion_me_csrf"

    struct SignInForm: Decodable {
        var code: String?
        var csrf: String?
    }

    struct SignInPage: Encodable {
        var csrf: String
        var error: String?
        var notice: String?
    }

    struct SignOutForm: Decodable {
        var csrf: String?
    }

    struct CodePage: Encodable {
        var personId: String
        var person: String
        /// The slip's wording in the person's language.
        var p: [String: String]
        var slipLang: String
        var slipDir: String
        var code: String?
        var issued: String?
        var address: String
    }

    /// The participant's routes: sign-in is open; the page and sign-out need the participant's own session.
    /// They sit outside the staff pages, so neither a staff session nor the staff CSRF check applies to them.
    func register(_ routes: any RoutesBuilder) {
        let me = routes.grouped(ParticipantAuthenticator())
        me.endpoint(.GET, "me", "sign-in", access: .anyone, use: signInPage)
        me.endpoint(.POST, "me", "sign-in", access: .anyone, use: signIn)
        me.endpoint(.GET, "me", access: .participant, use: show)
        me.endpoint(.POST, "me", "sign-out", access: .participant, use: signOut)
    }

    /// The staff page that issues a person's code, among the signed-in pages.
    func registerStaff(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "people", ":id", "access-code", access: .allowed(.create, .participantCode), use: codePage)
        web.endpoint(.POST, "people", ":id", "access-code", access: .allowed(.create, .participantCode), use: issue)
    }

    // MARK: Sign-in

    @Sendable func signInPage(_ req: Request) async throws -> Response {
        if req.participant != nil { return req.redirect(to: "/me", redirectType: .normal) }
        let t = req.messages
        let notice: String? = switch req.query[String.self, at: "notice"] {
        case "signed_out": t["me_signed_out"]
        case "ended": t["me_session_ended"]
        default: nil
        }
        return try await renderSignIn(req, error: nil, notice: notice)
    }

    @Sendable func signIn(_ req: Request) async throws -> Response {
        let t = req.messages
        let form = (try? req.content.decode(SignInForm.self)) ?? SignInForm()
        guard let cookie = req.cookies[Self.signInCSRFCookie]?.string, let sent = form.csrf, constantTimeEqual(cookie, sent) else {
            return try await renderSignIn(req, error: t["me_form_expired"], status: .forbidden)
        }
        let address = req.remoteAddress?.ipAddress ?? "unknown"
        let throttle = req.application.participants.throttle
        let now = req.now
        if await throttle.lockedUntil(address, now: now) != nil {
            return try await renderSignIn(req, error: t["me_too_many"], status: .tooManyRequests)
        }
        guard let code = form.code.flatMap(ParticipantCode.normalized) else {
            return try await renderSignIn(req, error: t["me_bad_code"], status: .unprocessableEntity)
        }
        guard let issued = try await ParticipantCodeStore().find(code: code, on: req.db),
              let person = try await req.diversion.people.find(issued.personID, on: req.db)
        else {
            await throttle.recordFailure(address, now: now)
            try await req.diversion.auditTrail.record([Self.event(req, .loginFailed, person: nil)])
            let locked = await throttle.lockedUntil(address, now: now) != nil
            return try await renderSignIn(req, error: locked ? t["me_too_many"] : t["me_unknown"], status: locked ? .tooManyRequests : .unauthorized)
        }
        await throttle.recordSuccess(address)
        try await req.diversion.auditTrail.record([Self.event(req, .loginSucceeded, person: issued.personID)])
        let expires = now.addingTimeInterval(ParticipantSession.lifetime)
        let response = req.redirect(to: "/me", redirectType: .normal)
        response.cookies[ParticipantSession.cookieName] = HTTPCookies.Value(
            string: req.application.participants.signer.cookie(personID: issued.personID, codeID: issued.id, expiresAt: expires),
            expires: expires, maxAge: Int(ParticipantSession.lifetime), path: "/", isSecure: isSecure(req), isHTTPOnly: true, sameSite: .strict
        )
        // The page opens in the person's own language when the interface speaks it; the switcher still changes it.
        if let lang = Localizer.catalogue(for: person.details.preferredLanguage) {
            response.cookies["lang"] = HTTPCookies.Value(string: lang, maxAge: 365 * 24 * 3600, path: "/", isSecure: isSecure(req), isHTTPOnly: true, sameSite: .lax)
        }
        response.cookies[Self.signInCSRFCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/me", isHTTPOnly: true, sameSite: .strict)
        return response
    }

    @Sendable func signOut(_ req: Request) async throws -> Response {
        let session = try req.requireParticipant()
        let form = (try? req.content.decode(SignOutForm.self)) ?? SignOutForm()
        guard let sent = form.csrf, MaskedToken.matches(sent, session.csrf) else { throw APIError.invalidCSRF }
        try await req.diversion.auditTrail.record([Self.event(req, .logout, person: session.personID)])
        let response = req.redirect(to: "/me/sign-in?notice=signed_out", redirectType: .normal)
        response.cookies[ParticipantSession.cookieName] = Self.expiredCookie
        return response
    }

    // MARK: The page

    @Sendable func show(_ req: Request) async throws -> Response {
        let session = try req.requireParticipant()
        guard let person = try await req.diversion.people.find(session.personID, on: req.db) else {
            throw APIError.unauthenticated("Sign in with your personal code first.")
        }
        // A language chosen with the switcher wins; otherwise the person's own, when the interface speaks it.
        let lang = req.cookies["lang"] == nil ? (Localizer.catalogue(for: person.details.preferredLanguage) ?? req.language) : req.language
        let view = try await ParticipantView.load(personID: session.personID, csrf: MaskedToken.mask(session.csrf), expiresAt: session.expiresAt, lang: lang, request: req)
        var event = Self.event(req, .read, person: session.personID)
        event.resourceType = "participant_view"
        event.resourceID = session.personID.uuidString.lowercased()
        try await req.diversion.auditTrail.record([event])
        return try await req.page("participant", title: "me_title", content: view, language: lang)
    }

    // MARK: Staff: issue or rotate the code

    /// The code opens the person's own page, so only staff who work with the person may see or issue it: supervision
    /// while a measure of theirs runs, a provider whose agency receives a referral of theirs it has not declined.
    private func requireWorksWith(_ personID: UUID, _ req: Request) async throws {
        let principal = try req.requirePrincipal()
        if principal.roles.contains(.supervisor),
           try await MeasureStore().forPerson(personID, on: req.db).contains(where: \.isActive) { return }
        if principal.roles.contains(.provider),
           try await ReferralStore().agencyWorksWith(personID, agency: principal.agencyID, on: req.db) { return }
        throw APIError.forbidden("Personal codes are issued by the supervision officers of a running measure of the person, or by a service their referral went to.")
    }

    @Sendable func codePage(_ req: Request) async throws -> Response {
        let personID = try req.idParameter(of: "person")
        try await requireWorksWith(personID, req)
        let person = try await PeopleService(request: req).read(personID)
        let current = try await ParticipantCodeStore().current(personID: personID, on: req.db)
        return try await renderCode(req, person: person, code: nil, issued: current)
    }

    @Sendable func issue(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let personID = try req.idParameter(of: "person")
        try await requireWorksWith(personID, req)
        let person = try await PeopleService(request: req).read(personID)
        let code = ParticipantCode.generate()
        let now = req.now
        let event = try req.auditEvent(.create, "participant_code", id: personID.uuidString.lowercased(), person: personID)
        let issued = try await req.diversion.auditTrail.perform { db in
            let issued = try await ParticipantCodeStore().replace(personID: personID, code: code, issuedByName: principal.displayName, at: now, on: db)
            return (issued, [event])
        }
        return try await renderCode(req, person: person, code: ParticipantCode.display(code), issued: issued)
    }

    private func renderCode(_ req: Request, person: Person, code: String?, issued: IssuedParticipantCode?) async throws -> Response {
        let slipLang = Localizer.catalogue(for: person.details.preferredLanguage) ?? req.language
        let host = req.headers.first(name: .host) ?? "localhost"
        let scheme = isSecure(req) ? "https" : "http"
        let page = CodePage(
            personId: person.id.uuidString.lowercased(), person: person.details.fullName, p: req.diversion.localizer.messages(slipLang),
            slipLang: slipLang, slipDir: Localizer.direction(slipLang), code: code,
            issued: issued.map { "\(req.shown($0.issuedAt)) · \($0.issuedByName)" }, address: "\(scheme)://\(host)/me"
        )
        return try await req.page("participant_code", title: "me_code_title", content: page)
    }

    // MARK: Support

    /// Where a participant page sends a request without a valid session: back to the code form, not the staff sign-in.
    static func signInRedirect(for request: Request) -> Response? {
        let path = request.url.path
        guard path == "/me" || path.hasPrefix("/me/") else { return nil }
        let ended = request.cookies[ParticipantSession.cookieName] != nil
        let response = request.redirect(to: "/me/sign-in" + (ended ? "?notice=ended" : ""), redirectType: .normal)
        response.cookies[ParticipantSession.cookieName] = expiredCookie
        return response
    }

    static var expiredCookie: HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true, sameSite: .strict)
    }

    /// An audit entry of the participant's own doing: no staff user, the person named.
    static func event(_ req: Request, _ action: AuditAction, person: UUID?) -> AuditEvent {
        AuditEvent(occurredAt: req.now, userID: nil, username: "participant", agencyID: nil, action: action, resourceType: "participant_session",
                   resourceID: nil, personID: person, purpose: "the person's own records", requestID: req.id)
    }

    private func renderSignIn(_ req: Request, error: String?, notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let csrf = AccountStore.newSecret()
        let response = try await req.page("participant_sign_in", title: "me_sign_in_title", content: SignInPage(csrf: csrf, error: error, notice: notice), status: status)
        response.cookies[Self.signInCSRFCookie] = HTTPCookies.Value(
            string: csrf, maxAge: 3600, path: "/me", isSecure: isSecure(req), isHTTPOnly: true, sameSite: .strict
        )
        return response
    }

    private func isSecure(_ req: Request) -> Bool {
        req.diversion.configuration.secureCookies || req.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }
}
