import DiversionCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// What the rules say about a case (eligibility reasons and indicators, screening recommendations) in every language:
/// the reasons catalogue covers every sentence the rules can give, and the contact page shows them translated.
@Suite("Eligibility and screening wording in six languages")
struct EligibilityWordingTests {
    static let folder = MessageKeyTests.appSources.appendingPathComponent("Resources/Locales/reasons")
    static let languages = Localizer.supported.filter { $0 != Localizer.fallback }

    static func catalogue(_ code: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent("\(code).json")))
    }

    static func translator() throws -> FieldMessageTranslator {
        try FieldMessageTranslator(directory: FieldMessageTests.folder, reasons: folder)
    }

    @Test("every screening level the instruments give has a word in each language, zone numerals aside")
    func everyScreeningLevelHasAWord() throws {
        struct Case: Decodable { struct Expected: Decodable { var level: String? }; var expected: Expected }
        let vectors = MessageKeyTests.appSources.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/vectors/screening.json")
        let levels = Set(try JSONDecoder().decode([Case].self, from: Data(contentsOf: vectors)).compactMap(\.expected.level))
        let words = levels.filter { !["I", "II", "III", "IV"].contains($0) }
        #expect(words.count >= 8, "\(levels.sorted())")
        let localizer = try Localizer(directory: AppResources.directory.appendingPathComponent("Locales"))
        for code in Localizer.supported {
            let messages = localizer.messages(code)
            for level in words { #expect(messages["screening_level_\(level)"] != nil, "\(code) lacks a word for \(level)") }
        }
    }

    @Test("every reason pattern has a translation in each language, with the same placeholders", arguments: languages)
    func everyReasonIsTranslated(code: String) throws {
        let english = try Self.catalogue("en")
        let own = try Self.catalogue(code)
        #expect(english.count > 50)
        let missing = english.keys.filter { (own[$0] ?? "").isEmpty }.sorted()
        #expect(missing.isEmpty, "\(code) lacks \(missing.count): \(missing.prefix(5))")
        #expect(Set(own.keys).subtracting(english.keys).isEmpty, "\(code) has reasons the rules no longer give")
        let words = ["addict", "abuser", "junkie", "adict", "toxicomane", "drogadict", "наркоман", "مدمن", "瘾君子", "吸毒者"]
        for (pattern, translation) in own {
            #expect(FieldMessageTranslator.Entry.slots(translation) == FieldMessageTranslator.Entry.slots(pattern), "\(code): \(pattern) → \(translation)")
            #expect(translation != pattern, "\(code): \(pattern) is English")
            #expect(!words.contains { translation.lowercased().contains($0) }, "\(code): \(translation)")
        }
    }

    @Test("every reason sentence with sample values comes back translated and keeps its values", arguments: languages)
    func reasonSentencesTranslate(code: String) throws {
        let translator = try Self.translator()
        for pattern in try Self.catalogue("en").keys where FieldMessageTranslator.isSentence(pattern) {
            var reason = pattern
            for n in FieldMessageTranslator.Entry.slots(pattern) { reason = reason.replacingOccurrences(of: "{\(n)}", with: "⟨\(n)⟩") }
            let shown = translator.translate(reason, into: code)
            #expect(shown != reason, "\(code): \(pattern)")
            for n in FieldMessageTranslator.Entry.slots(pattern) { #expect(shown.contains("⟨\(n)⟩"), "\(code): \(pattern) → \(shown)") }
        }
    }

    @Test("words, fragments, lists and names inside a reason are translated as well", arguments: [
        ("es", "Heroin 1 g at 30 % assumed purity = 0.3 g pure ≤ 0.5 g personal-use threshold (pure).",
         "Heroína 1 g con una pureza supuesta del 30 % = 0,3 g de sustancia pura ≤ umbral de consumo personal de 0,5 g (sustancia pura)."),
        ("fr", "Heroin was found with scales, cash. A possible sign of supply, not proof.",
         "Éléments trouvés avec Héroïne : une balance, de l’argent liquide. Un signe possible d’approvisionnement, pas une preuve."),
        ("zh", "At the pre-trial stage the police may divert: referral to treatment.", "在审前阶段，警方可以分流：转介治疗。"),
        ("ru", "Brief intervention. Injecting in the past 3 months: ask how often; more than 4 times a month on average is a reason to refer.",
         "Краткое вмешательство. Инъекции за последние 3 месяца: уточните частоту; в среднем более 4 раз в месяц — основание для направления."),
    ])
    func valuesAreTranslated(code: String, reason: String, shown: String) throws {
        let names = ["Heroin": code == "es" ? "Heroína" : "Héroïne", "referral to treatment": "转介治疗"]
        #expect(try Self.translator().translate(reason, into: code, names: names) == shown)
    }

    @Test("every rule's sentence the core gives for a case is translated", arguments: languages)
    func coreAnswersTranslate(code: String) throws {
        let policy = try SharedVectorTests.policy("demo.yaml")
        let translator = try Self.translator()
        var question = EligibilityQuestion(occurredOn: CalendarDate(year: 2026, month: 11, day: 18), offences: ["possession_personal_use"], seizures: [
            SeizureRecord(substance: "heroin", quantity: 900, unit: "mg", packaging: ["scales", "cash"]),
            SeizureRecord(substance: "cannabis_herb", quantity: 12.5, unit: "g"),
        ])
        question.circumstances.weapon = true
        question.history.diversions = [CalendarDate(year: 2025, month: 3, day: 1)]
        let answer = try Eligibility.evaluate(question, under: policy)
        for text in answer.reasons.map(\.detail) + answer.indicators.map(\.detail) {
            let shown = translator.translate(text, into: code)
            #expect(shown != text, "\(code): \(text)")
            for english in ["threshold", "trafficking", "recorded", "divert", "proof", "earlier", "purity", "was found"] {
                #expect(!shown.contains(english), "\(code): \(shown)")
            }
        }
    }

    @Test("the contact result page in Arabic and Chinese shows the reasons translated, quantities kept", arguments: [
        ("ar", "ar-EG,ar;q=0.9"), ("zh", "zh-CN,zh;q=0.9"),
    ])
    func contactPageShowsTranslatedReasons(code: String, acceptLanguage: String) async throws {
        let catalogue = try Self.catalogue(code)
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let body = contactBody(#""personId":"\#(personId)""#, seizures: #"[{"substance":"cannabis_herb","quantity":12.5,"unit":"g","packaging":["scales"]}]"#)
            let recorded = try await t.send(.POST, "/api/v1/contacts", token: token, body: body, contentType: "application/json")
            try #require(recorded.status == .created, "\(recorded.text)")
            let contact = try recorded.json(ContactResponse.self)
            let header = ("Accept-Language", acceptLanguage)
            let (jar, _) = try await t.browserSignIn("officer", headers: [header])
            let page = try await t.send(.GET, "/contacts/\(contact.id)", headers: [jar.header, header])
            #expect(page.status == .ok)
            let reasons = try #require(page.text.components(separatedBy: #"id="reasons">"#).dropFirst().first?.components(separatedBy: "</ul>").first)
            #expect(reasons.contains("12.5"), "\(reasons)")
            #expect(reasons.contains(try #require(catalogue["No violence was recorded."])))
            for english in ["personal-use threshold", "trafficking", "was recorded", "may divert", "non-violent", "A possible sign"] {
                #expect(!page.text.contains(english), "\(code): \(english)")
            }
            let indicator = try #require(catalogue["{0} was found with {1}. A possible sign of supply, not proof."])
            #expect(page.text.contains(indicator.components(separatedBy: "{1}").last ?? "—"), "\(code): the packaging indicator")
        }
    }

    @Test("a screening's recommendation on the contact page is shown in Spanish")
    func screeningRecommendationInSpanish() async throws {
        let spanish = try #require(try Self.catalogue("es")["Positive screen: complete the full AUDIT or assess alcohol use further."])
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let recorded = try await t.send(.POST, "/api/v1/contacts", token: token, body: contactBody(#""personId":"\#(personId)""#), contentType: "application/json")
            let contact = try recorded.json(ContactResponse.self)
            let screened = try await t.send(.POST, "/api/v1/screenings", token: token,
                                            body: #"{"personId":"\#(personId)","instrument":"auditc","answers":[2,1,1]}"#, contentType: "application/json")
            try #require(screened.status == .created, "\(screened.text)")
            let header = ("Accept-Language", "es-ES,es;q=0.9")
            let (jar, _) = try await t.browserSignIn("officer", headers: [header])
            let page = try await t.send(.GET, "/contacts/\(contact.id)", headers: [jar.header, header])
            #expect(page.text.contains(spanish))
            #expect(!page.text.contains("Positive screen"))
        }
    }
}
