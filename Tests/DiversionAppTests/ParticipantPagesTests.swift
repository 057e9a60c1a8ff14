import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// The participant's own page at /me, signed in with a personal code.
@Suite("Participant pages")
struct ParticipantPagesTests {
    /// Issues a personal code from the person's staff page, as a supervision officer does, and reads it off the slip.
    static func issueCode(_ t: TestApp, personId: String, by username: String = "supervisor") async throws -> String {
        let (jar, _) = try await t.browserSignIn(username)
        let page = try await t.send(.GET, "/people/\(personId)/access-code", headers: [jar.header])
        try #require(page.status == .ok, "the code page answered \(page.status)")
        let csrf = try #require(hiddenField("csrf", in: page.text))
        let issued = try await t.send(.POST, "/people/\(personId)/access-code", headers: [jar.header], body: form(["csrf": csrf]),
                                      contentType: "application/x-www-form-urlencoded")
        try #require(issued.status == .ok, "issuing answered \(issued.status)")
        let marker = #"<code id="me-code">"#
        let start = try #require(issued.text.range(of: marker))
        let rest = issued.text[start.upperBound...]
        return String(rest[..<(rest.firstIndex(of: "<") ?? rest.endIndex)])
    }

    /// Types the code into the sign-in form like a browser and keeps the cookies.
    static func signIn(_ t: TestApp, code: String, headers extra: [(String, String)] = []) async throws -> (CookieJar, TestingHTTPResponse) {
        var jar = CookieJar()
        let page = try await t.send(.GET, "/me/sign-in", headers: extra)
        jar.take(page)
        let csrf = try #require(hiddenField("csrf", in: page.text))
        let response = try await t.send(.POST, "/me/sign-in", headers: [jar.header] + extra, body: form(["code": code, "csrf": csrf]),
                                        contentType: "application/x-www-form-urlencoded")
        jar.take(response)
        return (jar, response)
    }

    static func person(_ t: TestApp, given: String, language: String? = nil, supervised: Bool = true) async throws -> String {
        let officer = try await t.token("officer")
        var body = ["givenName": given, "familyName": "Moreau", "birthDate": "1991-04-05", "sex": "male"]
        if let language { body["preferredLanguage"] = language }
        let personId = try await t.send(.POST, "/api/v1/persons", token: officer, json: body).json(PersonController.PersonResponse.self).id
        guard supervised else { return personId }
        // A running measure: supervision officers issue codes only to the people they supervise.
        let judge = try await t.token("judge")
        let opened = try await CaseAPITests.openCase(t, judge, personId: personId)
        let decided = try await t.send(.POST, "/api/v1/cases/\(opened.id)/decisions", token: judge,
                                       body: ComplianceAPITests.sentencing(), contentType: "application/json")
        try #require(decided.status == .created, "the decision answered \(decided.status)")
        return personId
    }

