import Foundation

/// One seizure as recorded at a contact.
public struct SeizureRecord: Sendable, Equatable, Codable {
    public var substance: String
    public var quantity: Double
    public var unit: String
    /// Purity from a laboratory or field test, in percent; nil when untested.
    public var purityPercent: Double?
    /// What was found with it, such as many small bags or scales (`PackagingSign` raw values).
    public var packaging: [String]

    public init(substance: String, quantity: Double, unit: String, purityPercent: Double? = nil, packaging: [String] = []) {
        self.substance = substance
        self.quantity = quantity
        self.unit = unit
        self.purityPercent = purityPercent
        self.packaging = packaging
    }
}

/// Things found with a substance that may point to supply; they raise an indicator, never decide.
public enum PackagingSign: String, Sendable, CaseIterable {
    case manySmallBags = "many_small_bags"
    case scales
    case cash
    case cuttingAgents = "cutting_agents"
    case customerList = "customer_list"

    var words: String {
        switch self {
        case .manySmallBags: "many small bags"
        case .scales: "scales"
        case .cash: "cash"
        case .cuttingAgents: "cutting agents"
        case .customerList: "a customer list"
        }
    }
}

/// The circumstances of a contact that can rule diversion out.
public struct ContactCircumstances: Sendable, Equatable, Codable {
    public var violence = false
    public var weapon = false
    public var supplyToMinors = false
    public var nearSchool = false
    public var organisedCrime = false

    public init(violence: Bool = false, weapon: Bool = false, supplyToMinors: Bool = false, nearSchool: Bool = false, organisedCrime: Bool = false) {
        self.violence = violence
        self.weapon = weapon
        self.supplyToMinors = supplyToMinors
        self.nearSchool = nearSchool
        self.organisedCrime = organisedCrime
    }
}

/// An earlier seizure that was close to its threshold: evidence for the trafficking indicator.
public struct NearThresholdEvidence: Sendable, Equatable {
    public var date: CalendarDate
    public var substance: String
    public var percentOfThreshold: Double

    public init(date: CalendarDate, substance: String, percentOfThreshold: Double) {
        self.date = date
        self.substance = substance
        self.percentOfThreshold = percentOfThreshold
    }
}

/// What is on record about the person before this contact.
public struct PriorRecord: Sendable, Equatable {
    public var contacts: [CalendarDate] = []
    public var diversions: [CalendarDate] = []
    public var seriousConvictions: [CalendarDate] = []
    public var nearThresholdSeizures: [NearThresholdEvidence] = []

    public init(contacts: [CalendarDate] = [], diversions: [CalendarDate] = [], seriousConvictions: [CalendarDate] = [], nearThresholdSeizures: [NearThresholdEvidence] = []) {
        self.contacts = contacts
        self.diversions = diversions
        self.seriousConvictions = seriousConvictions
        self.nearThresholdSeizures = nearThresholdSeizures
    }
}

/// The facts eligibility is decided on.
public struct EligibilityQuestion: Sendable, Equatable {
    public var authority: Authority
    public var stage: Stage
    public var occurredOn: CalendarDate
    public var offences: [String]
    public var seizures: [SeizureRecord]
    public var circumstances: ContactCircumstances
    public var history: PriorRecord

    public init(
        authority: Authority = .police, stage: Stage = .preTrial, occurredOn: CalendarDate, offences: [String], seizures: [SeizureRecord],
        circumstances: ContactCircumstances = .init(), history: PriorRecord = .init()
    ) {
        self.authority = authority
        self.stage = stage
        self.occurredOn = occurredOn
        self.offences = offences
        self.seizures = seizures
        self.circumstances = circumstances
        self.history = history
    }
}

/// One rule checked, whether the case passed it, and why, in words a person can read.
public struct EligibilityReason: Sendable, Equatable, Codable {
    public let rule: String
    public let passed: Bool
    public let detail: String
}

/// A signal for the person deciding; it never decides on its own.
public struct EligibilityIndicator: Sendable, Equatable, Codable {
    public let code: String
    public let detail: String
}

/// The recommendation, every rule that produced it, and the policy version it used.
public struct EligibilityAnswer: Sendable, Equatable, Codable {
    public let eligible: Bool
    /// Where the case goes: the diversion route when eligible, otherwise the policy's alternative.
    public let route: String?
    public let stage: Stage
    public let policyVersion: String
    public let reasons: [EligibilityReason]
    public let indicators: [EligibilityIndicator]
    /// How each seizure compared with its threshold, in percent (for later near-threshold checks).
    public let percentOfThreshold: [ThresholdShare]
    /// When the case comes back for review: did the person engage, or what did the prosecutor decide.
    public let reviewBy: CalendarDate
}

