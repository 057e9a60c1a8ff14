import DiversionCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// What supervision and administration are told in every language: the response matrix's suggestions, a phase's
/// promotion criteria, the problems of a policy file, and period labels on charts.
@Suite("Supervision and policy wording in six languages")
struct SupervisionWordingTests {
    static let languages = EligibilityWordingTests.languages
    /// English words that must not survive in a translated suggestion or criterion.
    static let english = [" as a", "escalate", "incentive", "missed", "last resort", "criteria met", "needed", " days", "first,",
                          "treatment adjustment", "Eligible", "in phase", "phase criteria", "promote", "positive test", "warning", "not yet"]

    static func names(_ code: String, _ matrix: ResponseMatrix = .standard) throws -> [String: String] {
        let localizer = try Localizer(directory: AppResources.directory.appendingPathComponent("Locales"))
        return PolicyWording(language: code, messages: localizer.messages(code)).responseNames(matrix)
    }

    @Test("every suggestion the standard matrix gives, for every behaviour, phase and repetition, is translated", arguments: languages)
    func everySuggestionTranslates(code: String) throws {
        let translator = try EligibilityWordingTests.translator()
        let names = try Self.names(code)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var checked = 0
        for behaviour in Behaviour.allCases {
            for phase in ResponseMatrix.standard.phases.map(\.number) {
                for occurrences in [0, 1, 2, 4, 10, 11, 21, 22, 23] {
                    let history = (0..<occurrences).map { BehaviourRecord(behaviour: behaviour, occurredAt: now.addingTimeInterval(-Double($0 + 1) * 3_600)) }
                    for days in [5, 200] {
                        for suggestion in ResponseAdvisor.suggest(behaviour, phase: phase, history: history, daysInTreatment: days, now: now) {
                            let shown = translator.translate(suggestion.reason, into: code, names: names)
                            checked += 1
                            for word in Self.english { #expect(!shown.contains(word), "\(code): \(suggestion.reason) → \(shown)") }
                        }
                    }
                }
            }
        }
        #expect(checked > 500)
    }

    @Test("a repeated behaviour's suggestion reads in the language with the behaviour, the repetition and the escalation", arguments: [
        ("es", "Análisis no realizado (2.ª vez en 30 días): aumentar a más análisis."),
        ("fr", "Test manqué (2e fois en 30 jours) : passer à "),
        ("zh", "未参加检测（30天内第2次）：升级为"),
    ])
    func suggestionWording(code: String, starts: String) throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let history = [BehaviourRecord(behaviour: .missedTest, occurredAt: now.addingTimeInterval(-86_400))]
        let suggestions = ResponseAdvisor.suggest(.missedTest, phase: 2, history: history, daysInTreatment: 100, now: now)
        let reasons = try suggestions.map { try EligibilityWordingTests.translator().translate($0.reason, into: code, names: try Self.names(code)) }
        #expect(reasons.contains { $0.hasPrefix(starts) }, "\(suggestions.map(\.reason)) → \(reasons)")
    }

    @Test("every promotion criterion, met or not, is translated, and a rate keeps its decimal the language's way", arguments: languages)
    func promotionCriteriaTranslate(code: String) throws {
        let translator = try EligibilityWordingTests.translator()
        let names = try Self.names(code)
        let matrix = ResponseMatrix.standard
        for phase in matrix.phases {
            for (days, negatives, attendance) in [(0, 0, 0.5), (1, 1, 0.925), (400, 30, 1.0), (29, 3, 0.8), (5, 2, 1.5)] {
                let result = PhasePromotion.check(phase: phase, in: matrix, daysInPhase: days, consecutiveNegatives: negatives, attendanceRate: attendance)
                let shown = translator.translate(result.reasons.joined(separator: " "), into: code, names: names)
                for word in Self.english { #expect(!shown.contains(word), "\(code): \(result.reasons) → \(shown)") }
                if attendance == 0.925 {
                    #expect(shown.contains(code == "zh" || code == "ar" ? "92.5" : "92,5"), "\(code): \(shown)")
                }
            }
        }
    }

    @Test("decimal numbers inside a reason are written the language's way; whole numbers and years are left alone", arguments: [
        ("es", "Cannabis herb 12.5 g ≤ 25 g personal-use threshold (gross).", "12,5 g"),
        ("ru", "No appointment has been recorded in this phase since 2026-03-02; record attendance first.", "С 2 марта 2026"),
        ("fr", "Attendance 2026 %, at least 80 % needed: met.", "2026 %"),
    ])
    func numbersInReasons(code: String, reason: String, expected: String) throws {
        let shown = try EligibilityWordingTests.translator().translate(reason, into: code)
        #expect(shown != reason && shown.contains(expected), "\(shown)")
    }

    @Test("the responses page suggests in Spanish with its reasons translated")
    func responsesPageInSpanish() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t, start: "2026-10-01")
            var (jar, _) = try await t.browserSignIn("supervisor")
            jar.values["lang"] = "es"
            let page = try await t.send(.GET, "/measures/\(id)/responses", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let suggested = try await t.send(.POST, "/measures/\(id)/responses/suggest", headers: [jar.header],
                                             body: form(["csrf": csrf, "behaviour": "missed_appointment", "occurredAt": "2026-11-17T09:30"]),
                                             contentType: "application/x-www-form-urlencoded")
            #expect(suggested.status == .ok)
            #expect(suggested.text.contains("(1.ª vez en "), "\(suggested.text)")
            #expect(suggested.text.contains("como primera respuesta."))
            for word in ["as a first response", "First missed", " in 30 days"] { #expect(!suggested.text.contains(word), "\(word)") }
        }
    }

