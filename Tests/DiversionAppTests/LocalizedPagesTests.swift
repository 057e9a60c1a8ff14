import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Pages in Arabic and Chinese: the layout's language and direction, translated words, no raw keys,
/// and what a person receives in the person's own language.
@Suite("Pages in Arabic and Chinese")
struct LocalizedPagesTests {
    /// A message that must exist; a missing one is an empty string, which the containing check then fails on.
    static func word(_ m: [String: String], _ key: String) -> String {
        m[key].map { $0.isEmpty ? "\u{0}" : $0 } ?? "\u{0}missing \(key)"
    }

    static func messages(_ code: String) throws -> [String: String] {
        let url = MessageKeyTests.appSources.appendingPathComponent("Resources/Locales/\(code).json")
        return try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
    }

    /// Message keys that appear as words in the page's text (outside tags and attributes).
    static func rawKeys(in html: String, keys: Set<String>) throws -> [String] {
        let text = try NSRegularExpression(pattern: "<[^>]*>")
            .stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: " ")
        let words = try MessageKeyTests.captures(#"(?<![\w./@-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w/@-])"#, in: text)
        return Set(words).intersection(keys).sorted()
    }

    /// A person who prefers `language`, with a probation measure that tests every day (see `DrugTestingAPITests.order`).
    static func person(_ t: TestApp, prefers language: String) async throws -> String {
        let officer = try await t.token("officer")
        let person = try await t.send(.POST, "/api/v1/persons", token: officer, json: [
            "givenName": "Layla", "familyName": "Haddad", "birthDate": "1994-03-09", "sex": "female", "preferredLanguage": language,
        ]).json(PersonController.PersonResponse.self)
        return person.id
    }

