import Foundation

/// How the person's consent was given.
public enum ConsentMethod: String, Sendable, CaseIterable, Codable {
    case signedPaper = "signed_paper"
    case electronic
    case witnessed
}

/// The person's consent to obligations imposed before or instead of trial (Tokyo Rule 3.4).
public struct MeasureConsent: Sendable, Equatable, Codable {
    public var given: Bool
    public var method: ConsentMethod
    public var recordedAt: Date

    public init(given: Bool, method: ConsentMethod, recordedAt: Date) {
        self.given = given
        self.method = method
        self.recordedAt = recordedAt
    }
}

/// Why the measures are proportionate: the gravity of the offence, the person's circumstances and background, the reasons.
public struct Proportionality: Sendable, Equatable, Codable {
    public var gravity: String
    public var circumstances: String
    public var reasons: String
    /// For a minor, why a measure restricting liberty is the last resort.
    public var lastResortReason: String?
    /// For a minor, the parent or guardian contacted about the decision, and how.
    public var guardianContact: String?

    public init(gravity: String, circumstances: String, reasons: String, lastResortReason: String? = nil, guardianContact: String? = nil) {
        self.gravity = gravity
        self.circumstances = circumstances
        self.reasons = reasons
        self.lastResortReason = lastResortReason
        self.guardianContact = guardianContact
    }
}

/// One measure ordered in a decision, with its conditions and period.
public struct OrderedMeasure: Sendable, Equatable, Codable {
    public var type: MeasureType
    public var conditions: [Condition]
    public var start: CalendarDate
    public var plannedEnd: CalendarDate?

    public init(type: MeasureType, conditions: [Condition], start: CalendarDate, plannedEnd: CalendarDate?) {
        self.type = type
        self.conditions = conditions
        self.start = start
        self.plannedEnd = plannedEnd
    }
}

/// A decision at a stage, as submitted for checking.
public struct DecisionDraft: Sendable, Equatable {
    public var stage: Stage
    public var measures: [OrderedMeasure]
    public var proportionality: Proportionality
    public var consent: MeasureConsent?

    public init(stage: Stage, measures: [OrderedMeasure], proportionality: Proportionality, consent: MeasureConsent?) {
        self.stage = stage
        self.measures = measures
        self.proportionality = proportionality
        self.consent = consent
    }
}

/// Why a decision was refused: a rule of the policy (403) or fields to correct (422).
public enum DecisionRefusal: Error, Equatable, Sendable {
    case notAllowed(rule: String)
    case invalid(ValidationFailure)
}

/// The rules a decision on measures must meet before it is recorded.
public enum DecisionRules {
    /// Stages at which obligations come before or instead of trial, and so need consent.
    public static let consentStages: Set<Stage> = [.preTrial, .trial]
    public static let maxTextLength = 4000
    /// The longest a measure may be planned to run.
    public static let longestYears = 10

    public static func check(
        _ draft: DecisionDraft, authority: Authority, rules: [MeasureRule], personAge: Int, ageOfMajority: Int, today: CalendarDate,
        juvenile: JurisdictionPolicy.JuvenileRules = .standard
    ) throws(DecisionRefusal) {
        let menu = rules.first { $0.authority == authority && $0.stage == draft.stage }?.allowed ?? []
        for (i, m) in draft.measures.enumerated() where !menu.contains(m.type) {
            let stage = draft.stage.rawValue.replacingOccurrences(of: "_", with: "-")
            throw .notAllowed(rule: menu.isEmpty
                ? "measures[\(i)]: the policy lets the \(authority.rawValue) order no measure at the \(stage) stage, so not \(m.type.words)."
                : "measures[\(i)]: the policy does not let the \(authority.rawValue) order \(m.type.words) at the \(stage) stage; it may order \(menu.map(\.words).joined(separator: ", ")).")
        }
        let minor = personAge < ageOfMajority
        if minor, let allowed = juvenile.allowed {
            for (i, m) in draft.measures.enumerated() where !allowed.contains(m.type) {
                throw .notAllowed(rule: "measures[\(i)]: the policy's juvenile rules do not allow \(m.type.words) for a person under \(ageOfMajority); minors may be given \(allowed.map(\.words).joined(separator: ", ")).")
            }
        }
        var errors = FieldErrors()
        if draft.measures.isEmpty { errors.add("measures", "Order at least one measure.") }
        if draft.measures.count > 10 { errors.add("measures", "Order at most ten measures in one decision.") }
        for (i, m) in draft.measures.enumerated() {
            let path = "measures[\(i)]"
            if m.start < today.adding(years: -1) { errors.add("\(path).start", "The start is more than a year ago; check the date.") }
            if let end = m.plannedEnd {
                if end < m.start { errors.add("\(path).plannedEnd", "The planned end is before the start (\(m.start)).") }
                if end > m.start.adding(years: longestYears) { errors.add("\(path).plannedEnd", "A measure is planned for at most \(longestYears) years.") }
            } else if m.type.imposesObligations {
                errors.add("\(path).plannedEnd", "Give the planned end: obligations are ordered for a set period.")
            }
            if m.conditions.count > 20 { errors.add("\(path).conditions", "At most 20 conditions per measure.") }
            for (j, c) in m.conditions.enumerated() {
                c.check("\(path).conditions[\(j)]", start: m.start, plannedEnd: m.plannedEnd, into: &errors)
            }
            if personAge < ageOfMajority && m.type.restrictsLiberty && (draft.proportionality.lastResortReason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                errors.add("proportionality.lastResortReason", "The person is \(personAge): \(m.type.words) restricts a minor's liberty and needs the reason it is the last resort.")
            }
        }
        if minor && juvenile.guardianContactRequired && (draft.proportionality.guardianContact ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            errors.add("proportionality.guardianContact", "The person is \(personAge): record the parent or guardian who was contacted about this decision, and how.")
        }
        let p = draft.proportionality
        for (field, text, hint) in [
            ("gravity", p.gravity, "the gravity of the offence"), ("circumstances", p.circumstances, "the person's circumstances and background"),
            ("reasons", p.reasons, "why these measures are proportionate"),
        ] {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { errors.add("proportionality.\(field)", "Describe \(hint).") }
            if trimmed.count > maxTextLength { errors.add("proportionality.\(field)", "Keep it to \(maxTextLength) characters.") }
        }
        let obliges = draft.measures.contains { $0.type.imposesObligations || !$0.conditions.isEmpty }
        if consentStages.contains(draft.stage) && obliges && draft.consent?.given != true {
            errors.add("consent", "Obligations ordered before or instead of trial need the person's consent (Tokyo Rule 3.4): record that it was given, and how.")
        }
        if !errors.all.isEmpty { throw .invalid(ValidationFailure(errors.all)) }
    }
}
