import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// A browser's memory of cookies across requests, kept by hand.
struct CookieJar {
    var values: [String: String] = [:]

    mutating func take(_ response: TestingHTTPResponse) {
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if header.contains("Max-Age=0") || parts[1].isEmpty { values[parts[0]] = nil } else { values[parts[0]] = parts[1] }
        }
    }

    var header: (String, String) {
        ("Cookie", values.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
    }
}

func hiddenField(_ name: String, in html: String) -> String? {
    guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
    let rest = html[range.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}

func form(_ fields: [String: String]) -> String {
    fields.map { key, value in
        "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
    }.joined(separator: "&")
}

extension TestApp {
    /// Signs in through the login page like a browser and returns the cookie jar.
    func browserSignIn(_ username: String, password: String = "demo", headers extra: [(String, String)] = []) async throws -> (CookieJar, TestingHTTPResponse) {
        var jar = CookieJar()
        let page = try await send(.GET, "/login", headers: extra)
        jar.take(page)
        let csrf = try #require(hiddenField("csrf", in: page.text))
        let response = try await send(
            .POST, "/login", headers: [jar.header] + extra,
            body: form(["username": username, "password": password, "csrf": csrf, "next": "/home"]),
            contentType: "application/x-www-form-urlencoded"
        )
        jar.take(response)
        return (jar, response)
    }
}

@Suite("The web shell")
struct WebTests {
    @Test func theLoginPageHasALabelledFormWithACSRFToken() async throws {
        try await TestApp.run { t in
            let page = try await t.send(.GET, "/login")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<html lang="en" dir="ltr">"#))
            #expect(page.text.contains(#"<label for="username">"#))
            #expect(page.text.contains(#"<label for="password">"#))
            #expect(hiddenField("csrf", in: page.text)?.count ?? 0 >= 43)
            #expect(page.headers[.setCookie].contains { $0.hasPrefix("diversion_login_csrf=") && $0.contains("HttpOnly") })
            #expect(!page.text.contains("<script"))
        }
    }

    @Test(arguments: Role.allCases)
    func eachRoleSignsInAndSeesWhatItsRoleDoes(role: Role) async throws {
        try await TestApp.run { t in
            let (jar, response) = try await t.browserSignIn(role.rawValue)
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/home")
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("diversion_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
            let home = try await t.send(.GET, "/home", headers: [jar.header])
            #expect(home.status == .ok)
            #expect(home.text.contains(#"id="role-\#(role.rawValue)""#))
            let account = try #require(DemoJurisdiction.accounts.first { $0.role == role })
            #expect(home.text.contains(account.name.replacingOccurrences(of: "'", with: "&#39;")) || home.text.contains(account.name))
            #expect(home.text.contains("R1"))
            for other in Role.allCases where other != role {
                #expect(!home.text.contains(#"id="role-\#(other.rawValue)""#))
            }
        }
    }

    @Test func behindTLSTheSessionCookieIsSecure() async throws {
        try await TestApp.run { t in
            let (_, response) = try await t.browserSignIn("judge", headers: [("X-Forwarded-Proto", "https")])
            let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix("diversion_session=") })
            #expect(cookie.contains("Secure"))
        }
    }

    @Test func aLoginWithoutTheFormsTokenIsRefused() async throws {
        try await TestApp.run { t in
            let response = try await t.send(
                .POST, "/login", body: form(["username": "officer", "password": "demo", "csrf": "forged"]),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(response.status == .forbidden)
            #expect(!response.headers[.setCookie].contains { $0.hasPrefix("diversion_session=") })
        }
    }

    @Test func aWrongPasswordShowsTheFormAgainWithAMessage() async throws {
        try await TestApp.run { t in
            let (_, response) = try await t.browserSignIn("officer", password: "wrong")
            #expect(response.status == .unauthorized)
            #expect(response.text.contains(#"id="login-error""#))
            #expect(response.text.contains("The username or password is wrong."))
            #expect(response.text.contains(#"value="officer""#))
        }
    }

    @Test func pagesRedirectToSignInWhenSignedOut() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/home")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/login?next=%2Fhome")
        }
    }

    @Test func sessionsEndAfterThirtyIdleMinutesButNotWhileInUse() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("provider")
            t.clock.advance(20 * 60)
            #expect(try await t.send(.GET, "/home", headers: [jar.header]).status == .ok)
            t.clock.advance(20 * 60)
            #expect(try await t.send(.GET, "/home", headers: [jar.header]).status == .ok)
            t.clock.advance(31 * 60)
            let expired = try await t.send(.GET, "/home", headers: [jar.header])
            #expect(expired.status == .seeOther)
            #expect(expired.headers.first(name: .location)?.contains("notice=session_ended") == true)
        }
    }

    @Test func signingOutNeedsTheCSRFTokenAndEndsTheSession() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("supervisor")
            let home = try await t.send(.GET, "/home", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: home.text))
            let forged = try await t.send(.POST, "/logout", headers: [jar.header], body: form(["csrf": "nope"]), contentType: "application/x-www-form-urlencoded")
            #expect(forged.status == .forbidden)
            #expect(try await t.send(.GET, "/home", headers: [jar.header]).status == .ok)
            let out = try await t.send(.POST, "/logout", headers: [jar.header], body: form(["csrf": csrf]), contentType: "application/x-www-form-urlencoded")
            #expect(out.status == .seeOther)
            #expect(out.headers.first(name: .location) == "/login?notice=signed_out")
            #expect(try await t.send(.GET, "/home", headers: [jar.header]).status == .seeOther)
        }
    }

    @Test func theLanguageSwitcherSetsACookieAndPagesFollowIt() async throws {
        try await TestApp.run { t in
            let pick = try await t.send(.GET, "/language/es?next=%2Flogin")
            #expect(pick.status == .seeOther)
            #expect(pick.headers.first(name: .location) == "/login")
            var jar = CookieJar()
            jar.take(pick)
            #expect(jar.values["lang"] == "es")
            let page = try await t.send(.GET, "/login", headers: [jar.header])
            let spanish = t.app.diversion.localizer.messages("es")
            #expect(page.text.contains(#"<html lang="es""#))
            #expect(page.text.contains(try #require(spanish["login_submit"])))
            let french = try await t.send(.GET, "/login", headers: [("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")])
            #expect(french.text.contains(#"<html lang="fr""#))
        }
    }

    @Test(arguments: ["/language/xx", "/language/es?next=https%3A%2F%2Fevil.example", "/language/es?next=%2F%2Fevil.example"])
    func languageLinksNeverLeaveTheSite(path: String) async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, path)
            if path.hasPrefix("/language/xx") {
                #expect(response.status == .notFound)
            } else {
                #expect(response.headers.first(name: .location) == "/home")
            }
        }
    }

    @Test func everyLanguageHasEveryMessage() throws {
        let localizer = try Localizer(directory: AppResources.directory.appendingPathComponent("Locales"))
        let english = localizer.messages("en")
        #expect(english.count > 50)
        for code in Localizer.supported {
            #expect(localizer.missingKeys(code).isEmpty, "\(code) lacks \(localizer.missingKeys(code))")
            let messages = localizer.messages(code)
            #expect(messages.values.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
            for (key, value) in english where value.contains("{time}") {
                #expect(messages[key]?.contains("{time}") == true)
            }
        }
    }

    @Test func noMessageUsesStigmatisingWords() throws {
        let localizer = try Localizer(directory: AppResources.directory.appendingPathComponent("Locales"))
        let words = ["addict", "junkie", "abuser", "toxicómano", "drogadicto", "toxicomane", "наркоман", "مدمن", "瘾君子", "吸毒者", "毒虫"]
        for code in Localizer.supported {
            for value in localizer.messages(code).values {
                for word in words { #expect(!value.lowercased().contains(word), "\(code): \(value)") }
            }
        }
    }

    @Test func anUnknownPageIsAFriendly404() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/no-such-page")
            #expect(response.status == .notFound)
            #expect(response.headers.contentType?.subType == "html")
            #expect(response.text.contains("There is nothing at this address."))
        }
    }

    @Test func theStylesheetIsServedLocally() async throws {
        try await TestApp.run { t in
            let css = try await t.send(.GET, "/css/site.css")
            #expect(css.status == .ok)
            #expect(!css.text.contains("@import"))
            #expect(!css.text.contains("http"))
        }
    }
}
