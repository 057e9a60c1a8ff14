import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Codes a jurisdiction policy defines, read as words in every language; figures and dates written the page's way.
@Suite("Policy wording and locale figures")
struct PolicyWordingTests {
    static func policy(_ name: String) throws -> JurisdictionPolicy {
        let url = MessageKeyTests.appSources.appendingPathComponent("Resources/Policies/\(name).yaml")
        return try PolicyFile.read(String(contentsOf: url, encoding: .utf8)).get()
    }

    static func wording(_ language: String) throws -> PolicyWording {
        PolicyWording(language: language, messages: try LocalizedPagesTests.messages(language))
    }

    /// snake_case words in the text of a page (outside tags and attributes), such as a code shown as it is stored.
    static func snakeCase(in html: String) throws -> [String] {
        let text = try NSRegularExpression(pattern: "<[^>]*>")
            .stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: " ")
        return Set(try MessageKeyTests.captures(#"(?<![\w./@-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w/@-])"#, in: text)).sorted()
    }

    @Test("every offence, substance and response option of the shipped policies has a message in all six languages")
    func shippedCodesHaveMessages() throws {
        let catalogues = try MessageKeyTests.catalogues()
        var keys: Set<String> = []
        for name in ["demo", "portugal-illustrative", "czechia-illustrative", "mexico-illustrative"] {
            let policy = try Self.policy(name)
            keys.formUnion(policy.offenceCategories.map { "offence_\($0.code)" })
            keys.formUnion(policy.substances.map { "substance_\($0.code)" })
            keys.formUnion(policy.supervision.responses.options.map { "response_option_\($0.code)" })
        }
        keys.formUnion(QuantityUnit.allCases.map { "unit_\($0.rawValue)" })
        keys.formUnion(ResponseMatrix.standard.phases.map { "phase_\($0.number)" })
        #expect(keys.count > 40)
        for key in keys.sorted() {
            let lacking = MessageKeyTests.lacking(key, in: catalogues)
            #expect(lacking.isEmpty, "\(key) missing in \(lacking)")
        }
    }

    @Test("an offence code reads as its translated name, never as the stored code", arguments: [
        ("ar", "الحيازة للاستعمال الشخصي"), ("zh", "为个人使用而持有"), ("es", "Posesión para consumo personal"), ("en", "Possession for personal use"),
    ])
    func offenceIsTranslated(language: String, expected: String) throws {
        let policy = try Self.policy("demo")
        let name = try Self.wording(language).offence("possession_personal_use", in: policy)
        #expect(name == expected)
        #expect(!name.contains("_"))
    }

    @Test("in English the policy's own wording wins; in other languages the translation does")
    func englishKeepsThePolicyWording() throws {
        let portugal = try Self.policy("portugal-illustrative")
        let own = try #require(portugal.offenceCategories.first { $0.code == "possession_personal_use" }?.name)
        #expect(try Self.wording("en").offence("possession_personal_use", in: portugal) == own)
        #expect(try Self.wording("fr").offence("possession_personal_use", in: portugal) == "Détention pour usage personnel")
    }

    @Test("a code nobody names reads as words", arguments: [
        ("unlawful_import_small", "Unlawful import small"), ("khat", "Khat"), ("new-psychoactive.substance", "New psychoactive substance"),
    ])
    func unknownCodeIsReadable(code: String, expected: String) throws {
        let policy = try Self.policy("demo")
        for language in Localizer.supported {
            let w = try Self.wording(language)
            #expect(w.offence(code, in: policy) == expected, "\(language)")
            #expect(w.substance(code, in: nil) == expected, "\(language)")
        }
        #expect(PolicyWording.readable("") == "")
    }

    @Test("a policy's own labels name its custom codes in each language, and a bad language code is refused")
    func policyLabels() throws {
        let demo = try String(contentsOf: MessageKeyTests.appSources.appendingPathComponent("Resources/Policies/demo.yaml"), encoding: .utf8)
        let custom = demo.replacingOccurrences(
            of: "  - {code: drug_related_violence, name: Violence linked to drugs, minor: false, nonViolent: false}",
            with: "  - {code: drug_related_violence, name: Violence linked to drugs, minor: false, nonViolent: false}\n"
                + "  - {code: import_small, name: Small-scale import, minor: true, nonViolent: true, labels: {ar: استيراد بكميات صغيرة, zh: 小额进口}}")
            .replacingOccurrences(
                of: "  - {code: mdma, name: MDMA, unit: tablets, threshold: 4, basis: gross, traffickingMultiple: 25}",
                with: "  - {code: mdma, name: MDMA, unit: tablets, threshold: 4, basis: gross, traffickingMultiple: 25}\n"
                    + "  - {code: khat, name: Khat leaves, unit: g, threshold: 100, basis: gross, traffickingMultiple: 10, labels: {es: Hojas de cat}}")
        #expect(custom != demo)
        let policy = try PolicyFile.read(custom).get()
        #expect(policy.offenceCategories.first { $0.code == "import_small" }?.labels == ["ar": "استيراد بكميات صغيرة", "zh": "小额进口"])
        #expect(try Self.wording("ar").offence("import_small", in: policy) == "استيراد بكميات صغيرة")
        #expect(try Self.wording("zh").offence("import_small", in: policy) == "小额进口")
        // Without a label of its own language a page falls back to the policy's wording, not the code.
        #expect(try Self.wording("ru").offence("import_small", in: policy) == "Small-scale import")
        #expect(try Self.wording("es").substance("khat", in: policy) == "Hojas de cat")

        // A response option of the policy's own matrix carries its labels too (JSON is YAML's flow style).
        var matrix = ResponseMatrix.standard
        let index = try #require(matrix.options.firstIndex { $0.code == "verbal_warning" })
        matrix.options[index].labels = ["es": "Amonestación en sala"]
        let json = try #require(String(data: JSONEncoder().encode(matrix), encoding: .utf8))
        let withMatrix = try PolicyFile.read(custom.replacingOccurrences(of: "  noSignalMinutes: 30\n", with: "  noSignalMinutes: 30\n  responses: \(json)\n")).get()
        let option = try #require(withMatrix.supervision.responses.option("verbal_warning"))
        #expect(try Self.wording("es").response(option) == "Amonestación en sala")
        #expect(try Self.wording("fr").response(option) == "Avertissement oral")

        let wrong = custom.replacingOccurrences(of: "labels: {es: Hojas de cat}", with: "labels: {Spanish: Hojas de cat}")
        guard case .failure(let problems) = PolicyFile.read(wrong) else {
            Issue.record("a label under 'Spanish' was accepted")
            return
        }
        #expect(problems.all.contains { $0.path.hasSuffix("labels.Spanish") && $0.line != nil })
    }

    @Test("response options and the standard phases are translated; a renamed phase keeps the policy's name")
    func responsesAndPhases() throws {
        let warning = try #require(ResponseOption.catalogue.first { $0.code == "verbal_warning" })
        #expect(try Self.wording("es").response(warning) == "Advertencia verbal")
        #expect(try Self.wording("zh").response(warning) == "口头警告")
        #expect(try Self.wording("en").response(warning) == "Verbal warning")
        let first = try #require(ResponseMatrix.standard.phase(1))
        #expect(try Self.wording("ru").phase(first) == "Стабилизация")
        var renamed = first
        renamed.name = "Acogida"
        #expect(try Self.wording("ru").phase(renamed) == "Acogida")
    }

    @Test("the contact form names offences and substances in the page's language, with no code as text", arguments: ["ar", "zh", "es"])
    func contactForm(language: String) async throws {
        let m = try LocalizedPagesTests.messages(language)
        try await TestApp.run { t in
            var (jar, _) = try await t.browserSignIn("officer")
            jar.values["lang"] = language
            for path in ["/contacts/new", "/contacts/offline"] {
                let page = try await t.send(.GET, path, headers: [jar.header])
                #expect(page.status == .ok, "\(path)")
                let offence = try #require(m["offence_possession_personal_use"])
                #expect(page.text.contains(#"<option value="possession_personal_use">\#(offence)</option>"#), "\(path)")
                let substance = try #require(m["substance_cannabis_herb"])
                #expect(page.text.contains(substance), "\(path)")
                #expect(!page.text.contains(">Possession for personal use<"), "\(path)")
                let raw = try Self.snakeCase(in: page.text)
                #expect(raw.isEmpty, "\(path): \(raw)")
            }
        }
    }

    @Test("a person's timeline names the contact's offence in the page's language", arguments: ["ar", "zh", "es"])
    func timeline(language: String) async throws {
        let m = try LocalizedPagesTests.messages(language)
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let recorded = try await t.send(.POST, "/api/v1/contacts", token: token, body: contactBody(#""personId":"\#(personId)""#), contentType: "application/json")
            try #require(recorded.status == .created, "\(recorded.text)")
            var (jar, _) = try await t.browserSignIn("officer")
            jar.values["lang"] = language
            let page = try await t.send(.GET, "/people/\(personId)/timeline", headers: [jar.header])
            #expect(page.status == .ok)
            let offence = try #require(m["offence_possession_personal_use"])
            #expect(page.text.contains(offence))
            #expect(!page.text.contains("possession_personal_use"))
        }
    }

    @Test("the measure page writes its dates and figures the page's way and keeps ISO in the form", arguments: [
        ("fr", "1 sept. 2026", "1 mars 2027"), ("es", "1 sept 2026", "1 mar 2027"), ("zh", "2026年9月1日", "2027年3月1日"),
    ])
    func measureDates(language: String, start: String, deadline: String) async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t)
            var (jar, _) = try await t.browserSignIn("judge")
            jar.values["lang"] = language
            let page = try await t.send(.GET, "/measures/\(id)", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(start), "period of \(language)")
            #expect(page.text.contains(deadline), "deadline of \(language)")
            #expect(!page.text.contains("2027-03-01") && !page.text.contains(">2026-09-01"))
            // The outcome form's default day stays ISO, which date inputs read.
            #expect(page.text.contains(#"type="date" value="2026-11-18""#))
            let phase = try #require(try LocalizedPagesTests.messages(language)["phase_1"])
            #expect(page.text.contains(phase))
        }
    }

    @Test("a recorded response is named in Spanish on the responses page, the progress report and the timeline")
    func responsesInSpanish() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t)
            let judge = try await t.token("judge")
            let recorded = try await ResponseAPITests.respond(t, judge, id, "missed_test", at: "2026-11-03T08:00:00Z", option: "verbal_warning")
            try #require(recorded.status == .created)
            var (jar, _) = try await t.browserSignIn("judge")
            jar.values["lang"] = "es"
            let measure = try await t.send(.GET, "/api/v1/measures/\(id)", token: judge).json(MeasureIdentity.self)
            for path in ["/measures/\(id)/responses", "/measures/\(id)/report", "/people/\(measure.personId)/timeline"] {
                let page = try await t.send(.GET, path, headers: [jar.header])
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains("Advertencia verbal"), "\(path)")
                #expect(!page.text.contains("Verbal warning"), "\(path)")
            }
        }
    }

    /// The person a measure belongs to, as the API gives it.
    struct MeasureIdentity: Decodable {
        var personId: String
    }

    @Test("an evidence page in French writes shares with a decimal comma and its period in French")
    func evidenceInFrench() async throws {
        try await TestApp.run { t in
            try await EvidencePagesTests().seeded(t)
            var (jar, _) = try await t.browserSignIn("analyst")
            jar.values["lang"] = "fr"
            let page = try await t.send(.GET, "/analysis", headers: [jar.header])
            #expect(page.status == .ok)
            // 12 of 17 diverted.
            #expect(page.text.contains("<dd>70,6\u{A0}%</dd>"))
            #expect(!page.text.contains("70.6"))
            #expect(page.text.contains("1 déc. 2025") && page.text.contains("18 nov. 2026"))
            #expect(!page.text.contains("2025-12-01 "))
        }
    }
}