    @Test func thePersonSeesTodayWhatIsComingTheirConditionsAndWhoSawTheirData() async throws {
        try await TestApp.run { t in
            let scene = try await DisclosureMatrixTests.scene(t, .toSupervision)
            // The supervision officer reads the tests: a disclosure of the provider's results under the consent.
            _ = try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/tests", token: try await t.token("supervisor"))
            let code = try await Self.issueCode(t, personId: scene.personId)
            #expect(ParticipantCode.normalized(code) != nil && code.count == 19)
            let (jar, signedIn) = try await Self.signIn(t, code: code)
            #expect(signedIn.status == .seeOther && signedIn.headers.first(name: .location) == "/me")
            #expect(signedIn.headers[.setCookie].contains { $0.hasPrefix("diversion_participant=") && $0.contains("HttpOnly") && $0.contains("SameSite=Strict") })

            let page = try await t.send(.GET, "/me", headers: [jar.header])
            #expect(page.status == .ok)
            let html = page.text
            // Today: every day is a test day under this order, with its window and a place or where to ask.
            #expect(html.contains(#"id="me-day-today""#) && html.contains("Today is a test day: come between 07:00 and 15:00."))
            #expect(html.contains(#"id="me-day-tomorrow""#) && html.contains("Tomorrow is a test day"))
            #expect(html.contains("Ask your supervision officer where to go."))
            // Coming up: the measure's planned end, in the page's language.
            #expect(html.contains("Planned end of your Probation") && html.contains(LocaleFormat("en").date(CalendarDate(year: 2027, month: 5, day: 31))))
            // Conditions in plain words with progress so far.
            #expect(html.contains("Random drug tests, at least 7 a week (Urine)."))
            #expect(html.contains("Tests taken") && html.contains("Negative") && html.contains("Missed"))
            // Who has seen the data: the supervision officer, the category, the purpose and the basis.
            #expect(html.contains("Supervision Officer Tomás Silva") && html.contains("Drug test results") && html.contains("Consent"))
            // Nothing staff-only or clinical beyond the counts: no substances, chain of custody or session names.
            #expect(!html.contains("cocaine") && !html.contains("HEALTH-17") && !html.contains("SUPERVISION-18") && !html.contains("HEALTH-SESSION"))
            // The sign-out form carries the session's own token; the staff navigation is absent.
            #expect(hiddenField("csrf", in: html) != nil && html.contains(#"id="me-sign-out""#) && !html.contains(#"id="sign-out""#))
            #expect(!html.contains("<script") && !html.contains(" style="))
        }
    }

