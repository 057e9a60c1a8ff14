import DiversionCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Field error reasons on pages in every language: the catalogues cover every sentence the sources can give,
/// patterns carry their values, and a form sent in Arabic or Chinese shows its errors in that language.
@Suite("Field messages in six languages")
struct FieldMessageTests {
    static let folder = MessageKeyTests.appSources.appendingPathComponent("Resources/Locales/validation")
    static let languages = Localizer.supported.filter { $0 != Localizer.fallback }

    static func catalogue(_ code: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("\(code).json")))
    }

    @Test("the English list is what the extraction script finds in the sources today")
    func englishListMatchesTheSources() throws {
        let root = MessageKeyTests.appSources.deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/i18n/extract_field_messages.py").path, "--check"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    @Test("every English sentence has a translation in each language, with the same placeholders", arguments: languages)
    func everySentenceIsTranslated(code: String) throws {
        let english = try Self.catalogue("en")
        let own = try Self.catalogue(code)
        #expect(english.count > 300)
        let missing = english.keys.filter { (own[$0] ?? "").isEmpty }.sorted()
        #expect(missing.isEmpty, "\(code) lacks \(missing.count): \(missing.prefix(5))")
        let stray = Set(own.keys).subtracting(english.keys).sorted()
        #expect(stray.isEmpty, "\(code) has sentences the sources no longer give: \(stray.prefix(5))")
        for (pattern, translation) in own where english[pattern] != nil {
            let slots = FieldMessageTranslator.Entry.slots(pattern)
            #expect(FieldMessageTranslator.Entry.slots(translation) == slots, "\(code): \(pattern) → \(translation)")
        }
    }

    @Test("no translation uses a stigmatising word for people who use drugs", arguments: languages)
    func noStigmatisingWords(code: String) throws {
        let words = ["addict", "abuser", "junkie", "adict", "toxicomane", "drogadict", "наркоман", "مدمن", "瘾君子", "吸毒者"]
        for translation in try Self.catalogue(code).values {
            let lower = translation.lowercased()
            #expect(!words.contains { lower.contains($0) }, "\(code): \(translation)")
        }
    }

    static let table = FieldMessageTranslator(catalogues: [
        "fr": [
            "Enter at most {0} characters.": "Saisissez au plus {0} caractères.",
            "The end date {0} is before the start date {1}.": "La date de fin {0} est antérieure à la date de début {1}.",
            "'{0}' is not a unit; use {1}.": "« {0} » n’est pas une unité ; utilisez {1}.",
            "{0}; use {1}.": "{0} ; utilisez {1}.",
            "Choose a service.": "Choisissez un service.",
            "Say why the person is referred.": "Expliquez pourquoi la personne est orientée.",
        ],
        "ru": ["Give from {0} to {1} minutes.": "Укажите от {1} до {0} минут."],
        "zh": ["Choose a service.": "请选择一项服务。", "Say why the person is referred.": "请说明转介此人的原因。"],
    ])

    @Test("patterns carry their values into the translation; unknown reasons and English stay as they are", arguments: [
        ("fr", "Enter at most 200 characters.", "Saisissez au plus 200 caractères."),
        ("fr", "The end date 2026-03-01 is before the start date 2026-03-05.",
         "La date de fin 1 mars 2026 est antérieure à la date de début 5 mars 2026."),
        ("fr", "'kg2' is not a unit; use g, kg, ml.", "« kg2 » n’est pas une unité ; utilisez g, kg, ml."),
        ("fr", "Wrong; use x.", "Wrong ; utilisez x."),
        ("fr", "Choose a service.", "Choisissez un service."),
        ("fr", "Choose a service. Say why the person is referred.", "Choisissez un service. Expliquez pourquoi la personne est orientée."),
        ("zh", "Choose a service. Say why the person is referred.", "请选择一项服务。请说明转介此人的原因。"),
        ("fr", "Choose a service. Something new.", "Choose a service. Something new."),
        ("fr", "A sentence nobody wrote.", "A sentence nobody wrote."),
        ("ru", "Give from 5 to 90 minutes.", "Укажите от 90 до 5 минут."),
        ("en", "Enter at most 200 characters.", "Enter at most 200 characters."),
        ("es", "Enter at most 200 characters.", "Enter at most 200 characters."),
    ])
    func patternsMatchWithValues(code: String, reason: String, shown: String) {
        #expect(Self.table.translate(reason, into: code) == shown)
    }

    @Test("the more literal of two matching patterns wins")
    func theMostLiteralPatternWins() {
        let t = FieldMessageTranslator(catalogues: ["es": ["{0} is in the future.": "A", "The contact {0} is in the future.": "B {0}"]])
        #expect(t.translate("The contact 3 is in the future.", into: "es") == "B 3")
        #expect(t.translate("Tomorrow is in the future.", into: "es") == "A")
    }

    @Test("every catalogued sentence with sample values comes back translated, never as English", arguments: languages)
    func catalogueSentencesTranslate(code: String) throws {
        let translator = try FieldMessageTranslator(directory: Self.folder)
        for pattern in try Self.catalogue("en").keys {
            // Values that cannot be mistaken for pattern text.
            var reason = pattern
            for n in FieldMessageTranslator.Entry.slots(pattern) { reason = reason.replacingOccurrences(of: "{\(n)}", with: "⟨\(n)⟩") }
            let shown = translator.translate(reason, into: code)
            #expect(shown != reason || code == "es" && pattern == "{0}; use {1}.", "\(code): \(pattern)")
            for n in FieldMessageTranslator.Entry.slots(pattern) {
                #expect(shown.contains("⟨\(n)⟩"), "\(code): \(pattern) → \(shown)")
            }
        }
    }

    @Test("an invalid contact form shows its field errors in Arabic and Chinese", arguments: [("ar", "ar-EG,ar;q=0.9"), ("zh", "zh-CN,zh;q=0.9")])
    func contactFormErrorsAreTranslated(code: String, acceptLanguage: String) async throws {
        let catalogue = try Self.catalogue(code)
        try await TestApp.run { t in
            let header = ("Accept-Language", acceptLanguage)
            let (jar, _) = try await t.browserSignIn("officer", headers: [header])
            let page = try await t.send(.GET, "/contacts/new", headers: [jar.header, header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let sent = try await t.send(.POST, "/contacts", headers: [jar.header, header], body: form([
                "csrf": csrf, "personId": "", "givenName": "", "familyName": "Teste", "birthDate": "2090-01-02", "sex": "male",
                "occurredAt": "", "region": "R1", "offence": "possession_personal_use",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(sent.status == .unprocessableEntity)
            for english in ["The given name is required.", "Write the time as ISO 8601, for example 2026-11-20T21:40:00Z."] {
                let translated = try #require(catalogue[english])
                #expect(sent.text.contains(translated), "\(code): \(english)")
                #expect(!sent.text.contains(english), "\(code): \(english)")
            }
            // A pattern: the date it carries is written the language's way.
            let future = try #require(catalogue["The birth date {0} is in the future."])
            let day = LocaleFormat(code).date(CalendarDate(year: 2090, month: 1, day: 2))
            #expect(sent.text.contains(future.replacingOccurrences(of: "{0}", with: day)), "\(code): \(day)")
            #expect(!sent.text.contains("is in the future"))
        }
    }

    @Test("a validation failure that reaches the error page lists its reasons in the page's language")
    func errorPageTranslatesReasons() async throws {
        let french = try #require(try Self.catalogue("fr")["Give a list of {0} answers in item order."])
        try await TestApp.run { t in
            let failure = ValidationFailure([FieldError("answers", "Give a list of 10 answers in item order.")])
            let request = Request(application: t.app, headers: ["Accept-Language": "fr"], on: t.app.eventLoopGroup.any())
            let response = try await WebErrorPage.response(
                for: ProblemMiddleware.problem(for: failure, request: request), error: failure, request: request)
            let html = response.body.string ?? ""
            #expect(response.status == .unprocessableEntity)
            #expect(html.contains(french.replacingOccurrences(of: "{0}", with: "10")))
            #expect(!html.contains("Give a list"))
        }
    }

    @Test("the same form in English keeps the English sentences")
    func contactFormErrorsStayEnglish() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let page = try await t.send(.GET, "/contacts/new", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let sent = try await t.send(.POST, "/contacts", headers: [jar.header], body: form([
                "csrf": csrf, "personId": "", "givenName": "", "familyName": "Teste", "birthDate": "1990-02-03", "sex": "male",
                "occurredAt": "", "region": "R1", "offence": "possession_personal_use",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(sent.status == .unprocessableEntity)
            #expect(sent.text.contains("The given name is required."))
        }
    }
}
