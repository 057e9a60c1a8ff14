import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The pages people use: sign in and out, home per role, language choice.
struct WebController {
    static let loginCSRFCookie = "diversion_login_csrf"

    struct LoginForm: Content {
        var username: String?
        var password: String?
        var csrf: String?
        var next: String?
    }

    struct LoginPage: Encodable {
        var csrf: String
        var username: String
        var next: String
        var error: String?
        var notice: String?
    }

    struct RoleSection: Encodable {
        var role: String
        var title: String
        var text: String
        var tasks: [String]
    }

    struct HomePage: Encodable {
        var sections: [RoleSection]
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "", access: .anyone, use: root)
        web.endpoint(.GET, "login", access: .anyone, use: loginPage)
        web.endpoint(.POST, "login", access: .anyone, use: login)
        web.endpoint(.POST, "logout", access: .allowed(.delete, .ownAccount), use: logout)
        web.endpoint(.GET, "home", access: .allowed(.read, .ownAccount), use: home)
        web.endpoint(.GET, "language", ":code", access: .anyone, use: language)
    }

    @Sendable func root(_ req: Request) async throws -> Response {
        req.redirect(to: req.session == nil ? "/login" : "/home")
    }

    @Sendable func loginPage(_ req: Request) async throws -> Response {
        if req.session != nil { return req.redirect(to: "/home") }
        let t = req.diversion.localizer.messages(req.language)
        var notice: String?
        switch req.query[String.self, at: "notice"] {
        case "signed_out": notice = t["signed_out"]
        case "session_ended": notice = t["session_ended"]
        default: break
        }
        return try await renderLogin(req, username: "", next: Self.safeNext(req.query[String.self, at: "next"]), error: nil, notice: notice)
    }

    @Sendable func login(_ req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let t = req.diversion.localizer.messages(req.language)
        let username = String((form.username ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        let next = Self.safeNext(form.next)
        guard let cookie = req.cookies[Self.loginCSRFCookie]?.string, let sent = form.csrf, constantTimeEqual(cookie, sent) else {
            return try await renderLogin(req, username: username, next: next, error: t["login_expired_form"], status: .forbidden)
        }
        guard !username.isEmpty, let password = form.password, !password.isEmpty, password.count <= 200 else {
            return try await renderLogin(req, username: username, next: next, error: t["login_missing"], status: .unprocessableEntity)
        }
        do {
            let issued = try await SignIn(request: req)(username: username, password: password, kind: .web)
            let response = req.redirect(to: next.hasPrefix("/login") ? "/home" : next)
            response.cookies[SessionAuthenticator.cookieName] = HTTPCookies.Value(
                string: issued.secret, expires: issued.token.expiresAt, maxAge: nil, path: "/",
                isSecure: isSecure(req), isHTTPOnly: true, sameSite: .lax
            )
            // Cleared with the same path it was set on, or the browser keeps it.
            response.cookies[Self.loginCSRFCookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/login", isHTTPOnly: true, sameSite: .strict)
            return response
        } catch APIError.accountLocked(let until) {
            let time = until.formatted(Date.FormatStyle(date: .omitted, time: .shortened, timeZone: TimeZone(identifier: "UTC") ?? .current))
            let message = (t["login_locked"] ?? "").replacingOccurrences(of: "{time}", with: time)
            return try await renderLogin(req, username: username, next: next, error: message, status: .tooManyRequests)
        } catch APIError.unauthenticated {
            return try await renderLogin(req, username: username, next: next, error: t["login_failed"], status: .unauthorized)
        }
    }

    @Sendable func logout(_ req: Request) async throws -> Response {
        if let session = req.session {
            try await req.diversion.accounts.revoke(session.token, now: req.now, on: req.db)
            try await req.diversion.auditTrail.record([try req.auditEvent(.logout, "session", id: session.token.id.uuidString.lowercased())])
        }
        let response = req.redirect(to: "/login?notice=signed_out")
        response.cookies[SessionAuthenticator.cookieName] = .expired
        return response
    }

    @Sendable func home(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let t = req.diversion.localizer.messages(req.language)
        let sections = principal.roles.sorted().map { role in
            let key = "role_\(role.rawValue)"
            return RoleSection(
                role: role.rawValue, title: t["\(key)_title"] ?? role.rawValue, text: t["\(key)_text"] ?? "",
                tasks: (1...3).compactMap { t["\(key)_task\($0)"] }
            )
        }
        return try await req.page("home", title: "home_title", content: HomePage(sections: sections))
    }

    @Sendable func language(_ req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        guard Localizer.supported.contains(code) else {
            throw APIError.notFound("The language '\(code.prefix(10))' is not offered.")
        }
        let response = req.redirect(to: Self.safeNext(req.query[String.self, at: "next"]))
        response.cookies["lang"] = HTTPCookies.Value(
            string: code, maxAge: 365 * 24 * 3600, path: "/", isSecure: isSecure(req), isHTTPOnly: true, sameSite: .lax
        )
        return response
    }

    private func renderLogin(
        _ req: Request, username: String, next: String, error: String?, notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let csrf = AccountStore.newSecret()
        let response = try await req.page(
            "login", title: "login_title",
            content: LoginPage(csrf: csrf, username: username, next: next, error: error, notice: notice), status: status
        )
        response.cookies[Self.loginCSRFCookie] = HTTPCookies.Value(
            string: csrf, maxAge: 3600, path: "/login", isSecure: isSecure(req), isHTTPOnly: true, sameSite: .strict
        )
        return response
    }

    private func isSecure(_ req: Request) -> Bool {
        req.diversion.configuration.secureCookies || req.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }

    /// Only local paths are followed after sign-in or a language change, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 500,
              !next.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else { return "/home" }
        return next
    }
}

/// The page shown when a page request fails: a redirect to sign in, or a short explanation.
enum WebErrorPage {
    struct Content: Encodable {
        var message: String
        var requestId: String
    }

    static func response(for problem: Problem, error: any Error, request: Request) async throws -> Response {
        if problem.status == 401, let participant = ParticipantPages.signInRedirect(for: request) { return participant }
        if problem.status == 401 {
            let next = request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2Fhome"
            let notice = request.cookies[SessionAuthenticator.cookieName] != nil ? "&notice=session_ended" : ""
            let response = request.redirect(to: "/login?next=\(next)\(notice)")
            response.cookies[SessionAuthenticator.cookieName] = .expired
            return response
        }
        let t = request.diversion.localizer.messages(request.language)
        let message: String
        switch problem.status {
        case 404: message = t["error_not_found"] ?? ""
        case 403: message = (error as? APIError).map { if case .invalidCSRF = $0 { return t["login_expired_form"] ?? "" } else { return t["error_forbidden"] ?? "" } } ?? (t["error_forbidden"] ?? "")
        // Domain reasons are written in English; other languages get the status's own message instead.
        case 400..<500 where request.language == Localizer.fallback: message = problem.detail
        // Field reasons have translations, so a form that slipped past its page's own error list still says what to fix.
        case 422 where error is ValidationFailure:
            let reasons = (error as? ValidationFailure)?.errors.map { request.diversion.fieldMessages.translate($0.reason, into: request.language) } ?? []
            message = ([t[Self.messageKey(problem.status)] ?? problem.detail] + reasons).joined(separator: request.language == "zh" ? "" : " ")
        case 400..<500: message = t[Self.messageKey(problem.status)] ?? problem.detail
        default: message = t["error_generic"] ?? ""
        }
        return try await request.page(
            "error", title: "error_title", content: Content(message: message, requestId: request.id),
            status: HTTPResponseStatus(statusCode: problem.status)
        )
    }

    /// The message for a 4xx status other than 401, 403 and 404, in every language.
    static func messageKey(_ status: Int) -> String {
        switch status {
        case 405: "error_method_not_allowed"
        case 409: "error_conflict"
        case 413: "error_too_large"
        case 415: "error_unsupported_media"
        case 422: "error_invalid_input"
        case 429: "error_too_many_requests"
        default: "error_bad_request"
        }
    }
}