    @Test func everyViewWritesAnAuditEntryOfThePersonsOwnAccess() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Jules")
            let code = try await Self.issueCode(t, personId: personId)
            let (jar, _) = try await Self.signIn(t, code: code)
            let before = try await t.auditEntries().filter { $0.event.resourceType == "participant_view" }.count
            #expect(try await t.send(.GET, "/me", headers: [jar.header]).status == .ok)
            #expect(try await t.send(.GET, "/me", headers: [jar.header]).status == .ok)
            let views = try await t.auditEntries().filter { $0.event.resourceType == "participant_view" }
            #expect(views.count == before + 2)
            #expect(views.allSatisfy { $0.event.userID == nil && $0.event.action == .read && $0.event.personID?.uuidString.lowercased() == personId })
            let signIns = try await t.auditEntries().filter { $0.event.resourceType == "participant_session" && $0.event.action == .loginSucceeded }
            #expect(signIns.count == 1 && signIns.first?.event.personID?.uuidString.lowercased() == personId)
            let issued = try await t.auditEntries().filter { $0.event.resourceType == "participant_code" }
            #expect(issued.count == 1 && issued.first?.event.username == "supervisor")
        }
    }

    @Test func aPersonsCodeOpensOnlyTheirOwnPage() async throws {
        try await TestApp.run { t in
            let scene = try await DisclosureMatrixTests.scene(t, .toSupervision)
            _ = try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/tests", token: try await t.token("supervisor"))
            let other = try await Self.person(t, given: "Bruno")
            _ = try await Self.issueCode(t, personId: scene.personId)
            let code = try await Self.issueCode(t, personId: other)
            let (jar, _) = try await Self.signIn(t, code: code)
            // Whatever the address says, the page is the session's person's.
            for path in ["/me", "/me?personId=\(scene.personId)", "/me?id=\(scene.personId)"] {
                let page = try await t.send(.GET, path, headers: [jar.header])
                #expect(page.status == .ok)
                #expect(page.text.contains("Bruno") && !page.text.contains("Ana"))
                #expect(page.text.contains(#"id="me-no-disclosures""#) && !page.text.contains("Tomás Silva"))
                // Bruno's own order asks two tests a week; the other person's seven a week never shows.
                #expect(page.text.contains("at least 2 a week") && !page.text.contains("at least 7 a week"))
            }
            let audited = try await t.auditEntries().filter { $0.event.resourceType == "participant_view" }
            #expect(audited.allSatisfy { $0.event.personID?.uuidString.lowercased() == other })
            // A staff session opens no participant page, and a participant's cookie opens no staff page.
            let (staff, _) = try await t.browserSignIn("supervisor")
            let refused = try await t.send(.GET, "/me", headers: [staff.header])
            #expect(refused.status == .seeOther && refused.headers.first(name: .location) == "/me/sign-in")
            let staffPage = try await t.send(.GET, "/people/\(scene.personId)", headers: [jar.header])
            #expect(staffPage.status == .seeOther && staffPage.headers.first(name: .location)?.hasPrefix("/login") == true)
        }
    }

    @Test func aWrongMalformedForgedOrExpiredCodeGetsAFriendlyPage() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Jules")
            let code = try await Self.issueCode(t, personId: personId)
            let (_, wrong) = try await Self.signIn(t, code: "ABCD-EFGH-2345-6789")
            #expect(wrong.status == .unauthorized && wrong.text.contains(#"id="me-error""#) && wrong.text.contains("That code does not open a page."))
            let (_, malformed) = try await Self.signIn(t, code: "ABCDE-23456")
            #expect(malformed.status == .unprocessableEntity && malformed.text.contains("A personal code is 16 letters and digits"))
            // The sign-in form checks its own token, so another site cannot sign a browser in.
            let noToken = try await t.send(.POST, "/me/sign-in", body: form(["code": code]), contentType: "application/x-www-form-urlencoded")
            #expect(noToken.status == .forbidden && noToken.text.contains("The form had expired."))
            // No session, a forged one or an expired one: back to the form, never to the staff sign-in.
            let none = try await t.send(.GET, "/me")
            #expect(none.status == .seeOther && none.headers.first(name: .location) == "/me/sign-in")
            let forged = try await t.send(.GET, "/me", headers: [("Cookie", "diversion_participant=djF8MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwfA.AAAA")])
            #expect(forged.status == .seeOther && forged.headers.first(name: .location) == "/me/sign-in?notice=ended")
            let (jar, _) = try await Self.signIn(t, code: code.lowercased().replacingOccurrences(of: "-", with: " "))
            #expect(try await t.send(.GET, "/me", headers: [jar.header]).status == .ok, "case, spaces and hyphens do not matter")
            t.clock.advance(ParticipantSession.lifetime + 1)
            let expired = try await t.send(.GET, "/me", headers: [jar.header])
            #expect(expired.status == .seeOther && expired.headers.first(name: .location) == "/me/sign-in?notice=ended")
            let notice = try await t.send(.GET, "/me/sign-in?notice=ended")
            #expect(notice.text.contains("Your page was closed after a while"))
        }
    }

    @Test func repeatedUnknownCodesAreSlowedDownWithA429Page() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Jules")
            let code = try await Self.issueCode(t, personId: personId)
            for _ in 0..<9 {
                #expect(try await Self.signIn(t, code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ").1.status == .unauthorized)
            }
            let tenth = try await Self.signIn(t, code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ").1
            #expect(tenth.status == .tooManyRequests && tenth.text.contains("Wait 15 minutes"))
            // While the address waits, even the right code is not tried.
            #expect(try await Self.signIn(t, code: code).1.status == .tooManyRequests)
            t.clock.advance(15 * 60 + 1)
            #expect(try await Self.signIn(t, code: code).1.status == .seeOther)
        }
    }

    @Test func aNewCodeEndsTheOldCodeAndItsSessions() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Jules")
            let first = try await Self.issueCode(t, personId: personId)
            let (jar, _) = try await Self.signIn(t, code: first)
            #expect(try await t.send(.GET, "/me", headers: [jar.header]).status == .ok)
            let second = try await Self.issueCode(t, personId: personId, by: "supervisor")
            #expect(second != first)
            let ended = try await t.send(.GET, "/me", headers: [jar.header])
            #expect(ended.status == .seeOther && ended.headers.first(name: .location) == "/me/sign-in?notice=ended")
            #expect(try await Self.signIn(t, code: first).1.status == .unauthorized)
            let (fresh, _) = try await Self.signIn(t, code: second)
            #expect(try await t.send(.GET, "/me", headers: [fresh.header]).status == .ok)
            // The staff page says when the current code was issued, never the code itself.
            let (staff, _) = try await t.browserSignIn("supervisor")
            let status = try await t.send(.GET, "/people/\(personId)/access-code", headers: [staff.header])
            #expect(status.text.contains(#"id="me-code-status""#) && status.text.contains("Supervision Officer Tomás Silva") && !status.text.contains(second))
        }
    }

    @Test func onlyStaffWhoWorkWithThePersonIssueCodes() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Jules")
            // A provider whose agency has no referral of the person does not work with them.
            for username in ["officer", "judge", "analyst", "provider"] {
                let (jar, _) = try await t.browserSignIn(username)
                #expect(try await t.send(.GET, "/people/\(personId)/access-code", headers: [jar.header]).status == .forbidden, "\(username)")
            }
            // Nor does supervision without a running measure of the person, for the page or for issuing.
            let unsupervised = try await Self.person(t, given: "Noor", supervised: false)
            let (officer, _) = try await t.browserSignIn("supervisor")
            #expect(try await t.send(.GET, "/people/\(unsupervised)/access-code", headers: [officer.header]).status == .forbidden)
            let anyPage = try await t.send(.GET, "/people/\(personId)/access-code", headers: [officer.header])
            let token = try #require(hiddenField("csrf", in: anyPage.text))
            let refused = try await t.send(.POST, "/people/\(unsupervised)/access-code", headers: [officer.header], body: form(["csrf": token]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .forbidden)
            let (supervisor, _) = try await t.browserSignIn("supervisor")
            let personPage = try await t.send(.GET, "/people/\(personId)", headers: [supervisor.header])
            #expect(personPage.text.contains(#"id="access-code-link""#))
            // Issuing is a staff form: without the session's token it is refused.
            let noToken = try await t.send(.POST, "/people/\(personId)/access-code", headers: [supervisor.header], body: "", contentType: "application/x-www-form-urlencoded")
            #expect(noToken.status == .forbidden)
        }
    }

    @Test func signingOutNeedsTheSessionsTokenAndEndsThePage() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Jules")
            let code = try await Self.issueCode(t, personId: personId)
            var (jar, _) = try await Self.signIn(t, code: code)
            let page = try await t.send(.GET, "/me", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let forged = try await t.send(.POST, "/me/sign-out", headers: [jar.header], body: form(["csrf": "nope"]), contentType: "application/x-www-form-urlencoded")
            #expect(forged.status == .forbidden)
            let out = try await t.send(.POST, "/me/sign-out", headers: [jar.header], body: form(["csrf": csrf]), contentType: "application/x-www-form-urlencoded")
            #expect(out.status == .seeOther && out.headers.first(name: .location) == "/me/sign-in?notice=signed_out")
            // The browser is told to drop the cookie; without it the page is closed.
            #expect(out.headers[.setCookie].contains { $0.hasPrefix("diversion_participant=;") && $0.contains("Max-Age=0") })
            jar.values["diversion_participant"] = nil
            #expect(try await t.send(.GET, "/me", headers: [jar.header]).status == .seeOther)
        }
    }

    @Test func thePageSpeaksThePersonsLanguageAndTheSwitcherStillWorks() async throws {
        try await TestApp.run { t in
            let arabic = try await Self.person(t, given: "Karim", language: "ar-MA")
            let (jar, _) = try await Self.signIn(t, code: try await Self.issueCode(t, personId: arabic))
            #expect(jar.values["lang"] == "ar")
            let page = try await t.send(.GET, "/me", headers: [jar.header])
            #expect(page.text.contains("مرحبًا: Karim") && page.text.contains("اليوم وغدًا"))
            #expect(page.text.contains(#"<html lang="ar" dir="rtl">"#))
            // Without the language cookie the person's own language still applies.
            let session = try #require(jar.values["diversion_participant"])
            let bare = try await t.send(.GET, "/me", headers: [("Cookie", "diversion_participant=\(session)")])
            #expect(bare.text.contains(#"<html lang="ar" dir="rtl">"#))
            // The switcher's choice wins.
            let french = try await t.send(.GET, "/me", headers: [("Cookie", "diversion_participant=\(session); lang=fr")])
            #expect(french.text.contains(#"<html lang="fr" dir="ltr">"#) && french.text.contains("Aujourd’hui et demain"))

            // A language the interface does not speak falls back to the browser's.
            let portuguese = try await Self.person(t, given: "João", language: "pt")
            let code = try await Self.issueCode(t, personId: portuguese)
            let (pt, _) = try await Self.signIn(t, code: code, headers: [("Accept-Language", "es-ES,es;q=0.9")])
            #expect(pt.values["lang"] == nil)
            let spanish = try await t.send(.GET, "/me", headers: [pt.header, ("Accept-Language", "es-ES,es;q=0.9")])
            #expect(spanish.text.contains(#"<html lang="es" dir="ltr">"#) && spanish.text.contains("Hoy y mañana"))
        }
    }

    @Test func theSlipIsInThePersonsLanguage() async throws {
        try await TestApp.run { t in
            let personId = try await Self.person(t, given: "Lin", language: "zh")
            let (jar, _) = try await t.browserSignIn("supervisor")
            let page = try await t.send(.GET, "/people/\(personId)/access-code", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let slip = try await t.send(.POST, "/people/\(personId)/access-code", headers: [jar.header], body: form(["csrf": csrf]),
                                        contentType: "application/x-www-form-urlencoded")
            #expect(slip.text.contains(#"id="me-slip" lang="zh" dir="ltr""#) && slip.text.contains("您的个人代码"))
            #expect(slip.text.contains("/me</code>"))
        }
    }
}

