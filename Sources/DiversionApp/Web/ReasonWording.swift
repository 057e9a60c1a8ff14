import DiversionCore
import Foundation
import Vapor

extension Request {
    /// The names a rule's reasons quote, in the page's language: the policy's substance and offence names (as the
    /// core writes them) and its routes (as the route reason writes them, "referral to treatment").
    func reasonNames(_ policy: JurisdictionPolicy?) -> [String: String] {
        guard language != Localizer.fallback else { return [:] }
        let wording = policyWording
        var names: [String: String] = [:]
        for (key, text) in messages where key.hasPrefix("route_") {
            names[key.dropFirst("route_".count).replacingOccurrences(of: "_", with: " ")] = text
        }
        for substance in policy?.substances ?? [] { names[substance.name] = wording.substance(substance.code, in: policy) }
        for category in policy?.offenceCategories ?? [] { names[category.name] = wording.offence(category.code, in: policy) }
        return names
    }

    /// What the rules said about a case (a reason, an indicator, a recommendation), in the page's language.
    func reason(_ text: String, names: [String: String]) -> String {
        diversion.fieldMessages.translate(text, into: language, names: names)
    }
}
