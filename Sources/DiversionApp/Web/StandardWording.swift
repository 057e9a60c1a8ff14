import DiversionCore
import Foundation

/// Sentences the domain writes in English, put into the page's language.
enum StandardWording {
    /// The redisclosure notice: the standard wording in the reader's language; a jurisdiction's own wording as written.
    static func notice(_ text: String, _ t: [String: String]) -> String {
        text == JurisdictionPolicy.Disclosure.standard.redisclosureNotice ? (t["disclosure_notice_standard"] ?? text) : text
    }

    /// "Incentives: 1, sanctions: 2 (0.5:1) · below the 4:1 aim", without plural forms, which differ by language.
    static func ratio(_ r: ResponseRatio, _ t: [String: String], _ f: LocaleFormat) -> String {
        guard let ratio = r.ratio else {
            return r.incentives == 0
                ? (t["ratio_none"] ?? "")
                : (t["ratio_no_sanctions"] ?? "").replacingOccurrences(of: "{incentives}", with: f.number(r.incentives))
        }
        let text = (t["ratio_summary"] ?? "")
            .replacingOccurrences(of: "{incentives}", with: f.number(r.incentives))
            .replacingOccurrences(of: "{sanctions}", with: f.number(r.sanctions))
            .replacingOccurrences(of: "{ratio}", with: f.number(ratio, maxFractionDigits: 1))
        guard r.belowTarget else { return text }
        return text + " · " + (t["ratio_below_aim"] ?? "").replacingOccurrences(of: "{target}", with: f.number(r.target, maxFractionDigits: 1))
    }
}