@Suite("Participant session cookies")
struct ParticipantSessionSignerTests {
    let signer = ParticipantSessionSigner(key: Data(repeating: 7, count: 32))
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("a cookie the server signed opens the session it names until it expires")
    func aSignedCookieOpensItsSession() throws {
        let person = UUID(), code = UUID()
        let cookie = signer.cookie(personID: person, codeID: code, expiresAt: now.addingTimeInterval(600))
        let session = try #require(signer.session(from: cookie, now: now))
        #expect(session.personID == person && session.codeID == code && session.csrf.count >= 40)
        #expect(signer.session(from: cookie, now: now.addingTimeInterval(600)) == nil)
    }

    @Test("a cookie changed in any way, or signed with another key, opens nothing")
    func aTamperedCookieOpensNothing() {
        let cookie = signer.cookie(personID: UUID(), codeID: UUID(), expiresAt: now.addingTimeInterval(600))
        let parts = cookie.split(separator: ".").map(String.init)
        // Another person's id in the payload, with the original signature.
        let payload = String(decoding: ParticipantSessionSigner.unbase64url(parts[0]) ?? Data(), as: UTF8.self)
        let fields = payload.split(separator: "|").map(String.init)
        let swapped = [fields[0], UUID().uuidString.lowercased()] + fields[2...]
        let forged = ParticipantSessionSigner.base64url(Data(swapped.joined(separator: "|").utf8)) + "." + parts[1]
        #expect(signer.session(from: forged, now: now) == nil)
        #expect(signer.session(from: parts[0] + ".", now: now) == nil)
        #expect(signer.session(from: "", now: now) == nil)
        let other = ParticipantSessionSigner(key: Data(repeating: 8, count: 32))
        #expect(other.session(from: cookie, now: now) == nil)
        // Two sessions of the same person carry different form tokens.
        let again = signer.cookie(personID: UUID(), codeID: UUID(), expiresAt: now.addingTimeInterval(600))
        #expect(signer.session(from: again, now: now)?.csrf != signer.session(from: cookie, now: now)?.csrf)
    }
}
