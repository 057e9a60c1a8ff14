import DiversionCore
import Foundation
import Testing
@testable import DiversionApp

/// Every message key the templates and page builders use exists, translated, in all six catalogues.
@Suite("Message keys")
struct MessageKeyTests {
    /// The package's `Sources/DiversionApp`, found from this file so the scan reads the sources, not the build.
    static let appSources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/DiversionApp")

    static func catalogues() throws -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for code in Localizer.supported {
            let url = appSources.appendingPathComponent("Resources/Locales/\(code).json")
            out[code] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        return out
    }

    static func files(under folder: String, ending suffix: String) throws -> [(name: String, text: String)] {
        let root = appSources.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [(String, String)] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(suffix) {
            found.append((url.lastPathComponent, try String(contentsOf: url, encoding: .utf8)))
        }
        return found.sorted { $0.0 < $1.0 }
    }

    static func captures(_ pattern: String, in text: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Keys built by interpolation, each with every value the interpolated enum can take.
    static let enumerated: [(pattern: String, values: [String])] = [
        ("role_{}_title", Role.allCases.map(\.rawValue)),
        ("measure_{}", MeasureType.allCases.map(\.rawValue)),
        ("measure_status_{}", MeasureStatus.allCases.map(\.rawValue) + MeasureOutcome.allCases.map(\.rawValue)),
        ("category_{}", DataCategory.allCases.map(\.rawValue)),
        ("purpose_{}", DisclosurePurpose.allCases.map(\.rawValue)),
        ("consent_{}", ConsentMethod.allCases.map(\.rawValue)),
        ("sex_{}", Sex.allCases.map(\.rawValue)),
        ("modality_{}", Modality.allCases.map(\.rawValue)),
        ("specimen_{}", DrugTestSpecimen.allCases.map(\.rawValue)),
        ("decision_{}", OfficerDecision.allCases.map(\.rawValue)),
        ("status_{}", ReferralStatus.allCases.map(\.rawValue)),
        ("stage_{}", Stage.allCases.map(\.rawValue)),
        ("response_kind_{}", ResponseKind.allCases.map(\.rawValue)),
        ("instrument_{}", ScreeningInstrument.allCases.map(\.rawValue)),
        ("flag_{}", PersonFlag.allCases.map(\.rawValue)),
        ("behaviour_{}", Behaviour.allCases.map(\.rawValue)),
        ("attendance_{}", Attendance.allCases.map(\.rawValue)),
        ("urgency_{}", ReferralUrgency.allCases.map(\.rawValue)),
        ("packaging_{}", PackagingSign.allCases.map(\.rawValue)),
        ("organisation_{}", OrganisationType.allCases.map(\.rawValue)),
        ("kind_{}", ComplianceKind.allCases.map(\.rawValue)),
        ("event_{}", ReferralEventType.allCases.map(\.rawValue)),
        ("day_{}", Curfew.Weekday.allCases.map(\.rawValue)),
        ("condition_{}", ConditionType.allCases.map(\.rawValue)),
        ("breach_action_{}", BreachAction.allCases.map(\.rawValue)),
        ("agency_type_{}", AgencyType.allCases.map(\.rawValue)),
        ("exports_{}_title", ExportStandard.allCases.map(\.rawValue)),
        ("exports_{}_text", ExportStandard.allCases.map(\.rawValue)),
        ("monitoring_zone_{}", MonitoringRules.Zone.Kind.allCases.map(\.rawValue)),
    ]

    /// Values that are rightly the same as English: the product's name and the names of published instruments.
    static let sameInEveryLanguage: Set<String> = [
        "app_name", "instrument_assist", "instrument_audit", "instrument_auditc", "instrument_crafft", "instrument_dast10",
    ]

    /// Words spelt the same in English and the language (cognates), checked by a reader of that language.
    static let cognates: [String: Set<String>] = [
        "es": [
            "organisation_social", "substance_cannabis", "substance_lsd", "substance_mdma", "unit_g", "unit_mg", "unit_µg",
        ],
        "fr": [
            "capacity_places", "case_conditions", "condition_latitude", "condition_longitude", "condition_programme",
            "consent_form_signature", "contact_substance", "evidence_col_ratio", "evidence_dim_substance", "field_date",
            "measure_outcome_date", "measure_phase", "monitoring_zones", "nav_services", "organisation_social", "policy_active",
            "policy_versions", "referral_service", "me_phase", "offline_score_short", "agency_type_police", "agency_type_administration", "report_sanctions", "response_kind_sanction", "responses_suggestions",
            "screening_score", "simulation_candidate", "simulation_contacts", "specimen_urine", "timeline_contact",
            "substance_cannabis", "substance_lsd", "substance_mdma", "substance_morphine", "substance_opium", "phase_1",
            "unit_g", "unit_mg", "unit_µg",
        ],
    ]

    static func placeholders(_ text: String) -> [String] {
        ((try? captures(#"(\{[A-Za-z_]+\})"#, in: text)) ?? []).sorted()
    }

    static func lacking(_ key: String, in catalogues: [String: [String: String]]) -> [String] {
        Localizer.supported.filter { catalogues[$0]?[key] == nil }
    }

    @Test("every t.key a template uses is in all six catalogues")
    func templateKeysExist() throws {
        let catalogues = try Self.catalogues()
        let views = try Self.files(under: "Resources/Views", ending: ".leaf")
        #expect(views.count > 30)
        var used = 0
        for (name, text) in views {
            // `t.key` is the page's language; `content.p.key` is a printable form in the person's language.
            let keys = try Self.captures(#"(?<![A-Za-z0-9_])t\.([a-z][a-z0-9_]*)"#, in: text)
                + Self.captures(#"content\.p\.([a-z][a-z0-9_]*)"#, in: text)
            used += keys.count
            for key in Set(keys) {
                let lacking = Self.lacking(key, in: catalogues)
                #expect(lacking.isEmpty, "\(name) uses \(key), missing in \(lacking)")
            }
        }
        #expect(used > 500)
    }

    @Test("every literal message key the Swift page builders use is in all six catalogues")
    func swiftLiteralKeysExist() throws {
        let catalogues = try Self.catalogues()
        let sources = try Self.files(under: ".", ending: ".swift")
        var used = 0
        for (name, text) in sources {
            let keys = try Self.captures(#"\b(?:t|m|p|messages)\["([a-z][a-z0-9_]*)"\]"#, in: text)
                + Self.captures(#"\.word\("([a-z][a-z0-9_]*)""#, in: text)
                + Self.captures(#"\.page\(\s*"[a-z_]+",\s*title:\s*"([a-z][a-z0-9_]*)""#, in: text)
                + Self.captures(#"\("/[a-z/]+",\s*"(nav_[a-z_]+)""#, in: text)
            used += keys.count
            for key in Set(keys) {
                let lacking = Self.lacking(key, in: catalogues)
                #expect(lacking.isEmpty, "\(name) uses \(key), missing in \(lacking)")
            }
        }
        #expect(used > 150)
    }

    @Test("every interpolated message key has a message for each value it can take")
    func interpolatedKeysExist() throws {
        let catalogues = try Self.catalogues()
        let english = catalogues["en"] ?? [:]
        for (pattern, values) in Self.enumerated {
            #expect(!values.isEmpty, "\(pattern)")
            for value in values {
                let key = pattern.replacingOccurrences(of: "{}", with: value)
                let lacking = Self.lacking(key, in: catalogues)
                #expect(lacking.isEmpty, "\(key) missing in \(lacking)")
            }
        }
        // Any other interpolated key must at least match messages in English (and so, by the test above, everywhere).
        let sources = try Self.files(under: ".", ending: ".swift")
        for (name, text) in sources {
            for built in Set(try Self.captures(#"\b(?:t|m|p|messages)\["([a-z_]*\\\([^"]*)"\]"#, in: text)) {
                let shape = try NSRegularExpression(pattern: #"\\\([^)]*\)"#)
                    .stringByReplacingMatches(in: built, range: NSRange(built.startIndex..., in: built), withTemplate: "{}")
                guard !shape.hasPrefix("{}") else { continue }  // e.g. "\(key)_title": the key list is checked at its source
                let regex = try NSRegularExpression(pattern: "^" + NSRegularExpression.escapedPattern(for: shape)
                    .replacingOccurrences(of: "\\{\\}", with: "[a-z0-9_.]+")
                    .replacingOccurrences(of: "{}", with: "[a-z0-9_.]+") + "$")
                let matching = english.keys.filter { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
                #expect(!matching.isEmpty, "\(name) builds \(built), which no English message matches")
            }
        }
        // Notices arrive as `?notice=word` and are looked up as a key ending in the word (`notice_word`, `evidence_word`).
        for (name, text) in sources {
            for word in Set(try Self.captures(#"[?&]notice=([a-z_]+)"#, in: text)) {
                let keys = english.keys.filter { $0 == word || $0.hasSuffix("_\(word)") }
                #expect(!keys.isEmpty, "\(name) redirects with notice=\(word), which has no message")
                for key in keys { #expect(Self.lacking(key, in: catalogues).isEmpty, "\(key)") }
            }
        }
    }

    @Test("no catalogue leaves a message in English, except names, codes and listed cognates")
    func messagesAreTranslated() throws {
        let catalogues = try Self.catalogues()
        let english = catalogues["en"] ?? [:]
        for code in Localizer.supported where code != "en" {
            let own = catalogues[code] ?? [:]
            let allowed = Self.sameInEveryLanguage.union(Self.cognates[code] ?? [])
            let untranslated = english.keys.filter { key in
                guard let value = own[key], value == english[key], !allowed.contains(key) else { return false }
                return value.contains { $0.isLetter }
            }.sorted()
            #expect(untranslated.isEmpty, "\(code) keeps English for \(untranslated)")
        }
    }

    @Test("every language has the same placeholders as English in each message")
    func placeholdersMatch() throws {
        let catalogues = try Self.catalogues()
        let english = catalogues["en"] ?? [:]
        for code in Localizer.supported where code != "en" {
            for (key, value) in english {
                guard let own = catalogues[code]?[key] else { continue }
                #expect(Self.placeholders(own) == Self.placeholders(value), "\(code).\(key): \(own)")
            }
        }
    }

    @Test("no catalogue has a key English lacks", arguments: ["es", "fr", "ru", "ar", "zh"])
    func noExtraKeys(code: String) throws {
        let catalogues = try Self.catalogues()
        let extra = Set(catalogues[code]?.keys ?? [:].keys).subtracting(catalogues["en"]?.keys ?? [:].keys)
        #expect(extra.isEmpty, "\(code) has \(extra.sorted())")
    }
}