    @Test("the sign-in, home and contact pages speak Arabic right to left and Chinese left to right",
          arguments: [("ar", "rtl", "ar-EG,ar;q=0.9"), ("zh", "ltr", "zh-Hans-CN,zh;q=0.9")])
    func pagesInTheChosenLanguage(code: String, dir: String, acceptLanguage: String) async throws {
        let m = try Self.messages(code)
        let keys = Set(try Self.messages("en").keys)
        try await TestApp.run { t in
            let header = ("Accept-Language", acceptLanguage)
            let login = try await t.send(.GET, "/login", headers: [header])
            #expect(login.status == .ok && login.text.contains(#"<html lang="\#(code)" dir="\#(dir)">"#))
            #expect(login.headers.first(name: "Content-Language") == code)
            #expect(login.text.contains(Self.word(m, "login_title")))
            let loginRaw = try Self.rawKeys(in: login.text, keys: keys)
            #expect(loginRaw.isEmpty, "\(loginRaw)")

            let (jar, _) = try await t.browserSignIn("officer", headers: [header])
            for (path, title) in [("/home", "home_title"), ("/contacts/new", "contact_new_title")] {
                let page = try await t.send(.GET, path, headers: [jar.header, header])
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains(#"<html lang="\#(code)" dir="\#(dir)">"#), "\(path)")
                #expect(page.text.contains(Self.word(m, title)), "\(path)")
                let raw = try Self.rawKeys(in: page.text, keys: keys)
                #expect(raw.isEmpty, "\(path): \(raw)")
            }
        }
    }

    @Test("error pages are in the page's language for 404, 403 and other client errors", arguments: ["ar", "zh"])
    func errorPages(code: String) async throws {
        let m = try Self.messages(code)
        try await TestApp.run { t in
            let cookie = ("Cookie", "lang=\(code)")
            let missing = try await t.send(.GET, "/no-such-page", headers: [cookie])
            #expect(missing.status == .notFound && missing.text.contains(Self.word(m, "error_not_found")))
            #expect(missing.text.contains(#"lang="\#(code)""#) && missing.text.contains(Self.word(m, "error_title")))

            var (jar, _) = try await t.browserSignIn("provider")
            jar.values["lang"] = code
            let forbidden = try await t.send(.GET, "/admin/policies", headers: [jar.header])
            #expect(forbidden.status == .forbidden && forbidden.text.contains(Self.word(m, "error_forbidden")), "\(forbidden.status)")

            // A form posted without its token: the CSRF refusal, in the page's language.
            let refused = try await t.send(.POST, "/contacts", headers: [jar.header], body: "x=1", contentType: "application/x-www-form-urlencoded")
            #expect(refused.status.code >= 400 && refused.status.code < 500)
            #expect(refused.text.contains(#"lang="\#(code)""#) && refused.text.contains(Self.word(m, "login_expired_form")), "\(refused.status)")

            // A form the server cannot read (a list where a number belongs): 422, in the page's language.
            var (officer, _) = try await t.browserSignIn("officer")
            officer.values["lang"] = code
            let blank = try await t.send(.GET, "/contacts/new", headers: [officer.header])
            let csrf = try #require(hiddenField("csrf", in: blank.text))
            let unreadable = try await t.send(.POST, "/contacts", headers: [officer.header], body: "csrf=\(csrf)&seizures[0][quantity][x]=1",
                                              contentType: "application/x-www-form-urlencoded")
            #expect(unreadable.status == .unprocessableEntity)
            #expect(unreadable.text.contains(Self.word(m, "error_invalid_input")) && unreadable.text.contains(#"dir="\#(code == "ar" ? "rtl" : "ltr")""#))
        }
    }

    @Test("each client error status has its own message in every language")
    func clientErrorMessages() throws {
        let statuses = [400, 405, 409, 413, 415, 422, 429]
        #expect(Set(statuses.map(WebErrorPage.messageKey)).count == statuses.count)
        for code in Localizer.supported {
            let m = try Self.messages(code)
            for status in statuses { #expect(m[WebErrorPage.messageKey(status)] != nil, "\(code) \(status)") }
        }
    }

    @Test("the printable consent follows the person's language, region subtags included, whatever the staff member reads",
          arguments: [("ar-EG", "ar", "rtl", "نوفمبر"), ("zh-Hans-CN", "zh", "ltr", "2026年11月"), ("arb", "ar", "rtl", "نوفمبر")])
    func consentInThePersonsLanguage(tag: String, code: String, dir: String, month: String) async throws {
        let m = try Self.messages(code)
        try await TestApp.run { t in
            let personId = try await Self.person(t, prefers: tag)
            let (jar, _) = try await t.browserSignIn("provider")
            let page = try await t.send(.GET, "/people/\(personId)/consents", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let recorded = try await t.send(.POST, "/people/\(personId)/consents", headers: [jar.header], body: form([
                "csrf": csrf, "recipientAgencyType": "supervision", "categories[]": "drug_test_results", "purpose": "supervision",
                "validFrom": formTime(t.clock.now), "validUntil": formTime(t.clock.now.addingTimeInterval(30 * 86_400)),
                "method": "witnessed", "measureId": "",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(recorded.status == .seeOther, "\(recorded.text.prefix(300))")
            let personID = try #require(UUID(uuidString: personId))
            let consent = try #require(try await ConsentStore().consents(of: personID, on: t.app.db).first)
            let printed = try await t.send(.GET, "/consents/\(consent.id.uuidString.lowercased())/print", headers: [jar.header])
            #expect(printed.status == .ok)
            // The layout stays in the staff member's English; the form itself is in the person's language.
            #expect(printed.text.contains(#"<html lang="en" dir="ltr">"#))
            #expect(printed.text.contains(#"id="consent-print" lang="\#(code)" dir="\#(dir)""#))
            #expect(printed.text.contains(Self.word(m, "consent_form_title")))
            #expect(printed.text.contains(Self.word(m, "category_drug_test_results")))
            #expect(printed.text.contains(month), "dates written for \(code)")
            #expect(printed.text.contains(LocaleFormat(code).date(CalendarDate(year: 1994, month: 3, day: 9))))
        }
    }

    @Test("the call-in answer is in the person's language with the day written for it",
          arguments: [("zh-CN", "zh", "ltr", "2026年11月18日"), ("ar-EG", "ar", "rtl", "18 نوفمبر")])
    func callInInThePersonsLanguage(tag: String, code: String, dir: String, day: String) async throws {
        let m = try Self.messages(code)
        try await TestApp.run { t in
            let personId = try await Self.person(t, prefers: tag)
            _ = try await DrugTestingAPITests.order(t, personId: personId)
            let supervisor = try await t.token("supervisor")
            let issued = try await t.send(.POST, "/api/v1/persons/\(personId)/call-in-code", token: supervisor)
                .json(DrugTestController.CallInCodeResponse.self).code
            let asked = try await t.send(.POST, "/call-in", body: "code=\(issued)&day=today", contentType: "application/x-www-form-urlencoded")
            #expect(asked.status == .ok)
            #expect(asked.text.contains(#"id="call-in-answer" lang="\#(code)" dir="\#(dir)""#))
            let answer = Self.word(m, "call_in_test_today").replacingOccurrences(of: "{start}", with: "07:00")
                .replacingOccurrences(of: "{end}", with: "15:00")
            #expect(asked.text.contains(answer), "\(asked.text)")
            #expect(asked.text.contains(day))
        }
    }

    @Test("a person's language tag picks the catalogue of its language", arguments: [
        ("ar", "ar"), ("ar-EG", "ar"), ("AR-ma", "ar"), ("arb", "ar"), ("zh", "zh"), ("zh-Hans", "zh"), ("zh-Hans-CN", "zh"),
        ("zh-CN", "zh"), ("zh-Hant-TW", "zh"), ("cmn", "zh"), ("es-419", "es"), ("fr-CA", "fr"), ("ru-RU", "ru"), ("en_GB", "en"),
    ])
    func catalogueForTag(tag: String, expected: String) {
        #expect(Localizer.catalogue(for: tag) == expected)
    }

    @Test("a language the interface does not speak has no catalogue", arguments: ["pt-BR", "fa", "", "x-private"])
    func noCatalogue(tag: String) {
        #expect(Localizer.catalogue(for: tag) == nil)
    }
}

/// Dates, numbers, percentages and money as each language writes them.
@Suite("Locale formatting")
struct LocaleFormatTests {
    static let instant = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18 11:06:40 UTC

    @Test("days, times, numbers, shares and money follow the language", arguments: [
        ("en", "Nov 18, 2026", "11:06", "1,234,567.5", "25.6%", "1,234.50"),
        ("es", "18 nov 2026", "11:06", "1.234.567,5", "25,6", "1234,50"),
        ("fr", "18 nov. 2026", "11:06", "234\u{202F}567,5", "25,6", "234,50"),
        ("ru", "18 нояб. 2026", "11:06", "234\u{00A0}567,5", "25,6", "234,50"),
        ("ar", "18 نوفمبر", "11:06", "1,234,567.5", "25.6", "1,234.50"),
        ("zh", "2026年11月18日", "11:06", "1,234,567.5", "25.6%", "1,234.50"),
    ])
    func formats(code: String, day: String, time: String, number: String, percent: String, money: String) {
        let f = LocaleFormat(code)
        #expect(f.date(CalendarDate(year: 2026, month: 11, day: 18)).contains(day), "\(f.date(CalendarDate(year: 2026, month: 11, day: 18)))")
        #expect(f.date(Self.instant) == f.date(CalendarDate(year: 2026, month: 11, day: 18)))
        let dateTime = f.dateTime(Self.instant)
        #expect(dateTime.contains(day) && dateTime.contains("UTC"), "\(dateTime)")
        // Arabic writes 11:06 AM as ١١:٠٦ ص with Arabic digits unless told otherwise; we ask for Latin digits.
        #expect(dateTime.contains(time) || dateTime.contains("11:06"), "\(dateTime)")
        #expect(f.number(1_234_567.5).contains(number), "\(f.number(1_234_567.5))")
        #expect(f.percent(0.256).contains(percent), "\(f.percent(0.256))")
        let eur = f.money(Decimal(string: "1234.5") ?? 0, currency: "EUR")
        #expect(eur.contains(money) && eur.contains("€"), "\(eur)")
    }

    @Test("Arabic numbers use Latin digits, so figures match what is typed into forms")
    func arabicDigits() {
        let f = LocaleFormat("ar")
        let text = f.number(1234) + f.dateTime(Self.instant) + f.money(50, currency: "EUR")
        #expect(!text.unicodeScalars.contains { (0x0660...0x0669).contains($0.value) || (0x06F0...0x06F9).contains($0.value) }, "\(text)")
        #expect(f.dateTime(Self.instant).contains("\u{2066}UTC\u{2069}"))
        #expect(f.arrow == "←" && LocaleFormat("zh").arrow == "→")
    }

    @Test("a time zone other than UTC is named after the time", arguments: ["en", "ar"])
    func otherZone(code: String) throws {
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let text = LocaleFormat(code).dateTime(Self.instant, timeZone: tokyo)
        #expect(text.contains("Asia/Tokyo") && (text.contains("20:06") || text.contains("8:06")), "\(text)")
    }

    @Test("money without a currency code, or with a wrong one, stays a plain number", arguments: [("", "50"), ("euro", "50 EURO"), ("12", "50 12")])
    func oddCurrencies(code: String, expected: String) {
        #expect(LocaleFormat("en").money(50, currency: code) == expected)
    }

    @Test("numbers that are not finite show nothing")
    func notFinite() {
        #expect(LocaleFormat("fr").number(Double.nan).isEmpty && LocaleFormat("fr").percent(.infinity).isEmpty)
    }
}

/// Sentences the domain writes in English, shown in the page's language.
@Suite("Standard wording")
struct StandardWordingTests {
    @Test("the standard redisclosure notice is translated; a jurisdiction's own notice is kept as written", arguments: ["ar", "zh", "es"])
    func notice(code: String) throws {
        let t = try LocalizedPagesTests.messages(code)
        let standard = JurisdictionPolicy.Disclosure.standard.redisclosureNotice
        #expect(StandardWording.notice(standard, t) == t["disclosure_notice_standard"])
        #expect(StandardWording.notice(standard, t) != standard)
        #expect(StandardWording.notice("Local wording.", t) == "Local wording.")
    }

    @Test("the ratio of incentives to sanctions reads in the page's language", arguments: [
        ("en", ResponseRatio(incentives: 1, sanctions: 2), "Incentives: 1, sanctions: 2 (0.5:1) · below the 4:1 aim"),
        ("fr", ResponseRatio(incentives: 9, sanctions: 2), "Incitations : 9, sanctions : 2 (4,5:1)"),
        ("zh", ResponseRatio(incentives: 0, sanctions: 0), "尚无奖励或惩戒"),
        ("ar", ResponseRatio(incentives: 3, sanctions: 0), "الحوافز: 3؛ لا جزاءات"),
    ])
    func ratio(code: String, ratio: ResponseRatio, expected: String) throws {
        #expect(StandardWording.ratio(ratio, try LocalizedPagesTests.messages(code), LocaleFormat(code)) == expected)
    }
}
