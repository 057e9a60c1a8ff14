import Foundation

/// The sentences of a simulation report: what changed in a rule between the active policy and the candidate.
enum RuleWording {
    static let f = Eligibility.format

    /// "Threshold for Cannabis herb raised from 25 g to 30 g: 1,204 contacts became eligible."
    static func sentence(_ what: String, becameEligible up: Int, becameIneligible down: Int) -> String {
        var parts: [String] = []
        if up > 0 { parts.append("\(count(up)) contact\(up == 1 ? "" : "s") became eligible") }
        if down > 0 { parts.append("\(count(down)) contact\(down == 1 ? "" : "s") became ineligible") }
        return "\(what): \(parts.joined(separator: "; "))."
    }

    /// Whole numbers with a comma between thousands, the same in every locale of the command line.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// What differs in `rule` (about `subject`, when it is about a substance or offence category) between the policies.
    static func change(_ rule: RuleSet, subject: String?, baseline a: JurisdictionPolicy, candidate b: JurisdictionPolicy) -> String {
        switch rule {
        case .unreadable:
            return "An offence category, substance or unit only one of the two policies knows"
        case .offence:
            let code = subject ?? ""
            let old = a.offenceCategories.first { $0.code == code }, new = b.offenceCategories.first { $0.code == code }
            let name = new?.name ?? old?.name ?? code
            let divertible = { (c: JurisdictionPolicy.OffenceCategory?) in c.map { $0.minor && $0.nonViolent } ?? false }
            if divertible(new) && !divertible(old) { return "Offence category \(name) now counts as minor and non-violent" }
            if !divertible(new) && divertible(old) { return "Offence category \(name) no longer counts as minor and non-violent" }
            return "Offence category \(name)"
        case .threshold:
            let code = subject ?? ""
            guard let old = a.substance(code), let new = b.substance(code) else { return "Threshold for \(code)" }
            if old.unit == new.unit && old.basis == new.basis && old.assumedPurityPercent == new.assumedPurityPercent && old.threshold != new.threshold {
                return "Threshold for \(new.name) \(new.threshold > old.threshold ? "raised" : "lowered") from \(amount(old)) to \(amount(new))"
            }
            return "Threshold for \(new.name) changed from \(amount(old, purity: true)) to \(amount(new, purity: true))"
        case .trafficking:
            let code = subject ?? ""
            guard let old = a.substance(code), let new = b.substance(code) else { return "Trafficking presumption for \(code)" }
            return "Trafficking presumed for \(new.name) from \(f(new.threshold * new.traffickingMultiple)) \(new.unit.rawValue) "
                + "(\(f(new.traffickingMultiple)) × the threshold) instead of \(f(old.threshold * old.traffickingMultiple)) \(old.unit.rawValue) "
                + "(\(f(old.traffickingMultiple)) ×)"
        case .violence, .weapon, .supplyToMinors, .nearSchool, .organisedCrime:
            let (what, was, now) = exclusion(rule, a.exclusions, b.exclusions)
            return was == now ? "Exclusion for \(what) (unchanged)" : "Exclusion for \(what) \(now ? "added" : "dropped")"
        case .priorSeriousConviction:
            switch (a.exclusions.priorSeriousConvictionYears, b.exclusions.priorSeriousConvictionYears) {
            case (nil, let y?): return "Exclusion for a serious conviction in the last \(y) years added"
            case (let y?, nil): return "Exclusion for a serious conviction in the last \(y) years dropped"
            case (let x?, let y?) where x != y: return "Look-back for serious convictions \(y < x ? "shortened" : "lengthened") from \(x) to \(y) years"
            default: return "Exclusion for a serious conviction (unchanged)"
            }
        case .diversionLimit:
            let text = { (l: JurisdictionPolicy.DiversionLimit) in "\(l.count) in \(l.years) years" }
            switch (a.exclusions.maxDiversions, b.exclusions.maxDiversions) {
            case (nil, let l?): return "Diversion limit of \(text(l)) added"
            case (let l?, nil): return "Diversion limit of \(text(l)) dropped"
            case (let x?, let y?) where x != y: return "Diversion limit changed from \(text(x)) to \(text(y))"
            case (let l?, _): return "Diversion limit of \(text(l)) (unchanged), reached with a different number of earlier diversions in the replay"
            default: return "Diversion limit"
            }
        case .route:
            let route = b.routeRule(.police, .preTrial)?.diversion ?? a.routeRule(.police, .preTrial)?.diversion ?? ""
            let open = b.routeRule(.police, .preTrial)?.diversion != nil
            return "Police diversion route at the pre-trial stage \(open ? "opened" : "closed") (\(route.replacingOccurrences(of: "_", with: " ")))"
        default:
            return rule.code
        }
    }

    static func amount(_ s: JurisdictionPolicy.Substance, purity: Bool = false) -> String {
        var text = "\(f(s.threshold)) \(s.unit.rawValue)"
        guard s.basis == .pure else { return purity ? text + " gross" : text }
        text += " pure"
        if purity { text += " (\(f(s.assumedPurityPercent ?? 100)) % purity assumed when untested)" }
        return text
    }

    private static func exclusion(_ rule: RuleSet, _ a: JurisdictionPolicy.Exclusions, _ b: JurisdictionPolicy.Exclusions) -> (String, Bool, Bool) {
        switch rule {
        case .violence: ("violence", a.violence, b.violence)
        case .weapon: ("a weapon", a.weapon, b.weapon)
        case .supplyToMinors: ("supply to minors", a.supplyToMinors, b.supplyToMinors)
        case .nearSchool: ("an offence near a school", a.nearSchool, b.nearSchool)
        default: ("a link to organised crime", a.organisedCrime, b.organisedCrime)
        }
    }
}