    @Test("a refused promotion on the measure page lists the criteria in Russian")
    func promotionRefusedInRussian() async throws {
        try await TestApp.run { t in
            let id = try await ComplianceAPITests.measure(t, start: "2026-10-01")
            var (jar, _) = try await t.browserSignIn("judge")
            jar.values["lang"] = "ru"
            let page = try await t.send(.GET, "/measures/\(id)", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/measures/\(id)/promotion", headers: [jar.header], body: form(["csrf": csrf]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("Пока не может перейти на этап 2"), "\(refused.text)")
            #expect(refused.text.contains("Отрицательных тестов подряд: 0, нужно не менее 4 (ещё 4): пока не выполнено."))
            for word in ["Not yet eligible", "consecutive negative", "not yet met", "No appointment"] { #expect(!refused.text.contains(word), "\(word)") }
        }
    }

    @Test("the problems of a policy file are listed in French, paths and line numbers kept")
    func policyProblemsInFrench() async throws {
        try await TestApp.run { t in
            var (jar, _) = try await t.browserSignIn("admin")
            jar.values["lang"] = "fr"
            let page = try await t.send(.GET, "/admin/policies", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let document = "jurisdiction: X\nversion: 1\neffectiveDate: soon\nageOfMajority: many\ncolour: blue\n"
            let checked = try await t.send(.POST, "/admin/policies", headers: [jar.header],
                                           body: form(["csrf": csrf, "document": document, "action": "check"]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(checked.status == .unprocessableEntity)
            let problems = try #require(checked.text.components(separatedBy: #"id="policy-problems""#).dropFirst().first)
            #expect(problems.contains("Un nombre entier est attendu."), "\(problems)")
            #expect(problems.contains("Champ inconnu « colour »"), "\(problems)")
            #expect(problems.contains("ageOfMajority"))
            for word in ["Expected", "Unknown field", "is required", "Write the date"] { #expect(!problems.contains(word), "\(word)") }
        }
    }

    @Test("chart periods are named in the reader's language", arguments: [
        ("en", EvidenceDimension.month, "2026-03", "Mar 2026"), ("es", .quarter, "2026-Q1", "T1 2026"),
        ("zh", .quarter, "2026-Q4", "2026年第4季度"), ("ar", .quarter, "2026-Q2", "الربع 2 2026"), ("en", .year, "2026", "2026"),
    ])
    func periodLabels(code: String, dimension: EvidenceDimension, raw: String, shown: String) throws {
        let localizer = try Localizer(directory: AppResources.directory.appendingPathComponent("Locales"))
        let wording = EvidenceWording(t: localizer.messages(code), policy: try SharedVectorTests.policy("demo.yaml"), format: LocaleFormat(code))
        #expect(wording.value(dimension, raw) == shown)
    }

    @Test("a month is written in words in every language, never as its ISO label", arguments: languages)
    func monthLabels(code: String) throws {
        let localizer = try Localizer(directory: AppResources.directory.appendingPathComponent("Locales"))
        let wording = EvidenceWording(t: localizer.messages(code), policy: try SharedVectorTests.policy("demo.yaml"), format: LocaleFormat(code))
        let shown = wording.value(.month, "2026-03")
        #expect(shown != "2026-03" && shown.contains("2026"), "\(code): \(shown)")
    }
}
