import Foundation

/// What the officer decides after seeing the eligibility recommendation.
public enum OfficerDecision: String, Sendable, CaseIterable, Codable {
    case divert
    case referToProsecutor = "refer_to_prosecutor"
    case noFurtherAction = "no_further_action"
    case charge

    /// The decision that follows the recommendation: divert when eligible, otherwise pass to the prosecutor.
    public static func recommended(eligible: Bool) -> OfficerDecision {
        eligible ? .divert : .referToProsecutor
    }

    public static let maxReasonLength = 1000

    /// The decision in words, for messages.
    public var words: String {
        switch self {
        case .divert: "divert to treatment"
        case .referToProsecutor: "refer to the prosecutor"
        case .noFurtherAction: "no further action"
        case .charge: "charge"
        }
    }

    /// Checks a decision: a reason is required whenever it departs from the recommendation,
    /// and diverting a case the policy does not let the police divert is refused.
    public static func check(_ text: String?, reason: String?, eligible: Bool) throws(ValidationFailure) -> (OfficerDecision, String?) {
        var errors = FieldErrors()
        let decision = text.flatMap(OfficerDecision.init(rawValue:))
        if decision == nil {
            errors.add("decision", "Use one of \(allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let given = (trimmed?.isEmpty ?? true) ? nil : trimmed
        if let given, given.count > maxReasonLength {
            errors.add("reason", "Keep the reason to \(maxReasonLength) characters.")
        }
        if let decision {
            if decision == .divert && !eligible {
                errors.add("decision", "This case is not eligible for diversion under the policy; refer it to the prosecutor, who may still divert it.")
            } else if decision != recommended(eligible: eligible) && given == nil {
                errors.add("reason", "Say why: this decision departs from the recommendation (\(recommended(eligible: eligible).words)).")
            }
        }
        try errors.throwIfAny()
        guard let decision else { throw ValidationFailure(errors.all) }
        return (decision, given)
    }
}
