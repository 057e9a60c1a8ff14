import DiversionCore
import Foundation
import Vapor

/// What every page's layout needs: language, messages, the signed-in user and the navigation.
struct PageContext<Content: Encodable>: Encodable {
    struct LanguageLink: Encodable {
        var code: String
        var name: String
        var href: String
        var current: Bool
    }

    struct UserSummary: Encodable {
        var displayName: String
        var username: String
        var roles: String
        var agency: String
        var region: String
    }

    struct NavItem: Encodable {
        var href: String
        var label: String
        var current: Bool
    }

    var lang: String
    var dir: String
    var title: String
    var t: [String: String]
    var languages: [LanguageLink]
    var user: UserSummary?
    var nav: [NavItem]
    var csrf: String?
    var content: Content
}

extension Request {
    /// The interface language of this request: cookie, then Accept-Language, then English.
    var language: String {
        Localizer.choose(cookie: cookies["lang"]?.string, acceptLanguage: headers.first(name: .acceptLanguage))
    }

    /// Renders `template` inside the shared layout.
    /// `language` overrides the request's language (a participant's preferred language when no choice was made).
    func page<Content: Encodable>(
        _ template: String, title key: String, content: Content, status: HTTPResponseStatus = .ok, language override: String? = nil
    ) async throws -> Response {
        let lang = override ?? language
        let t = diversion.localizer.messages(lang)
        let principal = session?.principal
        let here = url.path
        let languages = Localizer.supported.map { code in
            PageContext<Content>.LanguageLink(
                code: code, name: diversion.localizer.messages(code)["language_name"] ?? code,
                href: "/language/\(code)?next=\(here.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")",
                current: code == lang
            )
        }
        var nav: [PageContext<Content>.NavItem] = []
        var user: PageContext<Content>.UserSummary?
        if let principal {
            nav.append(.init(href: "/home", label: t["nav_home"] ?? "Home", current: here == "/home"))
            // The navigation offers what the access policy allows this user, and nothing else.
            for (href, key, action, resource) in [
                ("/contacts/new", "nav_contact", Action.create, Resource.contact),
                ("/contacts/offline", "nav_offline", .create, .contact),
                ("/people", "nav_people", .search, .person),
                ("/referrals", "nav_referrals", .search, .referral),
                ("/court", "nav_court", .update, .justiceCase),
                ("/disclosures/notifications", "nav_notifications", .search, .disclosure),
                ("/court/breaches", "nav_breaches", .update, .breach),
                ("/services/capacity", "nav_capacity", .update, .serviceCapacity),
                ("/admin/policies", "nav_policies", .create, .policy),
                ("/admin/services", "nav_services", .create, .service),
                ("/supervision/alerts", "nav_alerts", .update, .monitoring),
                ("/supervision/tests", "nav_tests", .create, .drugTest),
                ("/supervision/overdue", "nav_overdue", .create, .compliance),
                ("/supervision/responses", "nav_responses", .evaluate, .response),
                ("/analysis", "nav_evidence", .search, .indicator),
            ] where diversion.policy.decide(principal, action, resource).isAllowed {
                nav.append(.init(href: href, label: t[key] ?? key, current: here.hasPrefix(href)))
            }
            user = .init(
                displayName: principal.displayName, username: principal.username,
                roles: principal.roles.sorted().map { t["role_\($0.rawValue)_title"] ?? $0.rawValue }.joined(separator: ", "),
                agency: principal.agencyName, region: principal.region
            )
        }
        let context = PageContext(
            lang: lang, dir: Localizer.direction(lang), title: t[key] ?? key, t: t, languages: languages,
            user: user, nav: nav, csrf: session?.token.csrfToken.map(MaskedToken.mask), content: content
        )
        // Field errors are encoded while rendering, in the language settled above.
        let view = try await FieldMessageTranslator.$rendering.withValue((diversion.fieldMessages, lang)) {
            try await self.view.render(template, context)
        }
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: "Content-Language", value: lang)
        return response
    }
}