/// Decides whether a case may be diverted under a jurisdiction policy, and explains why.
public enum Eligibility {
    /// Quantities above this are not plausible seizures of a person and are refused as typing errors.
    public static let largestQuantity = 1_000_000.0

    public static func evaluate(_ question: EligibilityQuestion, under policy: JurisdictionPolicy) throws(ValidationFailure) -> EligibilityAnswer {
        var errors = FieldErrors()
        var reasons: [EligibilityReason] = []
        var indicators: [EligibilityIndicator] = []
        var percents: [ThresholdShare] = []

        if question.offences.isEmpty { errors.add("offences", "Give at least one offence category.") }
        for (i, code) in question.offences.enumerated() {
            guard let category = policy.offenceCategories.first(where: { $0.code == code }) else {
                errors.add("offences[\(i)].category", "'\(code.prefix(40))' is not an offence category of this policy; use \(policy.offenceCategories.map(\.code).joined(separator: ", ")).")
                continue
            }
            let passed = category.minor && category.nonViolent
            let what = passed ? "is minor and non-violent" : (category.minor ? "is not non-violent" : "is not a minor offence")
            reasons.append(.init(rule: "offence_category", passed: passed, detail: "\(category.name) \(what)."))
        }

        for (i, seizure) in question.seizures.enumerated() {
            let path = "seizures[\(i)]"
            guard let substance = policy.substance(seizure.substance) else {
                errors.add("\(path).substance", "'\(seizure.substance.prefix(40))' is not a substance of this policy; use \(policy.substances.map(\.code).joined(separator: ", ")).")
                continue
            }
            guard let unit = QuantityUnit(text: seizure.unit) else {
                errors.add("\(path).unit", "'\(seizure.unit.prefix(20))' is not a unit; use \(QuantityUnit.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            guard seizure.quantity.isFinite, seizure.quantity > 0, seizure.quantity <= largestQuantity else {
                errors.add("\(path).quantity", "Give a quantity above 0 and at most \(format(largestQuantity)).")
                continue
            }
            if let purity = seizure.purityPercent, !(purity.isFinite && purity > 0 && purity <= 100) {
                errors.add("\(path).purityPercent", "A purity is a percentage above 0 and at most 100.")
                continue
            }
            var signs: [PackagingSign] = []
            for (j, text) in seizure.packaging.enumerated() {
                if let sign = PackagingSign(rawValue: text) { signs.append(sign) } else {
                    errors.add("\(path).packaging[\(j)]", "'\(text.prefix(40))' is not a packaging sign; use \(PackagingSign.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
            }
            guard let inPolicyUnit = unit.convert(seizure.quantity, to: substance.unit) else {
                errors.add("\(path).unit", "\(substance.name) is counted in \(substance.unit.rawValue) under this policy; \(unit.rawValue) cannot be compared with it.")
                continue
            }
            var amount = inPolicyUnit
            var measured = "\(format(seizure.quantity)) \(unit.rawValue)"
            if unit != substance.unit { measured += " (\(format(inPolicyUnit)) \(substance.unit.rawValue))" }
            if substance.basis == .pure {
                let tested = seizure.purityPercent
                let purity = tested ?? substance.assumedPurityPercent ?? 100
                amount = inPolicyUnit * purity / 100
                measured += " at \(format(purity)) % \(tested == nil ? "assumed" : "tested") purity = \(format(amount)) \(substance.unit.rawValue) pure"
            }
            let percent = amount / substance.threshold * 100
            percents.append(ThresholdShare(substance: substance.code, percentOfThreshold: percent))
            let within = amount <= substance.threshold
            reasons.append(.init(
                rule: "personal_use_threshold", passed: within,
                detail: "\(substance.name) \(measured) \(within ? "≤" : ">") \(format(substance.threshold)) \(substance.unit.rawValue) personal-use threshold (\(substance.basis.rawValue))."
            ))
            let presumption = substance.threshold * substance.traffickingMultiple
            let below = amount < presumption
            reasons.append(.init(
                rule: "trafficking_presumption", passed: below,
                detail: "\(substance.name) \(format(amount)) \(substance.unit.rawValue) is \(below ? "below" : "at or above") \(format(substance.traffickingMultiple)) × the threshold (\(format(presumption)) \(substance.unit.rawValue)), \(below ? "so trafficking is not presumed" : "where trafficking is presumed")."
            ))
            if !signs.isEmpty {
                indicators.append(.init(
                    code: "packaging",
                    detail: "\(substance.name) was found with \(signs.map(\.words).joined(separator: ", ")). A possible sign of supply, not proof."
                ))
            }
            let band = policy.nearThresholdBand
            if percent >= band.fromPercent && percent <= band.toPercent {
                let earlier = question.history.nearThresholdSeizures.filter { $0.substance == substance.code }
                if !earlier.isEmpty {
                    let evidence = earlier.map { "\($0.date) at \(format($0.percentOfThreshold)) %" }.joined(separator: ", ")
                    indicators.append(.init(
                        code: "near_threshold_repeat",
                        detail: "\(substance.name) at \(format(percent)) % of the threshold again; earlier near-threshold seizures: \(evidence). A possible sign of supply kept under the threshold, not proof."
                    ))
                }
            }
        }
        if question.seizures.isEmpty {
            reasons.append(.init(rule: "personal_use_threshold", passed: true, detail: "No substance was seized."))
        }
        try errors.throwIfAny()

        let e = policy.exclusions
        let c = question.circumstances
        for (rule, applies, present, found, none) in [
            ("exclusion.violence", e.violence, c.violence, "violence", "No violence was recorded."),
            ("exclusion.weapon", e.weapon, c.weapon, "a weapon", "No weapon was recorded."),
            ("exclusion.supply_to_minors", e.supplyToMinors, c.supplyToMinors, "supply to minors", "No supply to minors was recorded."),
            ("exclusion.near_school", e.nearSchool, c.nearSchool, "an offence near a school", "Nothing was recorded near a school."),
            ("exclusion.organised_crime", e.organisedCrime, c.organisedCrime, "a link to organised crime", "No link to organised crime was recorded."),
        ] where applies {
            reasons.append(.init(rule: rule, passed: !present, detail: present ? "The contact involved \(found), which excludes diversion." : none))
        }
        if let years = e.priorSeriousConvictionYears {
            let since = question.occurredOn.adding(years: -years)
            let recent = question.history.seriousConvictions.filter { $0 > since && $0 <= question.occurredOn }
            reasons.append(.init(
                rule: "exclusion.prior_serious_conviction", passed: recent.isEmpty,
                detail: recent.isEmpty
                    ? "No serious conviction in the \(years) years before the contact."
                    : "Serious conviction within \(years) years (\(recent.map(\.description).joined(separator: ", ")))."
            ))
        }
        if let limit = e.maxDiversions {
            let since = question.occurredOn.adding(years: -limit.years)
            let count = question.history.diversions.filter { $0 > since && $0 <= question.occurredOn }.count
            reasons.append(.init(
                rule: "exclusion.diversion_limit", passed: count < limit.count,
                detail: "\(count) earlier diversion\(count == 1 ? "" : "s") in \(limit.years) years; the limit is \(limit.count)."
            ))
        }
        if let from = policy.treatmentRequiredFromContact {
            let number = question.history.contacts.filter { $0 <= question.occurredOn }.count + 1
            if number >= from {
                indicators.append(.init(code: "treatment_required", detail: "This is contact number \(number); from contact \(from) the policy requires treatment."))
            }
        }
        let rule = policy.routeRule(question.authority, question.stage)
        let who = question.authority.rawValue, when = question.stage.rawValue.replacingOccurrences(of: "_", with: "-")
        if let diversion = rule?.diversion {
            reasons.append(.init(rule: "diversion_route", passed: true, detail: "At the \(when) stage the \(who) may divert: \(diversion.replacingOccurrences(of: "_", with: " "))."))
        } else {
            reasons.append(.init(rule: "diversion_route", passed: false, detail: "This policy gives the \(who) no diversion route at the \(when) stage."))
        }
        let eligible = reasons.allSatisfy(\.passed)
        return EligibilityAnswer(
            eligible: eligible, route: eligible ? rule?.diversion : rule?.otherwise, stage: question.stage, policyVersion: policy.version,
            reasons: reasons, indicators: indicators, percentOfThreshold: percents,
            reviewBy: question.occurredOn.adding(days: policy.timeLimits.reviewDays)
        )
    }

    /// Numbers as people write them: up to four significant digits, no trailing zeros.
    public static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.4g", value)
        if text.contains("e") { return text }
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text
    }
}

extension CalendarDate {
    /// The same day `years` years later (or earlier); 29 February becomes 28 February in common years.
    public func adding(years: Int) -> CalendarDate {
        let y = year + years
        return CalendarDate(year: y, month: month, day: min(day, CalendarDate.daysIn(month: month, year: y)))
    }
}
