import DiversionCore
import Foundation
import Vapor

/// Names of the codes a jurisdiction policy defines (offences, substances, responses, phases), in the page's language.
///
/// A name is looked for in this order: the policy's own label in the language, then the interface's message
/// (`offence_<code>`, `substance_<code>`, `response_option_<code>`, `phase_<number>`), then the name written in the
/// policy, then the code turned into words. In English the policy's own name comes before the message, because it
/// is the jurisdiction's exact wording; in other languages that name is English, so the translated message wins.
struct PolicyWording: Sendable {
    let language: String
    let t: [String: String]

    init(language: String, messages: [String: String]) {
        self.language = language
        self.t = messages
    }

    /// The offence category `code`, described by `policy` when it knows the code.
    func offence(_ code: String, in policy: JurisdictionPolicy?) -> String {
        let category = policy?.offenceCategories.first { $0.code == code }
        return name(code, key: "offence_\(code)", written: category?.name, labels: category?.labels)
    }

    /// The substance `code`, described by `policy` when it knows the code.
    func substance(_ code: String, in policy: JurisdictionPolicy?) -> String {
        let substance = policy?.substance(code)
        return name(code, key: "substance_\(code)", written: substance?.name, labels: substance?.labels)
    }

    /// A substance with the unit its threshold is measured in, for pickers: "Cannabis herb (g)".
    func substanceWithUnit(_ substance: JurisdictionPolicy.Substance) -> String {
        "\(name(substance.code, key: "substance_\(substance.code)", written: substance.name, labels: substance.labels)) (\(unit(substance.unit)))"
    }

    /// A unit of quantity ("g", "tablets") in the page's language.
    func unit(_ unit: QuantityUnit) -> String {
        t["unit_\(unit.rawValue)"] ?? unit.rawValue
    }

    /// A response option of the graduated-response matrix.
    func response(_ option: ResponseOption) -> String {
        name(option.code, key: "response_option_\(option.code)", written: option.name, labels: option.labels)
    }

    /// A response option known by its code and the name it was recorded with, as progress reports carry it.
    func response(code: String?, recordedAs name: String) -> String {
        guard let code, !code.isEmpty else { return name }
        return self.name(code, key: "response_option_\(code)", written: name, labels: nil)
    }

    /// The names a suggested response's or a promotion's reasons quote, for the reasons translator: behaviours
    /// ("missed test"), response options mid-sentence ("verbal warning") and phase names, as the response matrix writes them.
    func responseNames(_ matrix: ResponseMatrix) -> [String: String] {
        guard language != Localizer.fallback else { return [:] }
        var names: [String: String] = [:]
        for behaviour in Behaviour.allCases { names[behaviour.words] = t["behaviour_\(behaviour.rawValue)"] }
        for option in matrix.options {
            let own = response(option)
            // Inside a sentence the option reads in lower case, as the English does ("…: verbal warning as a first response").
            names[option.words] = own.prefix(1).lowercased() + own.dropFirst()
        }
        for phase in matrix.phases { names[phase.name] = self.phase(phase) }
        return names
    }

    /// A phase of the programme; the standard phases have messages by number, a policy's own phases keep its name.
    func phase(_ phase: ResponseMatrix.Phase?) -> String {
        guard let phase else { return "" }
        let standard = ResponseMatrix.standard.phase(phase.number)
        // A policy that renames a phase means its own wording; only the standard names are translated.
        guard standard?.name == phase.name, language != Localizer.fallback, let text = t["phase_\(phase.number)"] else { return phase.name }
        return text
    }

    private func name(_ code: String, key: String, written: String?, labels: [String: String]?) -> String {
        if let own = labels?[language], !own.isEmpty { return own }
        if language == Localizer.fallback, let written, !written.isEmpty { return written }
        if let message = t[key], !message.isEmpty { return message }
        if let written, !written.isEmpty { return written }
        return Self.readable(code)
    }

    /// A code turned into words for a reader: "possession_personal_use" → "Possession personal use".
    /// Used only when neither the policy nor the interface names the code, so no page shows snake_case.
    static func readable(_ code: String) -> String {
        let words = code.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." || $0.isWhitespace }).map(String.init)
        guard let first = words.first else { return code }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst()).joined(separator: " ")
    }
}

extension Request {
    /// Names of policy codes in this request's language.
    var policyWording: PolicyWording { PolicyWording(language: language, messages: messages) }
}
